# The smallest useful deployment: one landing bucket with Eventarc finalize events, one
# destination dataset, the repository's example rules uploaded with their schema file.
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
      file = "${path.module}/../../../examples/autoloader.yaml"
      schema_files = {
        "schemas/sales.json" = "${path.module}/../../../examples/schemas/sales.json"
      }
    }
  }

  landing_buckets = {
    (var.landing_bucket) = {}
  }

  destination_datasets = [
    { dataset_id = var.dataset_id },
  ]
}
