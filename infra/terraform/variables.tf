variable "project_id" {
  description = "GCP project that holds the bucket, the Cloud Run job and the service accounts."
  type        = string
}

variable "region" {
  description = "Region of the bucket and the Cloud Run job (keep them together: no egress between them)."
  type        = string
  default     = "europe-west1"
}

variable "bucket_name" {
  description = "Globally unique bucket name; the worker's DAG_GCS_BUCKET."
  type        = string
}

variable "object_prefix" {
  description = "The worker's DAG_GCS_PREFIX (\"\" or ending in \"/\"); lifecycle rules apply under it."
  type        = string
  default     = ""
  validation {
    condition     = var.object_prefix == "" || endswith(var.object_prefix, "/")
    error_message = "object_prefix must be empty or end with \"/\"."
  }
}

variable "landing_nearline_after_days" {
  description = "Raw files under landing/ move to Nearline this many days after upload (backfills still read them, rarely)."
  type        = number
  default     = 30
}

variable "artifact_prefixes" {
  description = "Key prefixes of run artifacts (reports, charts, model files, MMM snapshots and outputs)."
  type        = list(string)
  default     = ["runs/", "mmm/", "reports/"]
}

variable "artifact_retention_days" {
  description = "Run artifacts are deleted this many days after they were written."
  type        = number
  default     = 365
}

variable "runner_image" {
  description = "Robyn runner image (built from infra/robyn/Dockerfile), e.g. europe-west1-docker.pkg.dev/p/repo/robyn-runner:1.2.0."
  type        = string
}

variable "job_name" {
  description = "Cloud Run job name."
  type        = string
  default     = "robyn-runner"
}

variable "runner_timeout_seconds" {
  description = "Longest one Robyn fit may run before Cloud Run stops it."
  type        = number
  default     = 7200
}

variable "runner_cpu" {
  type    = string
  default = "4"
}

variable "runner_memory" {
  type    = string
  default = "8Gi"
}
