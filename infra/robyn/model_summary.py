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


# What the numbers mean, written into the summary so nobody has to guess (Robyn's own outputs do
# not say which NRMSE drove the search, and robynpy's CSV uses effect_share for another share).
FIT_METRICS = ("rsq_train", "rsq_val", "rsq_test", "nrmse_train", "nrmse_val", "nrmse_test")
DEFINITIONS = {
    "nrmse": "the NRMSE the model search minimised and the Pareto fronts use: nrmse_val "
    "(the validation split's, since the runner trains with ts_validation=True; Robyn's rule)",
    "rsq_train, rsq_val, rsq_test": "adjusted R-squared of the fit on the train, validation and test splits (time order)",
    "nrmse_train, nrmse_val, nrmse_test": "normalised RMSE (RMSE / (max - min of the dependent variable)) on each split",
    "train_size": "share of the weeks in the train split; validation and test share the rest equally",
    "spend_share": "channel spend / total spend of the paid-media channels (paid_media_spends)",
    "effect_share": "channel effect / total effect of the paid-media channels (sum of their xDecompAgg); "
    "NOT robynpy's effect_share column in pareto_aggregated.csv, which is the share of the total response",
    "response_share": "channel effect / total decomposed response (every term incl. intercept, trend, context); "
    "= robynpy's xDecompPerc and its effect_share column",
    "roi": "effect / spend over the window",
    "cpa": "spend / effect over the window",
}
SELECTION_NRMSE = "nrmse_val"


def candidates(model_outputs, pareto_result) -> list[dict]:
    fronts = pareto_result.result_hyp_param.set_index("sol_id")["robynPareto"].to_dict()
    columns = ["sol_id", "trial", "iterNG", "nrmse", "decomp.rssd", "mape", "train_size", *FIT_METRICS]
    frame = model_outputs.all_result_hyp_param
    rows = frame[[c for c in columns if c in frame.columns]].to_dict("records")
    return [
        {
            "solID": row["sol_id"], "trial": int(row["trial"]), "iteration": int(row["iterNG"]),
            "nrmse": _num(row["nrmse"]), "decomp_rssd": _num(row["decomp.rssd"]), "mape": _num(row["mape"]),
            **{m: _num(row.get(m)) for m in FIT_METRICS}, "train_size": _num(row.get("train_size")),
            "pareto_front": _front(fronts.get(row["sol_id"])),
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
    keep = ("solID", "trial", "nrmse", "decomp_rssd", "mape", *FIT_METRICS, "train_size")
    return {**{k: best.get(k) for k in keep}, "selection_rule": SELECTION_RULE, "selection_nrmse": SELECTION_NRMSE}


def channels(cfg: JobConfig, pareto_result, sol_id: str) -> list[dict]:
    decomp = pareto_result.x_decomp_agg
    rows = decomp[(decomp["sol_id"] == sol_id) & (decomp["rn"].isin(cfg.paid_media_spends))].set_index("rn")
    spend = {ch: _num(rows.at[ch, "total_spend"]) or 0.0 for ch in cfg.paid_media_spends}
    effect = {ch: _num(rows.at[ch, "xDecompAgg"]) or 0.0 for ch in cfg.paid_media_spends}
    spend_total, effect_total = sum(spend.values()), sum(effect.values())
    every_term = decomp[decomp["sol_id"] == sol_id]["xDecompAgg"]
    response_total = float(every_term.sum()) if len(every_term) else 0.0
    return [
        {
            "channel": ch, "spend": spend[ch], "effect": effect[ch],
            "roi": effect[ch] / spend[ch] if spend[ch] else None,
            "cpa": spend[ch] / effect[ch] if effect[ch] else None,
            "spend_share": spend[ch] / spend_total if spend_total else None,
            "effect_share": effect[ch] / effect_total if effect_total else None,
            "response_share": effect[ch] / response_total if response_total else None,
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
        "independent_trials": True, "selection_nrmse": SELECTION_NRMSE, "definitions": DEFINITIONS,
        "candidates": cands, "pareto_models": pareto_ids, "chosen": chosen,
        "channels": channels(cfg, pr, chosen["solID"]), "plots": plots,
    }
    return summary, pareto_aggregated(pr, pareto_ids)
