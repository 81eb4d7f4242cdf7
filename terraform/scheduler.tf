# Scheduled sweeps: Cloud Scheduler publishes a sweep command to the sweep topic, whose push
# subscription (pubsub.tf) delivers it to the loader. Cloud Scheduler publishes with its own
# service agent, which already holds pubsub.topics.publish: no binding is added.

resource "google_cloud_scheduler_job" "sweep" {
  count = var.sweep.enabled ? 1 : 0

  project     = var.project_id
  region      = var.region
  name        = "${var.name}-sweep"
  description = "Publishes a bq-autoloader sweep command (batch loads and catch-up)."
  schedule    = var.sweep.schedule
  time_zone   = var.sweep.time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.sweep[0].id
    # The sweep command (docs/sweeps.md: The sweep command); routes omitted = every route.
    data = base64encode(jsonencode(merge(
      { kind = "sweep", minAgeSeconds = var.sweep.min_age_seconds, dryRun = false },
      var.sweep.routes == null ? {} : { routes = var.sweep.routes },
    )))
    attributes = { kind = "sweep" }
  }

  depends_on = [google_project_service.required]
}
