variable "project_id" {
  description = "Project to deploy into, with its universe prefix (s3ns:example-project); billed for the load jobs."
  type        = string

  validation {
    # Every S3NS project id carries the prefix; without it the API would look for a project of
    # another universe.
    condition     = startswith(var.project_id, "s3ns:")
    error_message = "project_id must carry the universe prefix, as in s3ns:example-project."
  }
}

variable "region" {
  description = "Region of the function; the landing bucket should be in it (Eventarc trigger location). u-france-east1 is the one region of Trusted Cloud by S3NS."
  type        = string
  default     = "u-france-east1"
}

variable "universe_domain" {
  description = "Universe of the providers and the function: s3nsapis.fr for Trusted Cloud by S3NS."
  type        = string
  default     = "s3nsapis.fr"
}

variable "landing_bucket" {
  description = "Existing bucket where files land (in the region)."
  type        = string
}
