#!/usr/bin/env python3
"""Robyn MMM runner: the entrypoint launched as a local process, a Docker container or a Cloud
Run job (contract in adapters/launcher/launcher.ts).

  env DAG_CONFIG_URI  job config JSON (see README.md)      file:///… or gs://…
  env DAG_INPUT_URI   dataset CSV                           file:///… or gs://…
  env DAG_OUTPUT_URI  folder for model_summary.json, pareto_aggregated.csv, plots, progress.ndjson

Exit 0 = success, 2 = bad config or input (retrying cannot help), 1 = Robyn failed.
The last stderr line always says what went wrong."""
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TQDM_DISABLE", "1")  # robynpy progress bars would bury the error in the stderr tail
sys.path.insert(0, str(Path(__file__).resolve().parent))

from job_config import load_dataset, parse_config  # noqa: E402
from job_io import JobInputError, OutputFolder, env_uri, fetch  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="robyn-job-") as scratch:
        return run(Path(scratch))


def run(scratch: Path) -> int:
    started = time.time()
    try:
        config_uri, input_uri, output_uri = (env_uri(n) for n in ("DAG_CONFIG_URI", "DAG_INPUT_URI", "DAG_OUTPUT_URI"))
        out = OutputFolder(output_uri)
        out.progress(0.0, "runner started")
        cfg = parse_config(fetch(config_uri, scratch).read_text(encoding="utf-8"))
        data = load_dataset(fetch(input_uri, scratch), cfg)
    except JobInputError as err:
        print(f"robyn-runner: bad config or input: {err}", file=sys.stderr)
        return 2
    out.progress(0.02, f"config and {len(data)} input rows valid; loading robynpy")
    try:
        import model_summary  # robynpy (and R) load here, after the cheap checks above
        import robyn_fit
        import robyn_plots

        fit = robyn_fit.fit(cfg, data, scratch / "robyn", out.progress)
        chosen = model_summary.choose(model_summary.candidates(fit.robyn.model_outputs, fit.robyn.pareto_result))
        out.progress(0.95, f"chosen model {chosen['solID']}; drawing plots")
        plots = robyn_plots.draw(fit, chosen["solID"], out.path)
        for name in plots:
            out.publish(name)
        summary, aggregated = model_summary.build_summary(cfg, fit, plots)
        summary["elapsed_seconds"] = round(time.time() - started, 1)
        aggregated.to_csv(out.path / "pareto_aggregated.csv", index=False)
        out.publish("pareto_aggregated.csv")
        out.write_json("model_summary.json", summary)  # written last: its presence means "complete"
        out.progress(1.0, f"done: {len(summary['candidates'])} models, chosen {chosen['solID']}")
        return 0
    except Exception as err:  # robynpy raises plain Exceptions of many kinds
        traceback.print_exc(file=sys.stderr)
        if isinstance(err, ValueError) and "candidates" in str(err):
            print("robyn-runner: hint: raise iterations or set min_candidates lower", file=sys.stderr)
        print(f"robyn-runner: robyn failed: {type(err).__name__}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
