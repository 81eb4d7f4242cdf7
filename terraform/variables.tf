# Inputs of the bq-autoloader module: where and how it is deployed (this file), what the loader
# receives (variables_inputs.tf) and project-level platform settings (variables_platform.tf).
# Every enumerated or ranged input has a validation block, so a mistake fails at
# `terraform plan`, not half way through an apply.

variable "project_id" {
  description = "Project that hosts the function, its topics and service accounts, and is billed for the load jobs (roles/bigquery.jobUser is granted here). Prefixed ids are project ids too: a universe prefix (s3ns:example-project in Trusted Cloud by S3NS) or a domain (example.com:my-project)."
  type        = string

  validation {
    # The optional PREFIX: is part of the id in every API call; the module never puts it in a
    # name (bucket names, account ids and labels cannot hold a colon; see local.project_slug).
    condition     = can(regex("^([a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project ID (6-30 lowercase letters, digits and hyphens, optionally after a universe or domain prefix and a colon, as in s3ns:example-project), not a project number or name."
  }
}

variable "region" {
  description = "Region of the function, its Cloud Run service, the source bucket, the Pub/Sub push subscriptions and the Cloud Scheduler job (e.g. europe-west1)."
  type        = string

  validation {
    # Region names have two or more words before the number: europe-west1, u-france-east1
    # (the region of Trusted Cloud by S3NS).
    condition     = can(regex("^[a-z]+(-[a-z]+)+[0-9]+$", var.region))
    error_message = "region must be a Cloud Run region such as europe-west1, us-central1 or u-france-east1 (multi-regions like EU are not regions)."
  }
}

variable "universe_domain" {
  description = "Universe the function calls, as a domain: googleapis.com (Google Cloud) or, for example, s3nsapis.fr (Trusted Cloud by S3NS). Set as GOOGLE_CLOUD_UNIVERSE_DOMAIN on the function; configure the same value as universe_domain on the google and google-beta providers of the root module (examples/s3ns)."
  type        = string
  default     = "googleapis.com"

  validation {
    # A bare domain, never an endpoint URL: the function derives every endpoint from it
    # (bigquery.s3nsapis.fr, storage.s3nsapis.fr...), so a scheme, port or path would break all.
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.universe_domain))
    error_message = "universe_domain must be a lowercase domain name such as googleapis.com or s3nsapis.fr, without scheme or path."
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
  description = "Extra environment variables for the function. AUTOLOADER_CONFIG, AUTOLOADER_SCOPES, AUTOLOADER_MARKERS and GOOGLE_CLOUD_UNIVERSE_DOMAIN are set by the module and cannot be overridden here."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setintersection(keys(var.environment_variables), ["AUTOLOADER_CONFIG", "AUTOLOADER_SCOPES", "AUTOLOADER_MARKERS", "GOOGLE_CLOUD_UNIVERSE_DOMAIN", "GOOGLE_CLOUD_PROJECT"])) == 0
    error_message = "environment_variables must not set AUTOLOADER_CONFIG, AUTOLOADER_SCOPES, AUTOLOADER_MARKERS, GOOGLE_CLOUD_UNIVERSE_DOMAIN (use universe_domain) or GOOGLE_CLOUD_PROJECT: the module and the platform manage them."
  }
}
