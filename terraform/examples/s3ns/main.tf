# The basic deployment in Trusted Cloud by S3NS (universe s3nsapis.fr): one landing bucket with
# Eventarc finalize events, the dataset the rules write to, and autoloader.json (compiled from
# autoloader.yaml, which names the universe). What differs from
# examples/basic is only what the universe needs: the universe on both providers and on the
# module, a prefixed project id and the universe's region.
# Run from this folder, with gcloud and ADC set up for the universe (GOOGLE_CLOUD_UNIVERSE_DOMAIN):
#   terraform init && terraform apply -var project_id=s3ns:example-project -var landing_bucket=BUCKET
# Check first that every service in docs/sovereign.md is available to your project:
# the S3NS documentation does not establish all of them (Eventarc, Cloud Build...).

# Both providers talk to the universe's endpoints (https://SERVICE.s3nsapis.fr) and compare
# this value with the universe of the credentials, refusing to run when they disagree.
provider "google" {
  project         = var.project_id
  region          = var.region
  universe_domain = var.universe_domain
}

# The module reads the Pub/Sub service agent through google-beta (terraform/versions.tf).
provider "google-beta" {
  project         = var.project_id
  region          = var.region
  universe_domain = var.universe_domain
}

module "autoloader" {
  source = "../.."

  project_id      = var.project_id
  region          = var.region
  universe_domain = var.universe_domain
  name            = "bq-autoloader"
  source_dir      = "${path.module}/../../.."

  rules = {
    upload = {
      file = "${path.module}/autoloader.json"
    }
  }

  # Eventarc delivery only. Pub/Sub inputs (delivery = "pubsub", requests, sweep) use
  # authenticated push subscriptions with dead-lettering, which the S3NS Pub/Sub documentation
  # lists as unavailable (docs/sovereign.md).
  landing_buckets = {
    (var.landing_bucket) = {}
  }

  # Every dataset the rules file's destinations name (raw.sales_*, raw.events), and no other.
  destination_datasets = [
    { dataset_id = "raw" },
  ]
}
