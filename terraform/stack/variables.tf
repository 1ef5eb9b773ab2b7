variable "environment" {
  description = "Environment name; prefixes every resource name (ENV-...)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.environment))
    error_message = "environment must be 1 to 16 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "aws_region" {
  description = "AWS region of the deployment."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as us-east-1."
  }
}

variable "account_id" {
  description = "The AWS account the environment lives in: Terraform refuses credentials of any other account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account id."
  }
}

variable "emulator" {
  description = "Target the local emulator (AWS_ENDPOINT_URL, fake credentials, no STS/metadata calls)."
  type        = bool
  default     = false
}

variable "local_durable_endpoint" {
  description = "Local environment only: the Lambda API endpoint (the local front) that durable handlers send their checkpoint and state calls to, exported as AWS_ENDPOINT_URL_LAMBDA. null everywhere else: on AWS the SDK uses the Lambda service."
  type        = string
  default     = null

  validation {
    condition     = var.local_durable_endpoint == null || (var.emulator && can(regex("^http://(127\\.0\\.0\\.1|localhost):[0-9]{2,5}$", var.local_durable_endpoint)))
    error_message = "local_durable_endpoint may only be set together with emulator = true, as http://127.0.0.1:PORT or http://localhost:PORT."
  }
}

variable "dist_dir" {
  description = "Directory holding the zips of `make package` (<workload>.zip, layer.zip)."
  type        = string
  default     = "../../build/dist"

  validation {
    condition     = fileexists("${var.dist_dir}/layer.zip")
    error_message = "dist_dir must hold the zips of `make package` (layer.zip not found)."
  }
}

variable "workloads_dir" {
  description = "Directory holding one folder per workload with its declaration, <folder>/workload.json (functions/)."
  type        = string
  default     = "../../functions"

  validation {
    condition     = length(fileset(var.workloads_dir, "*/workload.json")) > 0
    error_message = "workloads_dir must hold the workload declarations (no */workload.json found)."
  }
}

variable "log_level" {
  description = "POWERTOOLS_LOG_LEVEL of every function."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], var.log_level)
    error_message = "log_level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL."
  }
}

variable "log_retention_days" {
  description = "Retention of every function's log group, in days (a CloudWatch retention value)."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "durable_retention_days" {
  description = "DurableConfig.RetentionPeriodInDays of the durable functions (history of finished executions)."
  type        = number
  default     = 7

  validation {
    condition     = var.durable_retention_days >= 1 && var.durable_retention_days <= 90
    error_message = "durable_retention_days must be from 1 to 90."
  }
}

variable "environment_key" {
  description = "The environment's customer managed KMS key (terraform/modules/environment_key; docs/security.md): enabled creates it and encrypts the durable payloads, queues, tables and log groups with it; deletion_window_days (7..30) is the waiting period after the key is scheduled for deletion. Off by default and in the local environment (the emulator encrypts nothing with a key)."
  type = object({
    enabled              = optional(bool, false)
    deletion_window_days = optional(number, 30)
  })
  default = {}

  validation {
    condition     = var.environment_key.deletion_window_days >= 7 && var.environment_key.deletion_window_days <= 30 && floor(var.environment_key.deletion_window_days) == var.environment_key.deletion_window_days
    error_message = "environment_key.deletion_window_days must be a whole number of days from 7 to 30."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing mode of every function."
  type        = string
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "deletion_protection" {
  description = "Protect stateful resources: DynamoDB deletion protection, no force-destroy of the artifact bucket, durable functions (and their execution history) retained if their stack is deleted."
  type        = bool
  default     = true
}

variable "demo_inventory" {
  description = "Create demo stock (PROD-001..PROD-003, 1000 each) in the inventory table. Later stock changes by orders are not drift."
  type        = bool
  default     = false
}

variable "order_processing" {
  description = "Order processing settings: payment limit, the orchestrator's reserved concurrency (null = unreserved), execution timeout, and the durable confirmation delay in seconds."
  type = object({
    payment_amount_limit        = optional(string, "10000.00")
    confirmation_delay_seconds  = optional(number, 1)
    orchestrator_concurrency    = optional(number)
    orchestrator_exec_timeout_s = optional(number, 3600)
  })
  default = {}

  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]{1,2})?$", var.order_processing.payment_amount_limit))
    error_message = "order_processing.payment_amount_limit must be a decimal amount such as 10000.00."
  }

  validation {
    condition     = var.order_processing.confirmation_delay_seconds >= 1 && var.order_processing.confirmation_delay_seconds <= 3600 && floor(var.order_processing.confirmation_delay_seconds) == var.order_processing.confirmation_delay_seconds
    error_message = "order_processing.confirmation_delay_seconds must be a whole number of seconds from 1 to 3600 (a durable wait takes whole seconds >= 1)."
  }

  validation {
    condition     = var.order_processing.orchestrator_exec_timeout_s >= 60 && var.order_processing.orchestrator_exec_timeout_s <= 31622400
    error_message = "order_processing.orchestrator_exec_timeout_s must be from 60 to 31622400 seconds."
  }
}

