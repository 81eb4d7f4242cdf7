# Eventarc triggers for what Pub/Sub cannot deliver to us directly: Cloud Storage
# object-finalized events (per bucket) and BigQuery's audit log (job completions).
#
# Retry, on purpose: an Eventarc trigger to Cloud Run redelivers with exponential backoff for
# 24 h unless `retry_policy { max_attempts = 1 }` turns that off, so these triggers carry no
# retry_policy block (the API's only accepted value is 1 = no retries). This is what a gen2
# function's RETRY_POLICY_RETRY sets. The loader throws only retryable failures, so a
# redelivery is always worth it. Eventarc owns the Pub/Sub subscription behind these
# triggers, so no dead-letter policy can be attached to it; the sweep catches what is lost.

resource "google_eventarc_trigger" "object_finalized" {
  for_each = local.eventarc_buckets

  project         = var.project_id
  name            = "${var.name}-obj-${substr(sha1(each.key), 0, 10)}"
  location        = coalesce(each.value.trigger_location, var.region)
  service_account = google_service_account.trigger.email
  labels          = var.labels

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.storage.object.v1.finalized"
  }
  matching_criteria {
    attribute = "bucket"
    value     = each.key
  }

  destination {
    cloud_run_service {
      service = local.service_name
      region  = var.region
    }
  }

  depends_on = [
    google_project_iam_member.trigger_event_receiver,
    google_project_iam_member.gcs_agent_eventarc_publisher,
    google_cloud_run_v2_service_iam_member.trigger_invoker,
  ]
}

# BigQuery writes a Data Access audit entry when a job completes (always on for BigQuery);
# the loader keeps only its own jobs (by label or job id prefix).
resource "google_eventarc_trigger" "job_completed" {
  count = var.completion_trigger.enabled ? 1 : 0

  project         = var.project_id
  name            = "${var.name}-job-completed"
  location        = var.completion_trigger.location
  service_account = google_service_account.trigger.email
  labels          = var.labels

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.audit.log.v1.written"
  }
  # The API service name, which is the same in every universe (only endpoints change).
  matching_criteria {
    attribute = "serviceName"
    value     = "bigquery.googleapis.com"
  }
  matching_criteria {
    attribute = "methodName"
    value     = var.completion_trigger.method_name
  }

  destination {
    cloud_run_service {
      service = local.service_name
      region  = var.region
    }
  }

  depends_on = [
    google_project_iam_member.trigger_event_receiver,
    google_cloud_run_v2_service_iam_member.trigger_invoker,
  ]
}
