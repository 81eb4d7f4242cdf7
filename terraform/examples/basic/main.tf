# The smallest useful deployment: one landing bucket with Eventarc finalize events, the
# dataset the rules write to, and this folder's rules file uploaded with its schema file.
# Run from this folder: terraform init && terraform apply -var project_id=my-project

provider "google" {
  project = var.project_id
  region  = var.region
}

module "autoloader" {
  source = "../.."

  project_id = var.project_id
  region     = var.region
  name       = "bq-autoloader"
  source_dir = "${path.module}/../../.."

  rules = {
    upload = {
      file = "${path.module}/autoloader.yaml"
      # Relative path as the rules file names it => local file.
      schema_files = {
        "schemas/sales.json" = "${path.module}/schemas/sales.json"
      }
    }
  }

  landing_buckets = {
    (var.landing_bucket) = {}
  }

  # Every dataset the rules file's destinations name (raw.sales_*, raw.events), and no other.
  destination_datasets = [
    { dataset_id = "raw" },
  ]
}
