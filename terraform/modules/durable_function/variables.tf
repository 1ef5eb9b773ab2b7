variable "function_name" {
  description = "Name of the durable Lambda function (also names its role, log group and CloudFormation stack)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,56}$", var.function_name))
    error_message = "function_name must be 1 to 56 characters of letters, digits, '-' or '_' (the role name adds a suffix)."
  }
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = ""

  validation {
    condition     = length(var.description) <= 256
    error_message = "description must be at most 256 characters."
  }
}

variable "handler" {
  description = "Python handler, as module.path.function (for example order_processing.orchestrator.handler)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_.]*\\.[A-Za-z_][A-Za-z0-9_]*$", var.handler))
    error_message = "handler must look like package.module.function (letters, digits, '_' and '.')."
  }
}

variable "runtime" {
  description = "Lambda runtime. Durable execution exists for python3.13 and python3.14 only."
  type        = string
  default     = "python3.13"

  validation {
    condition     = contains(["python3.13", "python3.14"], var.runtime)
    error_message = "runtime must be python3.13 or python3.14 (the runtimes that support durable execution)."
  }
}

variable "memory_size" {
  description = "Memory in MB."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout" {
  description = "Timeout of one invocation in seconds (a durable execution spans many invocations, see execution_timeout)."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 1 to 900."
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

variable "artifact_bucket" {
  description = "Name of the S3 bucket that receives the code zip (CloudFormation deploys code from S3 only)."
  type        = string

  validation {
    condition     = length(var.artifact_bucket) >= 3 && length(var.artifact_bucket) <= 63
    error_message = "artifact_bucket must be an S3 bucket name of 3 to 63 characters."
  }
}

variable "artifact_key_prefix" {
  description = "Key prefix of the code object; the object key is <prefix><function_name>/<sha256>.zip."
  type        = string
  default     = "functions/"

  validation {
    condition     = var.artifact_key_prefix == "" || can(regex("^[A-Za-z0-9!_.*'()/-]*/$", var.artifact_key_prefix))
    error_message = "artifact_key_prefix must be empty or end with '/' and use S3-safe characters."
  }
}

variable "package_path" {
  description = "Path of the deterministic code zip built by `make package`; its sha256 names the S3 object."
  type        = string

  validation {
    condition     = fileexists(var.package_path)
    error_message = "package_path must name an existing file (run `make package` first)."
  }
}

variable "layers" {
  description = "ARNs of Lambda layer versions to attach (at most 5)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.layers) <= 5
    error_message = "layers may hold at most 5 layer version ARNs."
  }
}

variable "environment" {
  description = "Deployment environment name, exported to the function as ENVIRONMENT."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.environment))
    error_message = "environment must be 1 to 16 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "powertools_service_name" {
  description = "POWERTOOLS_SERVICE_NAME of the function (the workload it belongs to)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,63}$", var.powertools_service_name))
    error_message = "powertools_service_name must be 1 to 64 lowercase letters, digits or '-'."
  }
}

variable "powertools_metrics_namespace" {
  description = "POWERTOOLS_METRICS_NAMESPACE (CloudWatch metrics namespace)."
  type        = string
  default     = "DurableDeploy"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/#:-]{1,255}$", var.powertools_metrics_namespace))
    error_message = "powertools_metrics_namespace must be 1 to 255 characters of letters, digits or . _ / # : -."
  }
}

variable "log_level" {
  description = "POWERTOOLS_LOG_LEVEL of the function."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], var.log_level)
    error_message = "log_level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL."
  }
}

variable "environment_variables" {
  description = "Further environment variables; ENVIRONMENT and the POWERTOOLS_* settings are set by the module and win."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k))])
    error_message = "environment_variables keys must start with a letter and hold only letters, digits and '_'."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's CloudWatch log group, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing mode."
  type        = string
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency of the function; null leaves it unreserved."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 0 && var.reserved_concurrent_executions <= 10000, false)
    error_message = "reserved_concurrent_executions must be null or a number from 0 to 10000."
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
    condition     = length(setintersection(keys(var.chained_functions), keys(var.environment_variables))) == 0
    error_message = "chained_functions keys must not also be set in environment_variables (the pinned ARN would be overwritten)."
  }
}

variable "policy_statements" {
  description = "Extra IAM statements for the function's role (for example table access)."
  type = list(object({
    sid       = optional(string)
    effect    = optional(string, "Allow")
    actions   = list(string)
    resources = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.policy_statements : contains(["Allow", "Deny"], s.effect) && length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "policy_statements entries need effect Allow or Deny and at least one action and one resource."
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

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
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
