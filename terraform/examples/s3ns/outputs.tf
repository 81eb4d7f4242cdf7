output "function_uri" {
  description = "URL of the deployed function."
  value       = module.autoloader.function_uri
}

output "runtime_service_account_email" {
  description = "Identity of the function."
  value       = module.autoloader.runtime_service_account_email
}
