# Inputs of the bq-autoloader module. Every enumerated or ranged input has a validation
# block, so a mistake fails at `terraform plan`, not half way through an apply.

variable "project_id" {
  description = "Project that hosts the function, its topics and service accounts, and is billed for the load jobs (roles/bigquery.jobUser is granted here)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project ID (6-30 lowercase letters, digits and hyphens), not a project number or name."
  }
}

variable "region" {
  description = "Region of the function, its Cloud Run service, the source bucket, the Pub/Sub push subscriptions and the Cloud Scheduler job (e.g. europe-west1)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Cloud Run region such as europe-west1 or us-central1 (multi-regions like EU are not regions)."
  }
}

variable "name" {
  description = "Base name of the function and of every resource the module creates (service accounts get -run and -trg suffixes, so at most 26 characters)."
  type        = string
  default     = "bq-autoloader"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,24}[a-z0-9]$", var.name))
    error_message = "name must be 6-26 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "source_dir" {
  description = "Path of the package root to deploy (the folder with package.json, package-lock.json, build.mjs, tsconfig.json and src/). Its .gcloudignore, when present, decides what the archive leaves out; Cloud Build runs `gcp-build` (the esbuild bundle) on upload."
  type        = string
}

variable "extra_source_excludes" {
  description = "Additional doublestar globs (relative to source_dir) to leave out of the source archive, on top of those derived from .gcloudignore."
  type        = list(string)
  default     = []
}

variable "rules" {
  description = <<-EOT
    Where the rules file comes from; set exactly one of:
    - upload: a local rules file (and the schema files it references, by their relative path) that the module uploads under a content-hashed prefix of the source bucket, so a rules change rolls out a new revision; best the JSON from `bq-autoloader compile`, self-contained and read without a YAML parser;
    - gcs_uri: an existing gs://BUCKET/OBJECT (the runtime service account gets read access to that object only, through an IAM condition: the bucket must use uniform bucket-level access);
    - path_in_source: a path inside the deployed source (e.g. ./autoloader.json; make sure .gcloudignore keeps it).
  EOT
  type = object({
    upload = optional(object({
      file = string
      # Relative path as written in the rules file (e.g. schemas/sales.json) => local path.
      schema_files = optional(map(string), {})
    }))
    gcs_uri        = optional(string)
    path_in_source = optional(string)
  })

  validation {
    condition     = length([for v in [var.rules.upload, var.rules.gcs_uri, var.rules.path_in_source] : v if v != null]) == 1
    error_message = "Set exactly one of rules.upload, rules.gcs_uri and rules.path_in_source."
  }
  validation {
    condition     = var.rules.gcs_uri == null || can(regex("^gs://[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]/.+$", var.rules.gcs_uri))
    error_message = "rules.gcs_uri must look like gs://BUCKET/OBJECT."
  }
  validation {
    condition     = var.rules.upload == null || can(regex("\\.(ya?ml|json)$", var.rules.upload.file))
    error_message = "rules.upload.file must be a .yaml, .yml or .json file."
  }
}

