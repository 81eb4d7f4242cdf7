terraform {
  # optional() attribute defaults need 1.3; strcontains() needs 1.5.
  required_version = ">= 1.5.0, < 2.0.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0.0, < 8.0.0"
    }
    # Only for google_project_service_identity (the Pub/Sub service agent), which exists in no
    # GA release. Configure it like google, with the same universe_domain (examples/).
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 6.0.0, < 8.0.0"
    }
    # 2.4 added doublestar globs in archive_file.excludes, which the .gcloudignore mapping uses.
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4.0, < 3.0.0"
    }
  }
}
