# The deployed source: the package root zipped without what .gcloudignore leaves out, so
# `terraform apply` and `gcloud functions deploy` ship the same files. The object is named
# by the archive's MD5, so any code change is a new object and a new function revision.

locals {
  gcloudignore_path = "${var.source_dir}/.gcloudignore"
  # The project id as a name part: a prefixed id (s3ns:example-project, example.com:my-project)
  # has a colon no bucket name may hold, and dots would make a domain-named bucket, which needs
  # domain verification (and which Trusted Cloud by S3NS does not offer).
  project_slug = replace(replace(var.project_id, ":", "-"), ".", "-")
}

module "gcloudignore" {
  source       = "./modules/gcloudignore"
  gcloudignore = fileexists(local.gcloudignore_path) ? file(local.gcloudignore_path) : ""
}

data "archive_file" "source" {
  type        = "zip"
  source_dir  = var.source_dir
  output_path = "${path.root}/.terraform/tmp/${var.name}-source.zip"
  # .terraform is always left out: the archive itself is written there, and a root module
  # inside source_dir must not zip its own providers and state.
  excludes = concat(module.gcloudignore.excludes, ["**/.terraform"], var.extra_source_excludes)
}

resource "google_storage_bucket" "source" {
  project = var.project_id
  # Bucket names are global: prefix with the project, and stay within 63 characters.
  name                        = "${substr("${local.project_slug}-${var.name}", 0, 55)}-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = var.labels

  # No age-based lifecycle rule: the deployed archive must outlive any rule, since a later
  # rebuild reads it again. Old archives are small; delete them by hand if they matter.

  depends_on = [google_project_service.required]
}

resource "google_storage_bucket_object" "source" {
  bucket = google_storage_bucket.source.name
  name   = "source/${data.archive_file.source.output_md5}.zip"
  source = data.archive_file.source.output_path
}

# Rules shipped by the module: the rules file and its schema files under one prefix named by
# the hash of all of them, so relative schema paths resolve and a rules change is a new
# AUTOLOADER_CONFIG value, hence a new revision that validates the rules at cold start.
locals {
  rules_upload = var.rules.upload
  rules_files = local.rules_upload == null ? {} : merge(
    { (basename(local.rules_upload.file)) = local.rules_upload.file },
    local.rules_upload.schema_files,
  )
  rules_hash = substr(sha256(join("\n", [
    for rel in sort(keys(local.rules_files)) : "${rel}=${filesha256(local.rules_files[rel])}"
  ])), 0, 16)
  rules_prefix = "rules/${local.rules_hash}"

  config_location = (
    local.rules_upload != null ? "gs://${google_storage_bucket.source.name}/${local.rules_prefix}/${basename(local.rules_upload.file)}" :
    var.rules.gcs_uri != null ? var.rules.gcs_uri :
    var.rules.path_in_source
  )
  # Bucket and object of a rules file the runtime must read from GCS (null when bundled).
  rules_gcs = (
    local.rules_upload != null ? { bucket = google_storage_bucket.source.name, prefix = "${local.rules_prefix}/" } :
    var.rules.gcs_uri != null ? {
      bucket = regex("^gs://([^/]+)/", var.rules.gcs_uri)[0]
      # The rules file's folder: schema files it names by relative path live under it.
      prefix = dirname(regex("^gs://[^/]+/(.+)$", var.rules.gcs_uri)[0]) == "." ? "" : "${dirname(regex("^gs://[^/]+/(.+)$", var.rules.gcs_uri)[0])}/"
    } : null
  )
}

resource "google_storage_bucket_object" "rules" {
  for_each = local.rules_files

  bucket = google_storage_bucket.source.name
  name   = "${local.rules_prefix}/${each.key}"
  source = each.value
}
