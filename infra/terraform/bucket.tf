# The bucket behind the GCS object store: landing/ (raw files, by partition date) and the run
# artifacts. Access is IAM-only (uniform bucket-level access) and never public.
resource "google_storage_bucket" "dag" {
  name                        = var.bucket_name
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  # Ingestion records the generation it processed, so object versioning adds nothing but cost.
  versioning {
    enabled = false
  }

  # Raw files stay for backfills but are rarely read after a month: Nearline is cheaper to keep
  # (its 30-day minimum and per-GB retrieval fee only matter when an old partition is replayed).
  # Never add a Delete action on landing/: a day's delivery is what its folder holds, and a rule
  # deleting by age would remove a day's old objects but keep its younger correction — a partial
  # deletion the pipeline must treat as a withdrawal (README "The current delivery").
  lifecycle_rule {
    condition {
      age                   = var.landing_nearline_after_days
      matches_prefix        = ["${var.object_prefix}landing/"]
      matches_storage_class = ["STANDARD"]
    }
    action {
      type          = "SetStorageClass"
      storage_class = "NEARLINE"
    }
  }

  # Reports, charts, models and MMM outputs of past runs: a year covers year-over-year comparisons.
  lifecycle_rule {
    condition {
      age            = var.artifact_retention_days
      matches_prefix = [for p in var.artifact_prefixes : "${var.object_prefix}${p}"]
    }
    action {
      type = "Delete"
    }
  }
}
