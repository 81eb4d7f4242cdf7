# Project-level platform settings: metrics, service agents, the build identity, API enablement
# and labels. Split from variables.tf only to keep each file readable.

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

variable "pubsub_service_agent" {
  description = "Email of the project's Pub/Sub service agent, for platforms that manage service agents themselves; null asks the provider (google_project_service_identity, google-beta), which also creates the agent if it does not exist yet. Never formatted by hand: its domain differs per universe."
  type        = string
  default     = null

  validation {
    condition     = var.pubsub_service_agent == null || can(regex("^[^@:/\\s]+@[a-z0-9.-]+$", var.pubsub_service_agent))
    error_message = "pubsub_service_agent must be the agent's email address (no serviceAccount: prefix), or null."
  }
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
