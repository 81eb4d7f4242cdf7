variable "project_id" {
  description = "Project to deploy into (billed for the load jobs)."
  type        = string
}

variable "region" {
  description = "Region of the function; the landing bucket should be in it (Eventarc trigger location)."
  type        = string
  default     = "us-central1"
}

variable "landing_bucket" {
  description = "Existing bucket where files land."
  type        = string
}
