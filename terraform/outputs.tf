output "function_name" {
  description = "Name of the Cloud Run function."
  value       = google_cloudfunctions2_function.loader.name
}

output "function_uri" {
  description = "HTTPS URL of the function's Cloud Run service (authenticated; internal ingress by default)."
  value       = local.service_uri
}

output "config_location" {
  description = "AUTOLOADER_CONFIG as deployed: where the function reads its rules."
  value       = local.config_location
}

output "runtime_service_account_email" {
  description = "Identity of the function (load jobs, object reads, publishing)."
  value       = google_service_account.runtime.email
}

output "trigger_service_account_email" {
  description = "Identity Eventarc and Pub/Sub push use to invoke the function."
  value       = google_service_account.trigger.email
}

output "source_bucket" {
  description = "Bucket holding the source archives (and uploaded rules)."
  value       = google_storage_bucket.source.name
}

output "source_object" {
  description = "Object name of the deployed source archive (named by its MD5)."
  value       = google_storage_bucket_object.source.name
}

output "requests_topic_id" {
  description = "Topic for load requests and inline data (projects/P/topics/T), or null. Put it in the rules file's allow.topics."
  value       = var.requests.enabled ? google_pubsub_topic.requests[0].id : null
}

output "sweep_topic_id" {
  description = "Topic Cloud Scheduler publishes sweep commands to, or null."
  value       = var.sweep.enabled ? google_pubsub_topic.sweep[0].id : null
}

output "notify_topic_id" {
  description = "Topic receiving one message per finished load, or null. Put it in the rules file's notifyTopic."
  value       = var.notify.enabled ? google_pubsub_topic.notify[0].id : null
}

output "dead_letter_topic_id" {
  description = "Dead-letter topic, or null when no Pub/Sub input is enabled. Put it in the rules file's deadLetterTopic."
  value       = local.dead_letter_enabled ? google_pubsub_topic.dead_letter[0].id : null
}

output "dead_letter_subscription_id" {
  description = "Pull subscription keeping dead letters for inspection, or null."
  value       = local.dead_letter_enabled ? google_pubsub_subscription.dead_letter[0].id : null
}

output "gcs_notification_topic_id" {
  description = "Topic receiving GCS notifications of buckets with delivery = \"pubsub\", or null."
  value       = local.notification_enabled ? google_pubsub_topic.gcs_notifications[0].id : null
}

output "eventarc_trigger_ids" {
  description = "Eventarc trigger ids: landing bucket name => trigger, plus job_completed when enabled."
  value = merge(
    { for name, t in google_eventarc_trigger.object_finalized : name => t.id },
    var.completion_trigger.enabled ? { job_completed = google_eventarc_trigger.job_completed[0].id } : {},
  )
}

output "log_metric_names" {
  description = "Log-based metric names (outcomes, errors), or an empty list when create_log_metrics is false."
  value       = [for m in concat(google_logging_metric.outcomes, google_logging_metric.errors) : m.name]
}

output "staging_dataset" {
  description = "Staging dataset as project.dataset (created by the module or not; the runtime may write it). The rules file's staging.dataset must name it, or leave the default when that is the same dataset."
  value       = local.staging_dataset
}
