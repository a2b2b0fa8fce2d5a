"""The job config JSON (documented in README.md): parsed, defaulted and checked against the
dataset before any model is fitted, so a typo fails in a second with a message naming it."""
import json
from datetime import datetime
from dataclasses import dataclass, field

import pandas as pd

from job_io import JobInputError

# Robyn's recommended geometric-adstock ranges (R docs, hyperparameter guidance).
DEFAULT_RANGES = {"alphas": [0.5, 3.0], "gammas": [0.3, 1.0], "thetas": [0.0, 0.3]}
HYPER_SUFFIXES = tuple(DEFAULT_RANGES)
KNOWN_KEYS = {
    "date_var", "dep_var", "dep_var_type", "paid_media_spends", "paid_media_vars", "context_vars",
    "organic_vars", "factor_vars", "window_start", "window_end", "adstock", "hyperparameters",
    "iterations", "trials", "seed", "prophet_vars", "prophet_country", "min_candidates",
}


@dataclass
class JobConfig:
    date_var: str
    dep_var: str
    paid_media_spends: list[str]
    dep_var_type: str = "revenue"
    paid_media_vars: list[str] = field(default_factory=list)
    context_vars: list[str] = field(default_factory=list)
    organic_vars: list[str] = field(default_factory=list)
    factor_vars: list[str] = field(default_factory=list)
    window_start: str | None = None
    window_end: str | None = None
    adstock: str = "geometric"
    hyperparameters: dict[str, list[float]] = field(default_factory=dict)
    iterations: int = 2000
    trials: int = 5
    seed: int = 123
    prophet_vars: list[str] = field(default_factory=lambda: ["trend", "season"])
    prophet_country: str = "DE"
    min_candidates: int | None = None

    @property
    def channels(self) -> list[str]:
        """Variables that get adstock/saturation hyperparameters (Robyn: spends + organic)."""
        return self.paid_media_spends + self.organic_vars

    @property
    def columns(self) -> list[str]:
        return [self.date_var, self.dep_var, *self.paid_media_spends, *self.paid_media_vars, *self.context_vars, *self.organic_vars]


def _str_list(raw: dict, key: str, problems: list[str]) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.append(f"{key} must be a list of column names")
        return []
    return value


