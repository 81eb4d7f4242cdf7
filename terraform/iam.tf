# Identities and every IAM binding of the module. Each role is bound on the narrowest
# resource that carries it; the only project-level bindings are those BigQuery and Eventarc
# cannot take anywhere else (see README "IAM roles and why"). test/terraform checks this file
# against an allowlist.

# Google-managed service agents come from the provider, never from a formatted email: their
# domain depends on the universe (Google Cloud and Trusted Cloud by S3NS differ) and Google
# documents the format as subject to change. docs/sovereign.md has the details.

# Cloud Storage's agent: the storage API returns it (and creates it on first request).
data "google_storage_project_service_account" "gcs_agent" {
  project = var.project_id
}

# Pub/Sub's agent: Service Usage generateServiceIdentity returns it and creates it if missing,
# so the grants below never race its lazy creation. The resource exists only in google-beta.
# Needed only for dead-lettering and the optional token-creator grant; an explicit
# pubsub_service_agent skips the call.
resource "google_project_service_identity" "pubsub" {
  provider = google-beta
  count    = local.needs_pubsub_agent && var.pubsub_service_agent == null ? 1 : 0

  project = var.project_id
  service = "pubsub.googleapis.com"

  depends_on = [google_project_service.required]
}

locals {
  needs_pubsub_agent = local.dead_letter_enabled || var.grant_token_creator_to_pubsub_agent
  pubsub_agent = !local.needs_pubsub_agent ? null : "serviceAccount:${coalesce(
    var.pubsub_service_agent, one(google_project_service_identity.pubsub[*].email),
  )}"
  gcs_agent = "serviceAccount:${data.google_storage_project_service_account.gcs_agent.email_address}"
  runtime   = "serviceAccount:${google_service_account.runtime.email}"
  trigger   = "serviceAccount:${google_service_account.trigger.email}"

  datasets         = { for d in var.destination_datasets : "${coalesce(d.project, var.project_id)}.${d.dataset_id}" => d }
  read_buckets     = toset([for name, b in var.landing_buckets : name if !b.write_access])
  write_buckets    = toset([for name, b in var.landing_buckets : name if b.write_access])
  eventarc_buckets = { for name, b in var.landing_buckets : name => b if b.delivery == "eventarc" }
  uses_eventarc    = length(local.eventarc_buckets) > 0 || var.completion_trigger.enabled
}

# --- Service accounts ----------------------------------------------------------------------

resource "google_service_account" "runtime" {
  project      = var.project_id
  account_id   = "${var.name}-run"
  display_name = "bq-autoloader runtime (${var.name})"
  description  = "Identity of the ${var.name} function: submits load jobs, reads landing objects."
}

resource "google_service_account" "trigger" {
  project      = var.project_id
  account_id   = "${var.name}-trg"
  display_name = "bq-autoloader triggers (${var.name})"
  description  = "Identity Eventarc and Pub/Sub push use to invoke the ${var.name} function; nothing else."
}

# --- Runtime: BigQuery --------------------------------------------------------------------

# jobs.insert creates a job in the billing project: bigquery.jobs.create exists only at
# project level. jobUser grants it without any data access.
resource "google_project_iam_member" "runtime_job_user" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = local.runtime
}

# Table writes (and CREATE_IF_NEEDED) on the destination datasets only. WRITER is the dataset
# role equal to roles/bigquery.dataEditor (the API rewrites one into the other, so naming the
# predefined role would show a diff on every plan). A dataset access entry, not
# google_bigquery_dataset_iam_member: the IAM resources rewrite the dataset's whole access
# list and drop its authorized views, which would break existing datasets.
resource "google_bigquery_dataset_access" "runtime_writer" {
  for_each = local.datasets

  project       = coalesce(each.value.project, var.project_id)
  dataset_id    = each.value.dataset_id
  role          = "WRITER"
  user_by_email = google_service_account.runtime.email
}

# Staging tables of routes with transform, dedupe or schemaEvolution: rescue: the load job
# creates one in the staging dataset, and the loader reads (tables.get) and deletes it. WRITER on
# that dataset only, as a dataset access entry for the reasons above, whether or not the module
# created it. The other calls of a staged load are covered by the grants above: jobs.insert of
# the load and of the query job needs bigquery.jobs.create (runtime_job_user, billing project);
# the query job reads staging with this grant and writes the destination (INSERT or MERGE) with
# runtime_writer.
resource "google_bigquery_dataset_access" "runtime_staging_writer" {
  project = local.staging_project
  # The created dataset's id, so the entry waits for it; the given id when it already exists.
  dataset_id    = var.staging_dataset.create ? google_bigquery_dataset.staging[0].dataset_id : var.staging_dataset.dataset_id
  role          = "WRITER"
  user_by_email = google_service_account.runtime.email

  lifecycle {
    # Two access entries for one grant: destroying either would remove the grant both manage.
    precondition {
      condition     = !contains(keys(local.datasets), local.staging_dataset)
      error_message = "staging_dataset ${local.staging_dataset} is also in destination_datasets: keep it only in staging_dataset (it gets WRITER there)."
    }
  }
}

# --- Runtime: Cloud Storage ---------------------------------------------------------------

