# The Robyn runner as a Cloud Run job. The launcher executes it once per RobynMmm run and sets
# the runner contract (adapters/launcher/launcher.ts, infra/robyn/README.md) as env overrides:
#   DAG_CONFIG_URI  gs://<bucket>/<prefix>…/job_config.json
#   DAG_INPUT_URI   gs://<bucket>/<prefix>…/dataset.csv
#   DAG_OUTPUT_URI  gs://<bucket>/<prefix>…/output/   (model_summary.json, CSVs, plots, progress.ndjson)
# Exit 0 = success; anything else = failure. The job itself sets none of them, so an execution
# without overrides fails at once with "environment variable DAG_CONFIG_URI is required".
resource "google_cloud_run_v2_job" "robyn" {
  name                = var.job_name
  location            = var.region
  deletion_protection = false

  template {
    task_count  = 1
    parallelism = 1

    template {
      service_account = google_service_account.runner.email
      timeout         = "${var.runner_timeout_seconds}s"
      # Retries are the workflow's decision (a bad config exits 2 and must not be re-run).
      max_retries = 0

      containers {
        image = var.runner_image
        resources {
          limits = {
            cpu    = var.runner_cpu
            memory = var.runner_memory
          }
        }
      }
    }
  }
}