def parse_config(text: str) -> JobConfig:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise JobInputError(f"config is not valid JSON: {err}") from err
    if not isinstance(raw, dict):
        raise JobInputError("config must be a JSON object")
    problems = [f"unknown key {k!r}" for k in sorted(set(raw) - KNOWN_KEYS)]
    for key in ("date_var", "dep_var"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            problems.append(f"{key} is required (a column name)")
    lists = {k: _str_list(raw, k, problems) for k in ("paid_media_spends", "paid_media_vars", "context_vars", "organic_vars", "factor_vars", "prophet_vars")}
    if not lists["paid_media_spends"]:
        problems.append("paid_media_spends must name at least one spend column")
    if lists["paid_media_vars"] and len(lists["paid_media_vars"]) != len(lists["paid_media_spends"]):
        problems.append("paid_media_vars must be as long as paid_media_spends (one exposure metric per spend)")
    if raw.get("dep_var_type", "revenue") not in ("revenue", "conversion"):
        problems.append("dep_var_type must be 'revenue' or 'conversion'")
    if raw.get("adstock", "geometric") != "geometric":
        problems.append("adstock: only 'geometric' is supported by this runner")
    for key in ("window_start", "window_end"):
        if key in raw and not _is_iso_date(raw[key]):
            problems.append(f"{key} must be a date 'YYYY-MM-DD'")
    for key, low in (("iterations", 10), ("trials", 1), ("seed", 0), ("min_candidates", 1)):
        if key in raw and (not isinstance(raw[key], int) or isinstance(raw[key], bool) or raw[key] < low):
            problems.append(f"{key} must be an integer >= {low}")
    if problems:
        raise JobInputError("; ".join(problems))
    if not set(lists["prophet_vars"]) <= {"trend", "season", "holiday", "monthly", "weekday"}:
        raise JobInputError("prophet_vars may only contain trend, season, holiday, monthly, weekday")
    scalars = ("dep_var_type", "window_start", "window_end", "iterations", "trials", "seed", "prophet_country", "min_candidates")
    kwargs = {k: v for k, v in lists.items() if v or k != "prophet_vars"}  # empty prophet_vars keeps the default
    cfg = JobConfig(date_var=raw["date_var"], dep_var=raw["dep_var"], **kwargs, **{k: raw[k] for k in scalars if k in raw})
    cfg.paid_media_vars = cfg.paid_media_vars or list(cfg.paid_media_spends)
    cfg.hyperparameters = _hyperparameters(cfg, raw.get("hyperparameters") or {})
    return cfg


def _is_iso_date(value: object) -> bool:
    try:
        return isinstance(value, str) and datetime.strptime(value, "%Y-%m-%d") is not None
    except ValueError:
        return False


def _hyperparameters(cfg: JobConfig, given: object) -> dict[str, list[float]]:
    """Defaults for every channel, overridden by the given `<channel>_<alphas|gammas|thetas>` ranges."""
    if not isinstance(given, dict):
        raise JobInputError("hyperparameters must be an object of '<channel>_alphas': [lo, hi], ...")
    ranges = {f"{ch}_{s}": list(DEFAULT_RANGES[s]) for ch in cfg.channels for s in HYPER_SUFFIXES}
    ranges.update({"train_size": [0.5, 0.8], "lambda": [0.0, 1.0]})
    problems = []
    for key, value in given.items():
        if key not in ranges:
            problems.append(f"hyperparameters: unknown key {key!r} (expected <channel>_alphas|gammas|thetas for {', '.join(cfg.channels)}, train_size or lambda)")
        elif not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value) and value[0] <= value[1]):
            problems.append(f"hyperparameters: {key} must be [low, high] with low <= high")
        else:
            ranges[key] = [float(v) for v in value]
    if problems:
        raise JobInputError("; ".join(problems))
    return ranges


def load_dataset(path, cfg: JobConfig) -> pd.DataFrame:
    """Reads the CSV and checks what Robyn would otherwise fail on obscurely."""
    try:
        data = pd.read_csv(path)
    except Exception as err:  # pandas raises several types for unreadable CSVs
        raise JobInputError(f"input is not a readable CSV: {err}") from err
    missing = [c for c in dict.fromkeys(cfg.columns + cfg.factor_vars) if c not in data.columns]
    if missing:
        raise JobInputError(f"input is missing columns: {', '.join(missing)} (has: {', '.join(map(str, data.columns))})")
    problems = []
    dates = pd.to_datetime(data[cfg.date_var], errors="coerce")
    if dates.isna().any():
        problems.append(f"{cfg.date_var} has {int(dates.isna().sum())} unparseable dates")
    numeric = [c for c in dict.fromkeys([cfg.dep_var, *cfg.paid_media_spends, *cfg.paid_media_vars, *cfg.organic_vars])]
    for col in numeric:
        values = pd.to_numeric(data[col], errors="coerce")
        if values.isna().any():
            problems.append(f"{col} has {int(values.isna().sum())} empty or non-numeric values")
        elif (values < 0).any() and col != cfg.dep_var:
            problems.append(f"{col} has negative values")
    if problems:
        raise JobInputError("; ".join(problems))
    data[cfg.date_var] = dates.dt.strftime("%Y-%m-%d")
    cfg.window_start = cfg.window_start or data[cfg.date_var].min()
    cfg.window_end = cfg.window_end or data[cfg.date_var].max()
    in_window = int(data[cfg.date_var].between(cfg.window_start, cfg.window_end).sum())
    if in_window < 26:  # ISO date strings compare in date order
        raise JobInputError(f"{in_window} rows fall in the window {cfg.window_start}..{cfg.window_end}; Robyn needs at least 26 periods")
    return data