variable "function" {
  description = "Sizing of the function: memory_mib (MiB), cpu (vCPUs, as Cloud Run accepts them), timeout_seconds (per event; also the push subscriptions' ack deadline), min/max_instances, concurrency (requests per instance; above 1 needs cpu >= 1), ingress, runtime."
  type = object({
    memory_mib      = optional(number, 512)
    cpu             = optional(string, "1")
    timeout_seconds = optional(number, 300)
    min_instances   = optional(number, 0)
    max_instances   = optional(number, 10)
    concurrency     = optional(number, 8)
    ingress         = optional(string, "ALLOW_INTERNAL_ONLY")
    runtime         = optional(string, "nodejs22")
  })
  default = {}

  validation {
    condition     = var.function.memory_mib >= 256 && var.function.memory_mib <= 32768
    error_message = "function.memory_mib must be between 256 and 32768 (MiB)."
  }
  validation {
    # Cloud Run's memory/CPU pairing: above 4 GiB needs 2 vCPUs, above 8 GiB 4, above 16 GiB 6,
    # and fractional CPU allows at most 512 MiB.
    condition = tonumber(var.function.cpu) >= (
      var.function.memory_mib > 16384 ? 6 : var.function.memory_mib > 8192 ? 4 : var.function.memory_mib > 4096 ? 2 : var.function.memory_mib > 512 ? 1 : 0
    )
    error_message = "function.memory_mib needs more function.cpu: above 512 MiB 1, above 4 GiB 2, above 8 GiB 4, above 16 GiB 6 vCPUs."
  }
  validation {
    condition     = contains(["0.583", "1", "2", "4", "6", "8"], var.function.cpu)
    error_message = "function.cpu must be one of 0.583, 1, 2, 4, 6, 8."
  }
  validation {
    # 540 s is the event-driven function limit; Pub/Sub push ack deadlines stop at 600 s.
    condition     = var.function.timeout_seconds >= 10 && var.function.timeout_seconds <= 540 && floor(var.function.timeout_seconds) == var.function.timeout_seconds
    error_message = "function.timeout_seconds must be a whole number between 10 and 540."
  }
  validation {
    condition     = var.function.min_instances >= 0 && var.function.max_instances >= 1 && var.function.max_instances <= 1000 && var.function.min_instances <= var.function.max_instances
    error_message = "function instances must satisfy 0 <= min_instances <= max_instances <= 1000 and max_instances >= 1."
  }
  validation {
    condition     = var.function.concurrency >= 1 && var.function.concurrency <= 1000 && (var.function.concurrency == 1 || tonumber(var.function.cpu) >= 1)
    error_message = "function.concurrency must be 1-1000, and above 1 only with cpu >= 1."
  }
  validation {
    condition     = contains(["ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB", "ALLOW_ALL"], var.function.ingress)
    error_message = "function.ingress must be ALLOW_INTERNAL_ONLY, ALLOW_INTERNAL_AND_GCLB or ALLOW_ALL."
  }
  validation {
    condition     = contains(["nodejs22", "nodejs24"], var.function.runtime)
    error_message = "function.runtime must be nodejs22 or nodejs24 (the code is built for Node 22+)."
  }
}

variable "environment_variables" {
  description = "Extra environment variables for the function. AUTOLOADER_CONFIG, AUTOLOADER_SCOPES and AUTOLOADER_MARKERS are set by the module and cannot be overridden here."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setintersection(keys(var.environment_variables), ["AUTOLOADER_CONFIG", "AUTOLOADER_SCOPES", "AUTOLOADER_MARKERS", "GOOGLE_CLOUD_PROJECT"])) == 0
    error_message = "environment_variables must not set AUTOLOADER_CONFIG, AUTOLOADER_SCOPES, AUTOLOADER_MARKERS or GOOGLE_CLOUD_PROJECT: the module and the platform manage them."
  }
}

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
    error_message = "requests.publishers must be IAM members such as serviceAccount:app@p.iam.gserviceaccount.com."
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
    condition     = can(regex("^(global|[a-z]+|[a-z]+-[a-z]+[0-9]+)$", var.completion_trigger.location))
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

variable "create_log_metrics" {
  description = "Create log-based metrics over the loader's structured log lines: outcomes by outcome and route, and lines at ERROR or above."
  type        = bool
  default     = true
}

variable "grant_token_creator_to_pubsub_agent" {
  description = "Grant the Pub/Sub service agent roles/iam.serviceAccountTokenCreator on the trigger service account (only that account). Needed only in projects created before 2021-04-08 for authenticated push."
  type        = bool
  default     = false
}

variable "build_service_account" {
  description = "Full resource name (projects/P/serviceAccounts/EMAIL) of the service account Cloud Build uses to build the function; null uses the platform default."
  type        = string
  default     = null

  validation {
    condition     = var.build_service_account == null || can(regex("^projects/[^/]+/serviceAccounts/[^/]+@[^/]+$", var.build_service_account))
    error_message = "build_service_account must be projects/PROJECT/serviceAccounts/EMAIL."
  }
}

variable "enable_apis" {
  description = "Enable the APIs the module needs (left enabled on destroy). Set false when a platform team manages project services."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels for the function, buckets, topics and subscriptions."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for k, v in var.labels :
      can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))
    ])
    error_message = "labels: keys start with a lowercase letter; keys and values are at most 63 lowercase letters, digits, _ or -."
  }
}
