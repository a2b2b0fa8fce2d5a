output "bucket" {
  description = "DAG_GCS_BUCKET for the worker."
  value       = google_storage_bucket.dag.name
}

output "cloud_run_job" {
  description = "Full resource name of the Robyn job, for DAG_CLOUD_RUN_JOB."
  value       = google_cloud_run_v2_job.robyn.id
}

output "worker_service_account" {
  description = "Run the worker as this identity (workload identity or attached service account; no keys)."
  value       = google_service_account.worker.email
}

output "runner_service_account" {
  value = google_service_account.runner.email
}

output "worker_env" {
  description = "The worker settings this stack implies."
  value = {
    DAG_OBJECT_STORE     = "gcs"
    DAG_GCS_BUCKET       = google_storage_bucket.dag.name
    DAG_GCS_PREFIX       = var.object_prefix
    GOOGLE_CLOUD_PROJECT = var.project_id
    DAG_LAUNCHER         = "cloudrun"
    DAG_ROBYN_IMAGE      = var.runner_image
    DAG_CLOUD_RUN_JOB    = google_cloud_run_v2_job.robyn.id
  }
}
