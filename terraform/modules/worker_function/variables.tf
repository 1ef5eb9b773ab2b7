variable "function" {
  description = "The function's settings, validated in terraform/modules/function_base (its README lists every field and range). Required: name, handler, package_path, artifact_bucket, environment, service_name. Defaults: runtime python3.13, memory_size 256 MB, timeout 30 s, artifact_key_prefix functions/, metrics_namespace DurableDeploy, log_level INFO, log_retention_days 30, tracing_mode Active, reserved_concurrency null (unreserved), no layers, variables, statements or tags."
  type = object({
    name                  = string
    handler               = string
    package_path          = string
    artifact_bucket       = string
    environment           = string
    service_name          = string
    description           = optional(string, "")
    runtime               = optional(string, "python3.13")
    memory_size           = optional(number, 256)
    timeout               = optional(number, 30)
    artifact_key_prefix   = optional(string, "functions/")
    layers                = optional(list(string), [])
    metrics_namespace     = optional(string, "DurableDeploy")
    log_level             = optional(string, "INFO")
    environment_variables = optional(map(string), {})
    log_retention_days    = optional(number, 30)
    tracing_mode          = optional(string, "Active")
    reserved_concurrency  = optional(number)
    policy_statements = optional(list(object({
      sid       = optional(string)
      effect    = optional(string, "Allow")
      actions   = list(string)
      resources = list(string)
    })), [])
    tags = optional(map(string), {})
  })
}

variable "publish" {
  description = "Publish a new version on every change of code or configuration (qualified_arn names it). Durable callers pin that version; published versions are never deleted while the function exists."
  type        = bool
  default     = true
}

variable "create_alias" {
  description = "Point an alias (alias_name) at the newest published version; needs publish."
  type        = bool
  default     = false

  validation {
    condition     = !var.create_alias || var.publish
    error_message = "create_alias needs publish = true: an alias can only point at a published version."
  }
}

variable "alias_name" {
  description = "Name of the alias created when create_alias is true."
  type        = string
  default     = "live"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,127}$", var.alias_name))
    error_message = "alias_name must be 1 to 128 characters of letters, digits, '-' or '_', starting with a letter."
  }
}

variable "kms_key" {
  description = "The environment's customer managed key, or null. arn: it encrypts the function's log group. actions: the kms: actions the role needs on it for what the function touches (e.g. kms:Decrypt for a table encrypted with the key); empty for none."
  type = object({
    arn     = string
    actions = optional(list(string), [])
  })
  default = null
}
