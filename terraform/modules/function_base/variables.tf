# Building block of durable_function and worker_function. Their `function` input is this module's `function`
# (each wrapper only sets its own defaults): every field is validated here, once, for both.

variable "function" {
  description = "The function's settings. name: function name (also names its role, log group, code object; 1 to 56 characters, the role adds a suffix). description: at most 256 characters. handler: package.module.function. runtime: python3.12 to python3.14. memory_size: MB, 128 to 10240. timeout: seconds per invocation, 1 to 900. package_path: the code zip of `make package` (its sha256 names the S3 object). artifact_bucket: S3 bucket receiving it. artifact_key_prefix: empty or ending in '/' (key <prefix><name>/<sha256>.zip). layers: at most 5 layer version ARNs. environment: exported as ENVIRONMENT. service_name, metrics_namespace, log_level: POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL. environment_variables: further variables (ENVIRONMENT and POWERTOOLS_* win). log_retention_days: a CloudWatch retention value. tracing_mode: Active or PassThrough (Active adds the X-Ray write statement). reserved_concurrency: null (unreserved) or 0 to 10000. policy_statements: the function's own IAM statements. tags: for every resource."
  type = object({
    name                  = string
    description           = string
    handler               = string
    runtime               = string
    memory_size           = number
    timeout               = number
    package_path          = string
    artifact_bucket       = string
    artifact_key_prefix   = string
    layers                = list(string)
    environment           = string
    service_name          = string
    metrics_namespace     = string
    log_level             = string
    environment_variables = map(string)
    log_retention_days    = number
    tracing_mode          = string
    reserved_concurrency  = number
    policy_statements = list(object({
      sid       = optional(string)
      effect    = optional(string, "Allow")
      actions   = list(string)
      resources = list(string)
    }))
    tags = map(string)
  })

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,56}$", var.function.name))
    error_message = "function.name must be 1 to 56 characters of letters, digits, '-' or '_' (the role name adds a suffix)."
  }

  validation {
    condition     = length(var.function.description) <= 256
    error_message = "function.description must be at most 256 characters."
  }

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_.]*\\.[A-Za-z_][A-Za-z0-9_]*$", var.function.handler))
    error_message = "function.handler must look like package.module.function (letters, digits, '_' and '.')."
  }

  validation {
    condition     = contains(["python3.12", "python3.13", "python3.14"], var.function.runtime)
    error_message = "function.runtime must be one of python3.12, python3.13, python3.14."
  }

  validation {
    condition     = var.function.memory_size >= 128 && var.function.memory_size <= 10240 && floor(var.function.memory_size) == var.function.memory_size
    error_message = "function.memory_size must be a whole number of MB from 128 to 10240."
  }

  validation {
    condition     = var.function.timeout >= 1 && var.function.timeout <= 900 && floor(var.function.timeout) == var.function.timeout
    error_message = "function.timeout must be a whole number of seconds from 1 to 900."
  }

  validation {
    condition     = fileexists(var.function.package_path)
    error_message = "function.package_path must name an existing file (run `make package` first)."
  }

  validation {
    condition     = length(var.function.artifact_bucket) >= 3 && length(var.function.artifact_bucket) <= 63
    error_message = "function.artifact_bucket must be an S3 bucket name of 3 to 63 characters."
  }

  validation {
    condition     = var.function.artifact_key_prefix == "" || can(regex("^[A-Za-z0-9!_.*'()/-]*/$", var.function.artifact_key_prefix))
    error_message = "function.artifact_key_prefix must be empty or end with '/' and use S3-safe characters."
  }

  validation {
    condition     = length(var.function.layers) <= 5
    error_message = "function.layers may hold at most 5 layer version ARNs."
  }

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.function.environment))
    error_message = "function.environment must be 1 to 16 lowercase letters, digits or '-', starting with a letter."
  }

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,63}$", var.function.service_name))
    error_message = "function.service_name must be 1 to 64 lowercase letters, digits or '-'."
  }

  validation {
    condition     = can(regex("^[A-Za-z0-9._/#:-]{1,255}$", var.function.metrics_namespace))
    error_message = "function.metrics_namespace must be 1 to 255 characters of letters, digits or . _ / # : -."
  }

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], var.function.log_level)
    error_message = "function.log_level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL."
  }

  validation {
    condition     = alltrue([for k in keys(var.function.environment_variables) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k))])
    error_message = "function.environment_variables keys must start with a letter and hold only letters, digits and '_'."
  }

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.function.log_retention_days)
    error_message = "function.log_retention_days must be a CloudWatch retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }

  validation {
    condition     = contains(["Active", "PassThrough"], var.function.tracing_mode)
    error_message = "function.tracing_mode must be Active or PassThrough."
  }

  validation {
    condition     = var.function.reserved_concurrency == null || try(var.function.reserved_concurrency >= 0 && var.function.reserved_concurrency <= 10000, false)
    error_message = "function.reserved_concurrency must be null or a number from 0 to 10000."
  }

  validation {
    condition     = alltrue([for s in var.function.policy_statements : contains(["Allow", "Deny"], s.effect) && length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "function.policy_statements entries need effect Allow or Deny and at least one action and one resource."
  }
}

variable "role_description" {
  description = "Description of the execution role."
  type        = string
}

variable "module_policy_statements" {
  description = "The wrapper's own IAM statements, placed after the log group's (and X-Ray's) and before function.policy_statements."
  type = list(object({
    sid       = optional(string)
    effect    = optional(string, "Allow")
    actions   = list(string)
    resources = list(string)
  }))
  default = []
}

variable "kms_key" {
  description = "The environment's customer managed key, or null. arn: it encrypts the log group (the key policy must let CloudWatch Logs use it) and is the resource of the role's EnvironmentKey statement. actions: the kms: actions the role needs on it (kms:Decrypt, kms:Encrypt, kms:GenerateDataKey, kms:DescribeKey), e.g. kms:Decrypt for a queue consumer or a table user; empty for none (the log group needs none: CloudWatch Logs uses the key itself). An object, so that whether there is a key is known at plan time even when its ARN is not."
  type = object({
    arn     = string
    actions = optional(list(string), [])
  })
  default = null

  validation {
    condition     = var.kms_key == null || try(length(setsubtract(var.kms_key.actions, ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"])) == 0, false)
    error_message = "kms_key.actions may only name kms:Decrypt, kms:Encrypt, kms:GenerateDataKey, kms:DescribeKey."
  }

  validation {
    condition     = var.kms_key == null || try(can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key.arn)), false)
    error_message = "kms_key.arn must be a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/ID), not an alias."
  }
}
