# The smallest useful deployment: one landing bucket with Eventarc finalize events, the
# dataset the rules write to, and this folder's rules uploaded as autoloader.json: compiled
# from autoloader.yaml (schema file included) by
#   npx bq-autoloader compile autoloader.yaml --out autoloader.json
# so the function reads one JSON file at cold start and never loads a YAML parser.
# Run from this folder: terraform init && terraform apply -var project_id=my-project

provider "google" {
  project = var.project_id
  region  = var.region
}

# The module reads the Pub/Sub service agent through google-beta (terraform/versions.tf).
provider "google-beta" {
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
      file = "${path.module}/autoloader.json"
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
