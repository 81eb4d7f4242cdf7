# Turns the text of a .gcloudignore file into `excludes` for the archive provider's
# `archive_file`, so the Terraform source archive leaves out exactly what
# `gcloud functions deploy` leaves out. No providers: it can be evaluated offline, which
# is how test/terraform checks it against the repository's .gcloudignore.
#
# gcloudignore uses gitignore syntax (https://cloud.google.com/sdk/gcloud/reference/topic/gcloudignore);
# the archive provider matches doublestar globs against paths relative to source_dir and
# skips a whole directory when its path matches. Mapping:
#   `name` or `*.ext` (no slash)   -> `**/name`  (gitignore matches it at any depth)
#   `dir/` (trailing slash)        -> `**/dir`   (the directory and so everything below)
#   `/name` or `a/b` (has a slash) -> `name`, `a/b` (anchored at the root)
# Negation (`!`) and `#!include:` cannot be expressed as excludes: they are refused.

variable "gcloudignore" {
  description = "Text of a .gcloudignore file (gitignore syntax, without `!` negations or `#!include:` directives)."
  type        = string

  validation {
    condition = alltrue([
      for line in split("\n", var.gcloudignore) :
      !startswith(trimspace(line), "!") && !startswith(trimspace(line), "#!include")
    ])
    error_message = "Negations (!pattern) and #!include directives cannot become archive excludes; list the files explicitly instead."
  }
}

locals {
  patterns = [
    for line in split("\n", replace(var.gcloudignore, "\r", "")) : trimspace(line)
    if trimspace(line) != "" && !startswith(trimspace(line), "#")
  ]
  # Strip the trailing slash of directory patterns: a matching directory is skipped whole.
  bare = [for p in local.patterns : trimsuffix(p, "/")]
  excludes = distinct([
    for p in local.bare :
    startswith(p, "/") ? trimprefix(p, "/") : (strcontains(p, "/") ? p : "**/${p}")
  ])
}

output "excludes" {
  description = "Doublestar globs for archive_file.excludes, in file order, without duplicates."
  value       = local.excludes
}
