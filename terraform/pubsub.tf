# Pub/Sub inputs are delivered by push subscriptions this module owns, not by Eventarc:
# only a subscription we own can carry a dead-letter policy and a bounded backoff. Each
# pushes to `<function URL>/projects/P/topics/T`; the Functions Framework turns the push body
# into a messagePublished CloudEvent whose source is that topic (the loader's allow.topics
# check relies on it). Pushes are authenticated with an OIDC token of the trigger identity.

locals {
  notification_buckets = { for name, b in var.landing_buckets : name => b if b.delivery == "pubsub" }
  notification_enabled = length(local.notification_buckets) > 0

  # Inputs delivered by push: name => topic id.
  push_sources = merge(
    var.requests.enabled ? { requests = google_pubsub_topic.requests[0].id } : {},
    var.sweep.enabled ? { sweep = google_pubsub_topic.sweep[0].id } : {},
    local.notification_enabled ? { gcs = google_pubsub_topic.gcs_notifications[0].id } : {},
  )
  dead_letter_enabled = var.requests.enabled || var.sweep.enabled || local.notification_enabled
}

resource "google_pubsub_topic" "requests" {
  count = var.requests.enabled ? 1 : 0

  project = var.project_id
  name    = "${var.name}-requests"
  labels  = var.labels
}

resource "google_pubsub_topic" "sweep" {
  count = var.sweep.enabled ? 1 : 0

  project = var.project_id
  name    = "${var.name}-sweep"
  labels  = var.labels
}

resource "google_pubsub_topic" "gcs_notifications" {
  count = local.notification_enabled ? 1 : 0

  project = var.project_id
  name    = "${var.name}-gcs-notifications"
  labels  = var.labels
}

resource "google_pubsub_topic" "notify" {
  count = var.notify.enabled ? 1 : 0

  project = var.project_id
  name    = "${var.name}-outcomes"
  labels  = var.labels
}

# Receives messages Pub/Sub gave up on (max_delivery_attempts) and, from the loader itself,
# refused requests and inline payloads with the reason as an attribute.
resource "google_pubsub_topic" "dead_letter" {
  count = local.dead_letter_enabled ? 1 : 0

  project = var.project_id
  name    = "${var.name}-dead-letter"
  labels  = var.labels
}

# A topic without a subscription drops what is published to it: keep dead letters.
resource "google_pubsub_subscription" "dead_letter" {
  count = local.dead_letter_enabled ? 1 : 0

  project                    = var.project_id
  name                       = "${var.name}-dead-letter"
  topic                      = google_pubsub_topic.dead_letter[0].id
  message_retention_duration = "${var.dead_letter.retention_seconds}s"
  ack_deadline_seconds       = 60
  labels                     = var.labels

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "push" {
  for_each = local.push_sources

  project = var.project_id
  name    = "${var.name}-${each.key}"
  topic   = each.value
  labels  = var.labels

  # The function's own timeout bounds one delivery.
  ack_deadline_seconds = var.function.timeout_seconds

  push_config {
    push_endpoint = "${local.service_uri}/${each.value}"
    oidc_token {
      service_account_email = google_service_account.trigger.email
      audience              = local.service_uri
    }
  }

  # Retry, on purpose: the loader throws only retryable failures (permanent ones are
  # acknowledged with a logged reason), so redelivery with backoff is what it asks for.
  retry_policy {
    minimum_backoff = "${var.dead_letter.minimum_backoff}s"
    maximum_backoff = "${var.dead_letter.maximum_backoff}s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[0].id
    max_delivery_attempts = var.dead_letter.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [google_cloud_run_v2_service_iam_member.trigger_invoker]
}

# GCS -> Pub/Sub notifications for buckets with delivery = "pubsub" (OBJECT_FINALIZE only,
# JSON_API_V1 payload so the loader need not read the object's metadata again).
resource "google_storage_notification" "finalize" {
  for_each = local.notification_buckets

  bucket             = each.key
  topic              = google_pubsub_topic.gcs_notifications[0].id
  payload_format     = "JSON_API_V1"
  event_types        = ["OBJECT_FINALIZE"]
  object_name_prefix = each.value.object_prefix

  depends_on = [google_pubsub_topic_iam_member.gcs_agent_notification_publisher]
}