variable "data_pipeline" {
  description = "SQS data pipeline settings (event source mapping, redrive, in-batch concurrency)."
  type = object({
    batch_size                   = optional(number, 5)
    batching_window_s            = optional(number, 10)
    maximum_concurrency          = optional(number)
    max_receive_count            = optional(number, 3)
    execution_timeout_s          = optional(number, 900)
    function_timeout_s           = optional(number, 120)
    record_concurrency           = optional(number, 5)
    event_source_mapping_enabled = optional(bool, true)
  })
  default = {}

  validation {
    condition     = var.data_pipeline.execution_timeout_s >= 1 && var.data_pipeline.execution_timeout_s <= 900
    error_message = "data_pipeline.execution_timeout_s must be from 1 to 900 seconds: the pipeline is triggered by an SQS event source mapping."
  }

  validation {
    condition     = var.data_pipeline.record_concurrency >= 1 && var.data_pipeline.record_concurrency <= 10
    error_message = "data_pipeline.record_concurrency must be from 1 to 10."
  }
}

variable "alarms" {
  description = "Operational alarms: enabled creates the DLQ alarm and an encrypted SNS topic; email (optional) subscribes an address to it."
  type = object({
    enabled = optional(bool, true)
    email   = optional(string)
  })
  default = {}

  validation {
    condition     = var.alarms.email == null || can(regex("^[^@ ]+@[^@ ]+\\.[^@ ]+$", var.alarms.email))
    error_message = "alarms.email must be null or an e-mail address."
  }
}

variable "durable_monitoring" {
  description = "Alarms and dashboard of the durable functions (terraform/modules/durable_monitoring, which validates every field): alarms_enabled, dashboard_enabled, failed_threshold and timed_out_threshold (executions per period above which the alarm fires, >= 0), storage_bytes_threshold_ratio (fraction of the 100 MB per-execution limit, (0, 1]), utilization_threshold_percent (1..100), dead_letter_queue_threshold (>= 1), period_seconds (multiple of 60), evaluation_periods (period x evaluations <= 1 day), alarm_actions (ARNs notified besides the alarms topic)."
  type = object({
    alarms_enabled                = optional(bool, true)
    dashboard_enabled             = optional(bool, true)
    failed_threshold              = optional(number, 0)
    timed_out_threshold           = optional(number, 0)
    storage_bytes_threshold_ratio = optional(number, 0.8)
    utilization_threshold_percent = optional(number, 80)
    dead_letter_queue_threshold   = optional(number, 1)
    period_seconds                = optional(number, 300)
    evaluation_periods            = optional(number, 1)
    alarm_actions                 = optional(list(string), [])
  })
  default = {}

  validation {
    condition     = alltrue([for a in var.durable_monitoring.alarm_actions : can(regex("^arn:", a))])
    error_message = "durable_monitoring.alarm_actions must hold ARNs (the thresholds are validated in terraform/modules/durable_monitoring)."
  }
}

variable "tags" {
  description = "Extra tags for every resource (Project, Environment and ManagedBy are always set)."
  type        = map(string)
  default     = {}
}

