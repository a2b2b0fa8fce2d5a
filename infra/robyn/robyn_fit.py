"""Runs real Robyn (robynpy, Meta's Python port; each ridge fit calls R's glmnet via rpy2):
inputs → feature engineering (Prophet trend/season) → Nevergrad search over hyperparameters
(iterations × trials) → Pareto fronts on (NRMSE, DECOMP.RSSD)."""
import logging
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

import robyn
import robyn.modeling.ridge.ridge_evaluate_model as ridge_loop
from robyn.modeling.ridge_model_builder import RidgeModelBuilder
from robyn.data.entities.enums import AdstockType
from robyn.data.entities.holidays_data import HolidaysData
from robyn.data.entities.hyperparameters import ChannelHyperparameters, Hyperparameters
from robyn.data.entities.mmmdata import MMMData
from robyn.modeling.entities.modelrun_trials_config import TrialsConfig
from robyn.modeling.model_executor import ModelExecutor
from robyn.robyn import Robyn

from job_config import HYPER_SUFFIXES, JobConfig

# robynpy configures the root logger at INFO on import; the runner's stderr should carry warnings
# and errors only, so a failed job's stderr tail stays readable.
logging.getLogger().setLevel(logging.WARNING)

Progress = Callable[[float, str], None]
HOLIDAYS_CSV = Path(robyn.__file__).parent / "tutorials" / "resources" / "dt_prophet_holidays.csv"


@dataclass
class FitResult:
    robyn: Robyn  # holds mmm_data, featurized data, model_outputs and pareto_result
    min_candidates: int


def _count_iterations(report: Callable[[int], None]):
    """A tqdm stand-in for robynpy's per-iteration loop: silent, counts iterations done."""
    base = ridge_loop.tqdm

    class CountingBar(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **{**kwargs, "disable": True})

        def update(self, n=1):
            report(n)
            return super().update(n)

    return CountingBar


def _independent_trials() -> None:
    """One Nevergrad optimizer per trial, as R Robyn builds (robyn_train calls robyn_mmm per trial).

    robynpy 0.3.6 builds one optimizer in RidgeModelBuilder.build_models and hands the same object
    to every trial: trial 2 continues trial 1's search past its budget, so later trials only refine
    the earlier ones and every front-1 model came from the last trial. Here build_models keeps its
    own loop (trial numbers, sol_ids, merging before the Pareto step) but each trial gets a fresh
    optimizer, built with the same arguments after numpy is seeded with that trial's seed
    (robynpy's seed + trial), so trials are independent of each other and still reproducible."""
    if getattr(RidgeModelBuilder, "_dag_independent_trials", False):
        return
    build_optimizer = RidgeModelBuilder.initialize_nevergrad_optimizer
    run_trial = ridge_loop.RidgeModelEvaluator._run_nevergrad_optimization

    def initialize(self, *args, **kwargs):
        optimizer, weights = build_optimizer(self, *args, **kwargs)
        self.ridge_model_evaluator._dag_new_optimizer = lambda: build_optimizer(self, *args, **kwargs)[0]
        return optimizer, weights

    def trial(self, *args, **kwargs):
        factory = getattr(self, "_dag_new_optimizer", None)
        if factory is not None:
            np.random.seed(kwargs["seed"])  # Nevergrad draws the optimizer's random state from here
            random.seed(kwargs["seed"])
            kwargs["optimizer"] = factory()
        return run_trial(self, *args, **kwargs)

    RidgeModelBuilder.initialize_nevergrad_optimizer = initialize
    ridge_loop.RidgeModelEvaluator._run_nevergrad_optimization = trial
    RidgeModelBuilder._dag_independent_trials = True


def fit(cfg: JobConfig, data: pd.DataFrame, workdir: Path, progress: Progress) -> FitResult:
    r = Robyn(working_dir=str(workdir), console_log_level="WARNING", file_log_level="INFO")
    spec = MMMData.MMMDataSpec(
        dep_var=cfg.dep_var, dep_var_type=cfg.dep_var_type, date_var=cfg.date_var,
        paid_media_spends=cfg.paid_media_spends, paid_media_vars=cfg.paid_media_vars,
        context_vars=cfg.context_vars, organic_vars=cfg.organic_vars, factor_vars=cfg.factor_vars,
        window_start=cfg.window_start, window_end=cfg.window_end,
    )
    holidays = HolidaysData(
        dt_holidays=pd.read_csv(HOLIDAYS_CSV), prophet_vars=cfg.prophet_vars,
        prophet_signs=["default"] * len(cfg.prophet_vars), prophet_country=cfg.prophet_country,
    )
    channel_ranges = {
        ch: ChannelHyperparameters(**{s: cfg.hyperparameters[f"{ch}_{s}"] for s in HYPER_SUFFIXES}) for ch in cfg.channels
    }
    hyper = Hyperparameters(
        channel_ranges, adstock=AdstockType.GEOMETRIC,
        lambda_=cfg.hyperparameters["lambda"], train_size=cfg.hyperparameters["train_size"],
    )
    r.initialize(MMMData(data=data, mmmdata_spec=spec), holidays, hyper)
    progress(0.05, "inputs validated by robynpy")
    r.feature_engineering(display_plots=False, export_plots=False)
    progress(0.1, "features built (Prophet decomposition)")

    total = cfg.iterations * cfg.trials
    done = 0

    def on_iterations(n: int) -> None:
        nonlocal done
        done += n
        if done % max(1, total // 50) == 0 or done == total:  # ~50 progress lines per run
            progress(0.1 + 0.75 * done / total, f"model {done}/{total} ({cfg.trials} trials x {cfg.iterations} iterations)")

    ridge_loop.tqdm = _count_iterations(on_iterations)  # robynpy has no progress callback; its loop calls tqdm
    _independent_trials()
    executor = ModelExecutor(
        mmmdata=r.mmm_data, holidays_data=r.holidays_data, hyperparameters=r.hyperparameters,
        calibration_input=None, featurized_mmm_data=r.featurized_mmm_data,
    )
    # Nevergrad draws its optimizer's random state from numpy's global RNG before robynpy seeds
    # it, so without this two runs with the same seed sample different models.
    np.random.seed(cfg.seed)
    random.seed(cfg.seed)
    # Called directly rather than via Robyn.train_models, which does not pass the seed through.
    r.model_outputs = executor.model_run(
        trials_config=TrialsConfig(trials=cfg.trials, iterations=cfg.iterations),
        ts_validation=True, add_penalty_factor=False, seed=[cfg.seed], cores=1,
    )
    progress(0.86, "models trained; computing Pareto fronts")
    # robynpy stops when the chosen fronts hold fewer than min_candidates models, so short runs
    # ask for fewer (Robyn's default of 100 assumes 2000 x 5 models).
    min_candidates = cfg.min_candidates or min(100, max(5, total // 5))
    r.evaluate_models(pareto_config={"pareto_fronts": "auto", "min_candidates": min_candidates}, display_plots=False, export_plots=False)
    progress(0.93, "Pareto fronts computed")
    return FitResult(robyn=r, min_candidates=min_candidates)
