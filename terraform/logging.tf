# Log-based metrics over the loader's structured lines (src/log.ts: one JSON object per line,
# `outcome` one of submitted | duplicate | ignored | refused | retry, plus `route`), so
# Cloud Monitoring can chart loads and alert on refusals and errors without new code.
# No IAM involved: metrics read the project's own logs.

locals {
  loader_logs = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.service_name}\""
}

resource "google_logging_metric" "outcomes" {
  count = var.create_log_metrics ? 1 : 0

  project     = var.project_id
  name        = "${var.name}/outcomes"
  description = "bq-autoloader decisions, by outcome and route."
  filter      = "${local.loader_logs} AND jsonPayload.outcome:*"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key         = "outcome"
      value_type  = "STRING"
      description = "submitted, duplicate, ignored, refused or retry."
    }
    labels {
      key         = "route"
      value_type  = "STRING"
      description = "Route name from the rules file (empty when none matched)."
    }
  }

  label_extractors = {
    outcome = "EXTRACT(jsonPayload.outcome)"
    route   = "EXTRACT(jsonPayload.route)"
  }
}

resource "google_logging_metric" "errors" {
  count = var.create_log_metrics ? 1 : 0

  project     = var.project_id
  name        = "${var.name}/errors"
  description = "bq-autoloader lines at ERROR or above (failed loads, bad rules at cold start)."
  filter      = "${local.loader_logs} AND severity>=ERROR"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}
