variable "function" {
  description = "The function's settings, validated in terraform/modules/function_base (its README lists every field and range); runtime must also be one with durable execution (python3.13, python3.14). Required: name, handler, package_path, artifact_bucket, environment, service_name. Defaults: runtime python3.13, memory_size 512 MB, timeout 60 s per invocation (a durable execution spans many, see execution_timeout), artifact_key_prefix functions/, metrics_namespace DurableDeploy, log_level INFO, log_retention_days 30, tracing_mode Active, reserved_concurrency null (unreserved), no layers, variables, statements or tags. The name also names the CloudFormation stack and the dead-letter queue."
  type = object({
    name                  = string
    handler               = string
    package_path          = string
    artifact_bucket       = string
    environment           = string
    service_name          = string
    description           = optional(string, "")
    runtime               = optional(string, "python3.13")
    memory_size           = optional(number, 512)
    timeout               = optional(number, 60)
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

  validation {
    condition     = contains(["python3.13", "python3.14"], var.function.runtime)
    error_message = "function.runtime must be python3.13 or python3.14 (the runtimes that support durable execution)."
  }
}

variable "execution_timeout" {
  description = "DurableConfig.ExecutionTimeout: how long one durable execution may run in total, in seconds."
  type        = number

  validation {
    condition     = var.execution_timeout >= 1 && var.execution_timeout <= 31622400 && floor(var.execution_timeout) == var.execution_timeout
    error_message = "execution_timeout must be a whole number of seconds from 1 to 31622400 (366 days)."
  }
}

variable "retention_period_days" {
  description = "DurableConfig.RetentionPeriodInDays: how long the history of a finished execution is kept."
  type        = number
  default     = 14

  validation {
    condition     = var.retention_period_days >= 1 && var.retention_period_days <= 90 && floor(var.retention_period_days) == var.retention_period_days
    error_message = "retention_period_days must be a whole number of days from 1 to 90."
  }
}

variable "chained_functions" {
  description = "Functions this one chain-invokes, pinned: environment variable (NAME_FUNCTION) => unqualified function ARN and the published version of this release. The variable holds arn:...:function:NAME:VERSION; the role may invoke function:NAME:* but never NAME or NAME:$LATEST."
  type = map(object({
    function_arn = string
    version      = string
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.chained_functions) : can(regex("^[A-Z][A-Z0-9_]*_FUNCTION$", k))])
    error_message = "chained_functions keys must be environment variable names ending in _FUNCTION (uppercase letters, digits, '_')."
  }

  validation {
    condition     = alltrue([for f in values(var.chained_functions) : can(regex("^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", f.function_arn))])
    error_message = "chained_functions function_arn values must be unqualified Lambda function ARNs (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME)."
  }

  validation {
    condition     = alltrue([for f in values(var.chained_functions) : can(regex("^[1-9][0-9]*$", f.version))])
    error_message = "chained_functions version values must be published version numbers (1, 2, ...), never $LATEST or an alias: a release calls exactly the workers it was released with."
  }

  validation {
    condition     = length(setintersection(keys(var.chained_functions), keys(var.function.environment_variables))) == 0
    error_message = "chained_functions keys must not also be set in environment_variables (the pinned ARN would be overwritten)."
  }
}

variable "alias_name" {
  description = "Name of the alias that points at the newest published version (what every caller and the ESM use)."
  type        = string
  default     = "live"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,127}$", var.alias_name)) && !can(regex("^[0-9]+$", var.alias_name))
    error_message = "alias_name must be 1 to 128 characters of letters, digits, '-' or '_', starting with a letter."
  }
}

variable "retain_on_delete" {
  description = "Keep the function, its versions and alias (and so its execution history) when the stack is deleted."
  type        = bool
  default     = false
}

variable "release" {
  description = "How a new version reaches new executions: strategy all-at-once (the alias moves to it) or canary (the alias keeps the stable version and routes canary_share of new executions to the new one until the release controller promotes or withdraws it; docs/releases.md)."
  type = object({
    strategy     = optional(string, "all-at-once")
    canary_share = optional(number, 0.1)
  })
  default = {}

  validation {
    condition     = contains(["all-at-once", "canary"], var.release.strategy)
    error_message = "release.strategy must be all-at-once or canary."
  }

  validation {
    condition     = var.release.canary_share > 0 && var.release.canary_share < 1
    error_message = "release.canary_share must be above 0 and below 1 (the share of new executions routed to the new version)."
  }
}

variable "kms_key" {
  description = "The environment's customer managed key ({ arn }), or null. With a key it encrypts the function's durable payloads (DurableConfig.KMSKeyArn: input, checkpoints, results, errors), its dead-letter queue and its log group, and the role gets kms:Decrypt and kms:GenerateDataKey on it; the key policy must let the role use it through Lambda and SQS. null: AWS-owned encryption of payloads, SSE-SQS, CloudWatch Logs' own encryption."
  type = object({
    arn = string
  })
  default = null
}
