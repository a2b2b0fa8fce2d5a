"""PNG plots from robynpy's own visualizers, for the chosen model (robynpy's plot_all draws
only the first Pareto solution). A plot robynpy fails to draw is reported, never fatal: the
model and its numbers stand without it."""
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display in a container; robynpy would otherwise try to show figures
import matplotlib.pyplot as plt  # noqa: E402
from robyn.visualization.base_visualizer import BaseVisualizer  # noqa: E402
from robyn.visualization.pareto_visualizer import ParetoVisualizer  # noqa: E402


def draw(fit, sol_id: str, folder: Path) -> list[str]:
    r = fit.robyn
    viz = ParetoVisualizer(
        pareto_result=r.pareto_result, mmm_data=r.mmm_data, holiday_data=r.holidays_data,
        hyperparameter=r.hyperparameters, featurized_mmm_data=r.featurized_mmm_data,
        unfiltered_pareto_result=r.pareto_result, model_outputs=r.model_outputs,
    )
    makers = {
        f"waterfall_{sol_id}": lambda: viz.generate_waterfall(sol_id),
        f"fitted_vs_actual_{sol_id}": lambda: viz.generate_fitted_vs_actual(sol_id),
        f"diagnostic_{sol_id}": lambda: viz.generate_diagnostic_plot(sol_id),
        f"immediate_vs_carryover_{sol_id}": lambda: viz.generate_immediate_vs_carryover(sol_id),
        f"adstock_rate_{sol_id}": lambda: viz.generate_adstock_rate(sol_id),
        "pareto_front": lambda: viz.create_pareto_front_plot(is_calibrated=False),
    }
    written = []
    for name, make in makers.items():
        try:
            figure = make()
            if figure is None:
                continue
            BaseVisualizer.export_plots_fig(folder, {name: figure}, dpi=100)
            if (folder / f"{name}.png").is_file():
                written.append(f"{name}.png")
        except Exception as err:  # robynpy is a beta port; one broken plot must not sink the run
            print(f"robyn-runner: warning: plot {name} failed: {err}", file=sys.stderr)
        finally:
            plt.close("all")
    return written
