"""Builds model_summary.json and pareto_aggregated.csv from robynpy's result objects (robynpy
writes plots but not Robyn's CSV/JSON outputs)."""
import math
from importlib.metadata import version

import pandas as pd

from job_config import JobConfig

SELECTION_RULE = (
    "among Pareto front 1 models, the one closest to the origin of min-max normalised "
    "(nrmse, decomp_rssd) over all candidates; ties -> lower nrmse"
)
AGGREGATED_COLUMNS = [
    "solID", "rn", "coef", "xDecompAgg", "xDecompPerc", "total_spend", "mean_spend", "spend_share",
    "effect_share", "roi_mean", "roi_total", "cpa_total", "mean_response", "robynPareto",
    "nrmse", "decomp.rssd", "mape", "rsq_train", "rsq_val", "rsq_test",
]


def _num(value) -> float | None:
    """JSON-safe float (robynpy uses NaN for 'not applicable')."""
    if value is None:
        return None
    f = float(value)
    return None if math.isnan(f) or math.isinf(f) else f


def candidates(model_outputs, pareto_result) -> list[dict]:
    fronts = pareto_result.result_hyp_param.set_index("sol_id")["robynPareto"].to_dict()
    rows = model_outputs.all_result_hyp_param[["sol_id", "nrmse", "decomp.rssd", "mape"]].to_dict("records")
    return [
        {
            "solID": row["sol_id"], "nrmse": _num(row["nrmse"]), "decomp_rssd": _num(row["decomp.rssd"]),
            "mape": _num(row["mape"]), "pareto_front": _front(fronts.get(row["sol_id"])),
        }
        for row in rows
    ]


def _front(rank) -> int | None:
    """robynPareto rank; None for models outside the fronts robynpy selected."""
    value = _num(rank)
    return int(value) if value is not None else None


def choose(cands: list[dict]) -> dict:
    front1 = [c for c in cands if c["pareto_front"] == 1 and c["nrmse"] is not None and c["decomp_rssd"] is not None]
    if not front1:
        raise RuntimeError("robynpy returned no Pareto front 1 model")
    scored = [c for c in cands if c["nrmse"] is not None and c["decomp_rssd"] is not None]

    def scale(key: str):
        lo, hi = min(c[key] for c in scored), max(c[key] for c in scored)
        return lambda v: 0.0 if hi == lo else (v - lo) / (hi - lo)

    n, r = scale("nrmse"), scale("decomp_rssd")
    best = min(front1, key=lambda c: (math.hypot(n(c["nrmse"]), r(c["decomp_rssd"])), c["nrmse"]))
    return {**{k: best[k] for k in ("solID", "nrmse", "decomp_rssd", "mape")}, "selection_rule": SELECTION_RULE}


def channels(cfg: JobConfig, pareto_result, sol_id: str) -> list[dict]:
    decomp = pareto_result.x_decomp_agg
    rows = decomp[(decomp["sol_id"] == sol_id) & (decomp["rn"].isin(cfg.paid_media_spends))].set_index("rn")
    spend = {ch: _num(rows.at[ch, "total_spend"]) or 0.0 for ch in cfg.paid_media_spends}
    effect = {ch: _num(rows.at[ch, "xDecompAgg"]) or 0.0 for ch in cfg.paid_media_spends}
    spend_total, effect_total = sum(spend.values()), sum(effect.values())
    return [
        {
            "channel": ch, "spend": spend[ch], "effect": effect[ch],
            "roi": effect[ch] / spend[ch] if spend[ch] else None,
            "cpa": spend[ch] / effect[ch] if effect[ch] else None,
            "spend_share": spend[ch] / spend_total if spend_total else None,
            "effect_share": effect[ch] / effect_total if effect_total else None,
        }
        for ch in cfg.paid_media_spends
    ]


def pareto_aggregated(pareto_result, pareto_ids: list[str]) -> pd.DataFrame:
    frame = pareto_result.x_decomp_agg.rename(columns={"sol_id": "solID"})
    frame = frame[frame["solID"].isin(pareto_ids)]
    return frame[[c for c in AGGREGATED_COLUMNS if c in frame.columns]]


def engine_versions() -> dict:
    from rpy2 import robjects  # already loaded by robynpy; asked here so the summary names what ran

    glmnet = str(robjects.r('as.character(packageVersion("glmnet"))')[0])
    r_version = str(robjects.r("paste(R.version$major, R.version$minor, sep='.')")[0])
    return {"package": "robynpy", "version": version("robynpy"), "r": r_version, "glmnet": glmnet}


def build_summary(cfg: JobConfig, fit, plots: list[str]) -> tuple[dict, pd.DataFrame]:
    mo, pr = fit.robyn.model_outputs, fit.robyn.pareto_result
    cands = candidates(mo, pr)
    pareto_ids = [c["solID"] for c in sorted(cands, key=lambda c: (c["pareto_front"] or 0, c["nrmse"] or 0)) if c["pareto_front"] is not None]
    chosen = choose(cands)
    summary = {
        "status": "succeeded", "robyn": engine_versions(),
        "iterations": cfg.iterations, "trials": cfg.trials, "seed": cfg.seed,
        "window": {"start": cfg.window_start, "end": cfg.window_end},
        "dep_var": cfg.dep_var, "dep_var_type": cfg.dep_var_type, "adstock": cfg.adstock,
        "pareto_fronts_selected": int(pr.pareto_fronts), "min_candidates": fit.min_candidates,
        "candidates": cands, "pareto_models": pareto_ids, "chosen": chosen,
        "channels": channels(cfg, pr, chosen["solID"]), "plots": plots,
    }
    return summary, pareto_aggregated(pr, pareto_ids)
