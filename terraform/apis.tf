# APIs the loader needs. Left enabled on destroy: other workloads in the project may use them.
# These are service names, not endpoints: they end in googleapis.com in every universe (Trusted
# Cloud by S3NS calls bigquery.s3nsapis.fr, yet enables bigquery.googleapis.com).
locals {
  required_apis = toset(concat(
    [
      "bigquery.googleapis.com",
      "cloudbuild.googleapis.com",
      "cloudfunctions.googleapis.com",
      "run.googleapis.com",
      "artifactregistry.googleapis.com",
      "storage.googleapis.com",
      "pubsub.googleapis.com",
      "eventarc.googleapis.com",
      "iam.googleapis.com",
    ],
    var.sweep.enabled ? ["cloudscheduler.googleapis.com"] : [],
    var.create_log_metrics ? ["logging.googleapis.com"] : [],
  ))
}

resource "google_project_service" "required" {
  for_each = var.enable_apis ? local.required_apis : toset([])

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