# Metadata reads, listings for requests by prefix and sweeps, and the load job reading the
# objects (load jobs read with the caller's identity).
resource "google_storage_bucket_iam_member" "runtime_landing_read" {
  for_each = local.read_buckets

  bucket = each.value
  role   = "roles/storage.objectViewer"
  member = local.runtime
}

# Markers (metadata patches) and post-load delete/move need object update/create/delete.
# objectUser has them without any IAM or bucket-configuration permission.
resource "google_storage_bucket_iam_member" "runtime_landing_write" {
  for_each = local.write_buckets

  bucket = each.value
  role   = "roles/storage.objectUser"
  member = local.runtime
}

# Moves to another bucket only create objects there.
resource "google_storage_bucket_iam_member" "runtime_archive_create" {
  for_each = toset(var.archive_buckets)

  bucket = each.value
  role   = "roles/storage.objectCreator"
  member = local.runtime
}

# The rules file (and its schema files) when read from GCS: that folder only, through an
# IAM condition, so the source archives and anything else in the bucket stay unreadable.
resource "google_storage_bucket_iam_member" "runtime_rules_read" {
  count = local.rules_gcs == null ? 0 : 1

  bucket = local.rules_gcs.bucket
  role   = "roles/storage.objectViewer"
  member = local.runtime

  condition {
    title       = "bq-autoloader-rules-only"
    description = "Only the rules file folder of ${var.name}."
    expression  = "resource.name.startsWith(\"projects/_/buckets/${local.rules_gcs.bucket}/objects/${local.rules_gcs.prefix}\")"
  }
}

# --- Runtime: Pub/Sub (publishing refused requests and outcomes) --------------------------

resource "google_pubsub_topic_iam_member" "runtime_dead_letter_publisher" {
  count = var.requests.enabled ? 1 : 0

  project = var.project_id
  topic   = google_pubsub_topic.dead_letter[0].name
  role    = "roles/pubsub.publisher"
  member  = local.runtime
}

# Big load requests are fanned out: their chunks are published back to the requests topic.
resource "google_pubsub_topic_iam_member" "runtime_requests_publisher" {
  count = var.requests.enabled ? 1 : 0

  project = var.project_id
  topic   = google_pubsub_topic.requests[0].name
  role    = "roles/pubsub.publisher"
  member  = local.runtime
}

resource "google_pubsub_topic_iam_member" "runtime_notify_publisher" {
  count = var.notify.enabled ? 1 : 0

  project = var.project_id
  topic   = google_pubsub_topic.notify[0].name
  role    = "roles/pubsub.publisher"
  member  = local.runtime
}

# --- Trigger identity ----------------------------------------------------------------------

# Eventarc and authenticated Pub/Sub push call the function's Cloud Run service: invoke
# that service only.
resource "google_cloud_run_v2_service_iam_member" "trigger_invoker" {
  project  = var.project_id
  location = var.region
  name     = local.service_name
  role     = "roles/run.invoker"
  member   = local.trigger
}

# Eventarc requires its trigger identity to hold eventarc.events.receiveEvent, which is
# only grantable on the project (https://cloud.google.com/eventarc/docs/roles-permissions).
resource "google_project_iam_member" "trigger_event_receiver" {
  count = local.uses_eventarc ? 1 : 0

  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = local.trigger
}

# --- Service agents ------------------------------------------------------------------------

# Eventarc's Cloud Storage triggers publish through a topic Eventarc creates and names
# itself, so the GCS service agent must be able to publish project-wide
# (https://cloud.google.com/eventarc/docs/run/create-trigger-storage-gcloud). Buckets
# delivered with delivery = "pubsub" avoid this: see gcs_agent_notification_publisher.
resource "google_project_iam_member" "gcs_agent_eventarc_publisher" {
  count = length(local.eventarc_buckets) > 0 ? 1 : 0

  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = local.gcs_agent
}

resource "google_pubsub_topic_iam_member" "gcs_agent_notification_publisher" {
  count = local.notification_enabled ? 1 : 0

  project = var.project_id
  topic   = google_pubsub_topic.gcs_notifications[0].name
  role    = "roles/pubsub.publisher"
  member  = local.gcs_agent
}

# Dead-lettering: Pub/Sub's own agent forwards undeliverable messages, so it must publish
# to the dead-letter topic and acknowledge on the source subscriptions
# (https://cloud.google.com/pubsub/docs/handling-failures#grant_forwarding_permissions).
resource "google_pubsub_topic_iam_member" "pubsub_agent_dead_letter_publisher" {
  count = local.dead_letter_enabled ? 1 : 0

  project = var.project_id
  topic   = google_pubsub_topic.dead_letter[0].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "pubsub_agent_subscriber" {
  for_each = local.push_sources

  project      = var.project_id
  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# Authenticated push in projects created before 2021-04-08: the agent mints OIDC tokens for
# the trigger identity, and only for it.
resource "google_service_account_iam_member" "pubsub_agent_token_creator" {
  count = var.grant_token_creator_to_pubsub_agent ? 1 : 0

  service_account_id = google_service_account.trigger.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# Publishers of load requests and inline data: the requests topic only.
resource "google_pubsub_topic_iam_member" "request_publishers" {
  for_each = toset(var.requests.publishers)

  project = var.project_id
  topic   = google_pubsub_topic.requests[0].name
  role    = "roles/pubsub.publisher"
  member  = each.value
}
