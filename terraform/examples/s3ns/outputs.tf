output "function_uri" {
  description = "URL of the deployed function."
  value       = module.autoloader.function_uri
}

output "runtime_service_account_email" {
  description = "Identity of the function."
  value       = module.autoloader.runtime_service_account_email
}

output "staging_dataset" {
  description = "Staging dataset (project.dataset) of transform, dedupe and schema-rescue routes: the rules file's staging.dataset."
  value       = module.autoloader.staging_dataset
}
