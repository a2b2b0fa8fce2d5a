# Two identities, each with only what its code does:
#   worker  reads/writes/deletes objects in this bucket; executes (with per-run env overrides),
#           follows and cancels the Robyn job. It cannot change IAM, the bucket or other jobs.
#   runner  reads its config/input and writes its outputs in this bucket. Nothing else.
resource "google_service_account" "worker" {
  account_id   = "dag-worker"
  display_name = "marketing-dag Temporal worker"
}

resource "google_service_account" "runner" {
  account_id   = "dag-robyn-runner"
  display_name = "marketing-dag Robyn runner (Cloud Run job)"
}

# objectUser = get/list/create/update/delete objects. objectAdmin would add object IAM policy
# management, which neither identity needs once uniform bucket-level access is on.
resource "google_storage_bucket_iam_member" "worker_objects" {
  bucket = google_storage_bucket.dag.name
  role   = "roles/storage.objectUser"
  member = google_service_account.worker.member
}

resource "google_storage_bucket_iam_member" "runner_objects" {
  bucket = google_storage_bucket.dag.name
  role   = "roles/storage.objectUser"
  member = google_service_account.runner.member
}

# Granted on the job, not the project. run.developer is the documented role for executing a job
# with overrides (the launcher passes DAG_*_URI per execution) and for cancelling executions;
# run.invoker alone can only execute the job as configured.
resource "google_cloud_run_v2_job_iam_member" "worker_runs_robyn" {
  project  = google_cloud_run_v2_job.robyn.project
  location = google_cloud_run_v2_job.robyn.location
  name     = google_cloud_run_v2_job.robyn.name
  role     = "roles/run.developer"
  member   = google_service_account.worker.member
}
