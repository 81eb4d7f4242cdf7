# The loader: one Cloud Run function (gen2) serving every input. It has no built-in
# event_trigger on purpose: a gen2 function holds only one, and the loader takes several
# (per-bucket finalize events, requests, sweeps, job completions). Triggers.tf and
# pubsub.tf attach each input to this one service instead. The Functions Framework still
# serves CloudEvents because index.ts registers `autoload` with functions.cloudEvent(),
# which takes precedence over the signature type the platform infers.

locals {
  storage_write = anytrue([for b in values(var.landing_buckets) : b.write_access]) || length(var.archive_buckets) > 0
  # The claim before each insert needs write access to every landing bucket's metadata.
  markers   = alltrue([for b in values(var.landing_buckets) : b.write_access]) ? "on" : "off"
  publishes = var.requests.enabled || var.notify.enabled

  # Token scopes of the runtime identity (read by src/gcp/token.ts). IAM still decides what the
  # account may do; scopes only stop a read-only deployment from writing by accident. Scope
  # names are identifiers, not endpoints: they are the same in every universe (Trusted Cloud
  # by S3NS: "OAuth scope names are consistent", docs/sovereign.md), so they stay.
  scopes = concat(
    ["https://www.googleapis.com/auth/bigquery"],
    [local.storage_write ? "https://www.googleapis.com/auth/devstorage.read_write" : "https://www.googleapis.com/auth/devstorage.read_only"],
    local.publishes ? ["https://www.googleapis.com/auth/pubsub"] : [],
  )
}

resource "google_cloudfunctions2_function" "loader" {
  project     = var.project_id
  location    = var.region
  name        = var.name
  description = "bq-autoloader: Cloud Storage objects and Pub/Sub messages to BigQuery load jobs, exactly once."
  labels      = var.labels

  build_config {
    runtime         = var.function.runtime
    entry_point     = "autoload"
    service_account = var.build_service_account
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory                 = "${var.function.memory_mib}Mi"
    available_cpu                    = var.function.cpu
    timeout_seconds                  = var.function.timeout_seconds
    min_instance_count               = var.function.min_instances
    max_instance_count               = var.function.max_instances
    max_instance_request_concurrency = var.function.concurrency
    ingress_settings                 = var.function.ingress
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.runtime.email

    # GOOGLE_CLOUD_UNIVERSE_DOMAIN: the universe every endpoint is derived from (the function
    # also reads the metadata server's and refuses to start when the two disagree).
    environment_variables = merge(var.environment_variables, {
      AUTOLOADER_CONFIG            = local.config_location
      AUTOLOADER_SCOPES            = join(",", local.scopes)
      AUTOLOADER_MARKERS           = local.markers
      GOOGLE_CLOUD_UNIVERSE_DOMAIN = var.universe_domain
    })
  }

  depends_on = [
    google_project_service.required,
    google_storage_bucket_object.rules,
    google_project_iam_member.runtime_job_user,
  ]
}

locals {
  # service_config.service is the Cloud Run service's resource name; Eventarc wants its name.
  service_name = reverse(split("/", google_cloudfunctions2_function.loader.service_config[0].service))[0]
  service_uri  = google_cloudfunctions2_function.loader.service_config[0].uri
}
