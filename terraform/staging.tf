# The staging dataset: routes with transform, dedupe or schemaEvolution: rescue load each file
# into a table of its own here (named from the load job id), then a query job writes the
# destination from it and the loader deletes it. Its tables are transient by design, so the
# dataset expires them by default: a crash or a failed query between the load and the delete
# leaves a table that goes away on its own. The runtime's grant on it lives in iam.tf.

locals {
  staging_project = coalesce(var.staging_dataset.project, var.project_id)
  # project.dataset, as the rules file's staging.dataset names it (a prefixed project keeps its
  # prefix: the loader splits on the last dot).
  staging_dataset = "${local.staging_project}.${var.staging_dataset.dataset_id}"

  # BigQuery's location lives in the rules file only (`location`, default US), and every load and
  # query job runs there: the staging dataset must be in that location, or the load into it and
  # the INSERT/MERGE out of it fail. So the module reads it from the rules file when it has the
  # file locally; a rules file in GCS (or one Terraform cannot decode) needs
  # staging_dataset.location.
  rules_local_file = (
    var.rules.upload != null ? var.rules.upload.file :
    var.rules.path_in_source != null ? "${var.source_dir}/${var.rules.path_in_source}" : null
  )
  # JSON (what `bq-autoloader compile` writes) is read as JSON, anything else as YAML, like the
  # loader does (src/config/parse.ts).
  rules_document = try(
    endswith(lower(local.rules_local_file), ".json") ? jsondecode(file(local.rules_local_file)) : yamldecode(file(local.rules_local_file)),
    null,
  )
  # "US" is the loader's default when the file names no location (src/config/schema.ts).
  rules_location = local.rules_document == null ? null : try(tostring(local.rules_document.location), "US")
  staging_location = (
    var.staging_dataset.location != null ? var.staging_dataset.location : local.rules_location
  )
}

resource "google_bigquery_dataset" "staging" {
  count = var.staging_dataset.create ? 1 : 0

  project       = local.staging_project
  dataset_id    = var.staging_dataset.dataset_id
  location      = local.staging_location
  friendly_name = "bq-autoloader staging (${var.name})"
  description   = "Staging tables of ${var.name}: one per load job of a route with transform, dedupe or schema rescue, read by the query job that writes the destination, then deleted. Transient data only: tables expire after ${var.staging_dataset.table_expiration_hours} h, and destroying the dataset deletes them."
  labels        = var.labels
  # No access blocks: they would replace the dataset's whole access list, so the project's
  # default owner/writer/reader entries and the runtime's entry (iam.tf) with it.

  default_table_expiration_ms = var.staging_dataset.table_expiration_hours * 3600 * 1000
  # Only transient copies of landed files live here: destroy must not be blocked by them.
  delete_contents_on_destroy = true

  lifecycle {
    precondition {
      condition     = local.staging_location != null
      error_message = "staging_dataset.location: the module cannot read the rules file's location (rules.gcs_uri, or a file Terraform cannot decode); set it to the rules file's location."
    }
    precondition {
      condition = (
        var.staging_dataset.location == null || local.rules_location == null ||
        lower(coalesce(var.staging_dataset.location, "-")) == lower(coalesce(local.rules_location, "-"))
      )
      error_message = "staging_dataset.location (${coalesce(var.staging_dataset.location, "-")}) differs from the rules file's location (${coalesce(local.rules_location, "-")}), where the load and query jobs run: they cannot use a dataset in another location."
    }
  }

  depends_on = [google_project_service.required]
}

# The staging dataset the loader will use, as it resolves the rules file's staging.dataset
# ([project.]dataset, default bq_autoloader_staging, in the rules' project, else the function's),
# when Terraform can read the rules file. A mismatch is only a warning: the rules file is the
# loader's to validate, and a deployment without staged routes never uses the dataset.
locals {
  rules_staging_name = try(tostring(local.rules_document.staging.dataset), "bq_autoloader_staging")
  rules_staging = local.rules_document == null ? null : (
    strcontains(local.rules_staging_name, ".") ? local.rules_staging_name :
    "${try(tostring(local.rules_document.project), var.project_id)}.${local.rules_staging_name}"
  )
}

check "rules_staging_dataset" {
  assert {
    condition     = local.rules_staging == null || local.rules_staging == local.staging_dataset
    error_message = "The rules file's staging dataset is ${coalesce(local.rules_staging, "-")}, but the module manages ${local.staging_dataset} (and grants the runtime WRITER there only): set the rules file's staging.dataset to the output staging_dataset, or staging_dataset to match."
  }
}
