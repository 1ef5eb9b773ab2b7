# Internal building block of durable_function and worker_function: their public variables validate every value
# before it reaches this module, so only what this module itself relies on is checked again here.

variable "function_name" {
  description = "Name of the function the role, log group and code object belong to."
  type        = string

  validation {
    condition     = length(var.function_name) >= 1 && length(var.function_name) <= 64
    error_message = "function_name must be 1 to 64 characters."
  }
}

variable "role_description" {
  description = "Description of the execution role."
  type        = string
}

variable "package_path" {
  description = "Path of the code zip; its sha256 names the S3 object."
  type        = string

  validation {
    condition     = fileexists(var.package_path)
    error_message = "package_path must name an existing file (run `make package` first)."
  }
}

variable "artifact_bucket" {
  description = "S3 bucket receiving the code zip."
  type        = string
}

variable "artifact_key_prefix" {
  description = "Key prefix of the code object (<prefix><function_name>/<sha256>.zip)."
  type        = string
}

variable "environment_variables" {
  description = "Function environment; ENVIRONMENT and POWERTOOLS_* are added and win."
  type        = map(string)
}

variable "environment" {
  description = "ENVIRONMENT of the function."
  type        = string
}

variable "powertools" {
  description = "POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_LOG_LEVEL."
  type = object({
    service_name      = string
    metrics_namespace = string
    log_level         = string
  })
}

variable "log_retention_days" {
  description = "Retention of the log group in days."
  type        = number
}

variable "tracing_mode" {
  description = "X-Ray tracing mode; Active adds the X-Ray write statement."
  type        = string

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "policy_statements" {
  description = "Statements after the log group's (and X-Ray's): the function's own, then the caller's."
  type = list(object({
    sid       = optional(string)
    effect    = optional(string, "Allow")
    actions   = list(string)
    resources = list(string)
  }))
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
}
