# What the loader receives and where it writes: landing buckets and their delivery, destination
# datasets, Pub/Sub inputs, sweeps, job completions, outcomes and dead letters. Split from
# variables.tf only to keep each file readable; the README Inputs table follows this file order.

variable "landing_buckets" {
  description = <<-EOT
    Landing buckets, keyed by bucket name. For each: delivery = "eventarc" (an Eventarc object-finalized trigger; the trigger location must equal the bucket location, e.g. "eu" for an EU bucket) or "pubsub" (a GCS notification to this module's topic, delivered by a push subscription with dead-lettering; object_prefix narrows it); write_access (default true) lets the loader claim each object generation before its load (a metadata patch with generation preconditions: the check that an event's generation is still the live one, so an old event never loads newer bytes), write sweep and outcome markers and run post-load actions; false on any bucket turns markers off for the whole deployment (AUTOLOADER_MARKERS=off: one request per event, no generation check), for buckets whose objects are never overwritten.
  EOT
  type = map(object({
    delivery         = optional(string, "eventarc")
    trigger_location = optional(string)
    object_prefix    = optional(string)
    write_access     = optional(bool, true)
  }))

  validation {
    condition     = length(var.landing_buckets) > 0
    error_message = "landing_buckets must name at least one bucket."
  }
  validation {
    condition     = alltrue([for name in keys(var.landing_buckets) : can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", name))])
    error_message = "landing_buckets keys must be bucket names (3-63 lowercase letters, digits, dots, hyphens, underscores)."
  }
  validation {
    condition     = alltrue([for b in values(var.landing_buckets) : contains(["eventarc", "pubsub"], b.delivery)])
    error_message = "landing_buckets[*].delivery must be \"eventarc\" or \"pubsub\"."
  }
  validation {
    condition     = alltrue([for b in values(var.landing_buckets) : b.object_prefix == null || b.delivery == "pubsub"])
    error_message = "landing_buckets[*].object_prefix only works with delivery = \"pubsub\" (Eventarc filters storage events by bucket only)."
  }
}

variable "destination_datasets" {
  description = "BigQuery datasets the loader writes to; the runtime service account gets roles/bigquery.dataEditor on each of these only. project defaults to project_id."
  type = list(object({
    dataset_id = string
    project    = optional(string)
  }))

  validation {
    condition     = length(var.destination_datasets) > 0
    error_message = "destination_datasets must name at least one dataset."
  }
  validation {
    # RE2 caps repetition counts at 1000, so the 1,024-character limit is a separate length check.
    condition     = alltrue([for d in var.destination_datasets : can(regex("^[A-Za-z0-9_]+$", d.dataset_id)) && length(d.dataset_id) <= 1024])
    error_message = "destination_datasets[*].dataset_id must be a dataset ID (letters, digits, underscores)."
  }
}

variable "staging_dataset" {
  description = "Dataset of the staging tables: a route with transform, dedupe or schemaEvolution: rescue loads each file into its own table there (named from the load job id), a query job (INSERT...SELECT or MERGE) writes the destination, then the loader deletes the table. The runtime service account gets WRITER on it, whether the module creates it (create = true) or not. project defaults to project_id; location defaults to the rules file's location (read from rules.upload or rules.path_in_source; required with rules.gcs_uri); table_expiration_hours (1-720) is its default table expiration, so tables a crash or a failed query abandons do not linger. The rules file's staging.dataset must name it (output staging_dataset)."
  type = object({
    dataset_id             = optional(string, "bq_autoloader_staging")
    project                = optional(string)
    location               = optional(string)
    table_expiration_hours = optional(number, 24)
    create                 = optional(bool, true)
  })
  default = {}

  validation {
    # As for destination_datasets: RE2 caps repetition counts at 1000, so the 1,024-character
    # limit is a separate length check.
    condition     = can(regex("^[A-Za-z0-9_]+$", var.staging_dataset.dataset_id)) && length(var.staging_dataset.dataset_id) <= 1024
    error_message = "staging_dataset.dataset_id must be a dataset ID (1-1024 letters, digits, underscores)."
  }
  validation {
    # Whole hours: the dataset's default table expiration is set in milliseconds from them; the
    # upper bound keeps an abandoned staging table (a copy of a landed file) from living long.
    condition     = var.staging_dataset.table_expiration_hours >= 1 && var.staging_dataset.table_expiration_hours <= 720 && floor(var.staging_dataset.table_expiration_hours) == var.staging_dataset.table_expiration_hours
    error_message = "staging_dataset.table_expiration_hours must be a whole number between 1 and 720 (30 days)."
  }
  validation {
    condition     = var.staging_dataset.project == null || can(regex("^([a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.staging_dataset.project))
    error_message = "staging_dataset.project must be a project ID (optionally prefixed, as in s3ns:example-project), or null for project_id."
  }
  validation {
    # A multi-region (US, EU) or a region (europe-west1, u-france-east1), as BigQuery names them.
    condition     = var.staging_dataset.location == null || can(regex("^([A-Za-z]+|[a-z]+(-[a-z]+)+[0-9]+)$", var.staging_dataset.location))
    error_message = "staging_dataset.location must be a BigQuery multi-region (US, EU) or region (europe-west1), or null for the rules file's location."
  }
}

variable "archive_buckets" {
  description = "Buckets outside the landing buckets that post-load move actions (onSuccess/onFailure `to: gs://...`) write into; the runtime service account gets roles/storage.objectCreator on each."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for b in var.archive_buckets : can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", b))])
    error_message = "archive_buckets must be bucket names."
  }
}

variable "requests" {
  description = "Topic for load requests and inline data from other systems (off by default: it lets publishers start loads). publishers are IAM members granted roles/pubsub.publisher on that topic only; the rules file's allow.topics must name the topic as well."
  type = object({
    enabled    = optional(bool, false)
    publishers = optional(list(string), [])
  })
  default = {}

  validation {
    condition     = alltrue([for m in var.requests.publishers : can(regex("^(user|serviceAccount|group|domain|principal|principalSet):.+$", m))])
    error_message = "requests.publishers must be IAM members such as serviceAccount:EMAIL or group:EMAIL."
  }
  validation {
    condition     = var.requests.enabled || length(var.requests.publishers) == 0
    error_message = "requests.publishers needs requests.enabled = true."
  }
}

variable "sweep" {
  description = "Cloud Scheduler job that publishes a sweep command ({\"kind\":\"sweep\",...}) on a schedule (cron, 5 fields, in time_zone). routes = null sweeps every route; min_age_seconds is how old an unmarked object must be before catch-up loads it."
  type = object({
    enabled         = optional(bool, false)
    schedule        = optional(string, "*/15 * * * *")
    time_zone       = optional(string, "Etc/UTC")
    routes          = optional(list(string))
    min_age_seconds = optional(number, 300)
  })
  default = {}

  validation {
    condition     = can(regex("^\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+$", trimspace(var.sweep.schedule)))
    error_message = "sweep.schedule must be a 5-field cron expression such as */15 * * * *."
  }
  validation {
    condition     = var.sweep.min_age_seconds >= 0 && var.sweep.min_age_seconds <= 604800
    error_message = "sweep.min_age_seconds must be between 0 and 604800 (7 days)."
  }
  validation {
    condition     = var.sweep.routes == null ? true : alltrue([for r in var.sweep.routes : length(r) > 0])
    error_message = "sweep.routes must not contain empty names."
  }
}

variable "completion_trigger" {
  description = "Eventarc trigger on BigQuery's audit log (google.cloud.audit.log.v1.written) so the function learns each load's outcome. location: where the trigger listens (\"global\" sees every BigQuery location); method_name: the audit entry to match, google.cloud.bigquery.v2.JobService.InsertJob (BigQueryAuditMetadata, also written at job completion) or the legacy jobservice.jobcompleted (AuditData)."
  type = object({
    enabled     = optional(bool, false)
    location    = optional(string, "global")
    method_name = optional(string, "google.cloud.bigquery.v2.JobService.InsertJob")
  })
  default = {}

  validation {
    condition     = contains(["google.cloud.bigquery.v2.JobService.InsertJob", "jobservice.jobcompleted"], var.completion_trigger.method_name)
    error_message = "completion_trigger.method_name must be google.cloud.bigquery.v2.JobService.InsertJob or jobservice.jobcompleted."
  }

  validation {
    condition     = can(regex("^(global|[a-z]+|[a-z]+(-[a-z]+)+[0-9]+)$", var.completion_trigger.location))
    error_message = "completion_trigger.location must be global, a multi-region (us, eu) or a region."
  }
}

variable "notify" {
  description = "Topic that receives one message per finished load (off by default). The runtime service account may publish to it; put its id in the rules file's notifyTopic."
  type = object({
    enabled = optional(bool, false)
  })
  default = {}
}

variable "dead_letter" {
  description = "Dead-lettering of the push subscriptions: max_delivery_attempts (5-100) before a message moves to the dead-letter topic; retention_seconds (600-604800) of the pull subscription that keeps dead letters for inspection; backoff bounds in seconds (0-600)."
  type = object({
    max_delivery_attempts = optional(number, 10)
    retention_seconds     = optional(number, 604800)
    minimum_backoff       = optional(number, 10)
    maximum_backoff       = optional(number, 600)
  })
  default = {}

  validation {
    condition     = var.dead_letter.max_delivery_attempts >= 5 && var.dead_letter.max_delivery_attempts <= 100
    error_message = "dead_letter.max_delivery_attempts must be between 5 and 100 (Pub/Sub's limits)."
  }
  validation {
    condition     = var.dead_letter.retention_seconds >= 600 && var.dead_letter.retention_seconds <= 604800
    error_message = "dead_letter.retention_seconds must be between 600 and 604800."
  }
  validation {
    condition     = var.dead_letter.minimum_backoff >= 0 && var.dead_letter.maximum_backoff <= 600 && var.dead_letter.minimum_backoff <= var.dead_letter.maximum_backoff
    error_message = "dead_letter backoff must satisfy 0 <= minimum_backoff <= maximum_backoff <= 600."
  }
}