variable "fault_injection" {
  description = "Local environment only: make one order worker fail, transiently (its first `failures` calls per order) or permanently, or answer `delay_seconds` late (`slow`), to prove retries, the saga and engine restarts (make soak). null everywhere else."
  type = object({
    worker        = string
    mode          = string
    failures      = optional(number, 1)
    delay_seconds = optional(number, 5)
  })
  default = null

  validation {
    condition     = var.fault_injection == null || (var.emulator && var.environment == "local")
    error_message = "fault_injection may only be set in the local environment (environment = \"local\", emulator = true); it must be null in dev and prod."
  }

  validation {
    condition     = var.fault_injection == null || contains(["inventory", "payment", "shipping", "tax"], try(var.fault_injection.worker, ""))
    error_message = "fault_injection.worker must be one of inventory, payment, shipping, tax."
  }

  validation {
    condition     = var.fault_injection == null || contains(["transient", "permanent", "slow"], try(var.fault_injection.mode, ""))
    error_message = "fault_injection.mode must be transient, permanent or slow."
  }

  validation {
    # Below the workers' 30 s function timeout: a slow worker answers late, it does not time out.
    condition     = var.fault_injection == null || try(var.fault_injection.delay_seconds >= 1 && var.fault_injection.delay_seconds <= 20 && floor(var.fault_injection.delay_seconds) == var.fault_injection.delay_seconds, false)
    error_message = "fault_injection.delay_seconds must be a whole number from 1 to 20."
  }

  validation {
    condition     = var.fault_injection == null || try(var.fault_injection.failures >= 1 && floor(var.fault_injection.failures) == var.fault_injection.failures, false)
    error_message = "fault_injection.failures must be a whole number >= 1."
  }
}

variable "runbook_url" {
  description = "Address of the operations runbook (docs/runbook.md of this repository, or where the team publishes it); each alarm's description ends with the link to its section (<runbook_url>#<section>)."
  type        = string
  default     = "docs/runbook.md"

  validation {
    condition     = length(var.runbook_url) > 0 && length(var.runbook_url) <= 400 && !strcontains(var.runbook_url, "#")
    error_message = "runbook_url must be 1 to 400 characters without a '#' (the section anchor is appended to it)."
  }
}

variable "releases" {
  description = "Release strategy per durable function, keyed like function_names (docs/releases.md). strategy: all-at-once (default: the alias moves to the new version) or canary: canary_share (0..1, exclusive) of new executions go to the new version for bake_seconds; it is withdrawn when more than max_failure_rate of its finished executions failed (status other than SUCCEEDED, or a false result field outcome_field), when one of its alarms is in ALARM, or when fewer than min_executions finished; otherwise promoted."
  type = map(object({
    strategy         = optional(string, "all-at-once")
    canary_share     = optional(number, 0.1)
    bake_seconds     = optional(number, 600)
    max_failure_rate = optional(number, 0.05)
    min_executions   = optional(number, 10)
    outcome_field    = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.releases) : contains(keys(local.durable_functions), k)])
    error_message = "releases keys must be durable functions: ${join(", ", sort(keys(local.durable_functions)))}."
  }

  validation {
    condition     = alltrue([for r in values(var.releases) : contains(["all-at-once", "canary"], r.strategy)])
    error_message = "releases.<function>.strategy must be all-at-once or canary."
  }

  validation {
    condition     = alltrue([for r in values(var.releases) : r.canary_share > 0 && r.canary_share < 1])
    error_message = "releases.<function>.canary_share must be above 0 and below 1 (the share of new executions the new version gets)."
  }

  validation {
    condition     = alltrue([for r in values(var.releases) : r.bake_seconds >= 10 && r.bake_seconds <= 86400 && floor(r.bake_seconds) == r.bake_seconds])
    error_message = "releases.<function>.bake_seconds must be a whole number of seconds from 10 to 86400 (one day)."
  }

  validation {
    condition     = alltrue([for r in values(var.releases) : r.max_failure_rate >= 0 && r.max_failure_rate < 1])
    error_message = "releases.<function>.max_failure_rate must be from 0 (no failure tolerated) to below 1."
  }

  validation {
    condition     = alltrue([for r in values(var.releases) : r.min_executions >= 0 && r.min_executions <= 100000 && floor(r.min_executions) == r.min_executions])
    error_message = "releases.<function>.min_executions must be a whole number from 0 to 100000 (0 promotes a canary nothing exercised)."
  }

  validation {
    condition     = alltrue([for r in values(var.releases) : r.outcome_field == null || can(regex("^[A-Za-z_][A-Za-z0-9_]{0,63}$", r.outcome_field))])
    error_message = "releases.<function>.outcome_field must be null or the name of a top-level field of the function's result (letters, digits, '_')."
  }
}
