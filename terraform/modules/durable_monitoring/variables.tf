variable "name_prefix" {
  description = "Prefix of the dashboard's name (<name_prefix>-durable-functions), normally the environment."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,200}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 200 characters of letters, digits, '-' or '_' (a CloudWatch dashboard name)."
  }
}

variable "durable_functions" {
  description = "Durable functions to watch, by key: the function's name and the name of its dead-letter queue (durable_function outputs)."
  type = map(object({
    function_name          = string
    dead_letter_queue_name = string
  }))

  validation {
    condition     = length(var.durable_functions) > 0
    error_message = "durable_functions must name at least one durable function."
  }

  validation {
    condition = alltrue([for f in values(var.durable_functions) :
    can(regex("^[A-Za-z0-9_-]{1,64}$", f.function_name)) && can(regex("^[A-Za-z0-9_-]{1,80}$", f.dead_letter_queue_name))])
    error_message = "durable_functions entries need a function_name of 1 to 64 and a dead_letter_queue_name of 1 to 80 letters, digits, '-' or '_'."
  }
}

variable "worker_function_names" {
  description = "Names of the worker functions whose errors the dashboard shows."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.worker_function_names : can(regex("^[A-Za-z0-9_-]{1,64}$", n))])
    error_message = "worker_function_names must hold Lambda function names (1 to 64 letters, digits, '-' or '_')."
  }
}

variable "source_queue_names" {
  description = "SQS queues feeding durable functions, whose depth the dashboard shows."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.source_queue_names : can(regex("^[A-Za-z0-9_-]{1,80}$", n))])
    error_message = "source_queue_names must hold SQS queue names (1 to 80 letters, digits, '-' or '_')."
  }
}

variable "dead_letter_queue_names" {
  description = "Further dead-letter queues (besides the durable functions' own) whose depth the dashboard shows, e.g. an event source's redrive target."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.dead_letter_queue_names : can(regex("^[A-Za-z0-9_-]{1,80}$", n))])
    error_message = "dead_letter_queue_names must hold SQS queue names (1 to 80 letters, digits, '-' or '_')."
  }
}

variable "alarms_enabled" {
  description = "Create the alarms: per durable function DurableExecutionFailed, DurableExecutionTimedOut, DurableExecutionStorageWrittenBytes, ApproximateRunningDurableExecutionsUtilization and its DLQ's depth."
  type        = bool
  default     = true
}

variable "dashboard_enabled" {
  description = "Create the CloudWatch dashboard <name_prefix>-durable-functions."
  type        = bool
  default     = true
}

variable "failed_threshold" {
  description = "The failed alarm fires when more than this many durable executions of one function end FAILED (DurableExecutionFailed, Sum) in one period."
  type        = number
  default     = 0

  validation {
    condition     = var.failed_threshold >= 0 && floor(var.failed_threshold) == var.failed_threshold
    error_message = "failed_threshold (durable_monitoring.failed_threshold) must be a whole number >= 0."
  }
}

variable "timed_out_threshold" {
  description = "The timed-out alarm fires when more than this many durable executions of one function end TIMED_OUT (DurableExecutionTimedOut, Sum) in one period."
  type        = number
  default     = 0

  validation {
    condition     = var.timed_out_threshold >= 0 && floor(var.timed_out_threshold) == var.timed_out_threshold
    error_message = "timed_out_threshold (durable_monitoring.timed_out_threshold) must be a whole number >= 0."
  }
}

variable "storage_bytes_threshold_ratio" {
  description = "The storage alarm fires when one execution has written this fraction of the 100 MB per-execution limit (DurableExecutionStorageWrittenBytes, Maximum)."
  type        = number
  default     = 0.8

  validation {
    condition     = var.storage_bytes_threshold_ratio > 0 && var.storage_bytes_threshold_ratio <= 1
    error_message = "storage_bytes_threshold_ratio (durable_monitoring.storage_bytes_threshold_ratio) must be above 0 and at most 1 (a fraction of the 100 MB limit)."
  }
}

variable "utilization_threshold_percent" {
  description = "The utilization alarm fires above this percentage of the account's running durable executions quota (ApproximateRunningDurableExecutionsUtilization, Maximum)."
  type        = number
  default     = 80

  validation {
    condition     = var.utilization_threshold_percent >= 1 && var.utilization_threshold_percent <= 100
    error_message = "utilization_threshold_percent (durable_monitoring.utilization_threshold_percent) must be from 1 to 100."
  }
}

variable "dead_letter_queue_threshold" {
  description = "The DLQ alarm fires at this many visible messages in a durable function's dead-letter queue."
  type        = number
  default     = 1

  validation {
    condition     = var.dead_letter_queue_threshold >= 1 && floor(var.dead_letter_queue_threshold) == var.dead_letter_queue_threshold
    error_message = "dead_letter_queue_threshold (durable_monitoring.dead_letter_queue_threshold) must be a whole number >= 1."
  }
}

variable "period_seconds" {
  description = "Period of every alarm and dashboard graph, in seconds (Lambda and SQS publish 1-minute metrics)."
  type        = number
  default     = 300

  validation {
    condition     = var.period_seconds >= 60 && var.period_seconds <= 86400 && var.period_seconds % 60 == 0
    error_message = "period_seconds (durable_monitoring.period_seconds) must be a multiple of 60 from 60 to 86400 (CloudWatch's periods for 1-minute metrics)."
  }
}

variable "evaluation_periods" {
  description = "Periods an alarm evaluates; it fires when every one of them breaches."
  type        = number
  default     = 1

  validation {
    condition     = var.evaluation_periods >= 1 && floor(var.evaluation_periods) == var.evaluation_periods && var.evaluation_periods * var.period_seconds <= 86400
    error_message = "evaluation_periods (durable_monitoring.evaluation_periods) must be a whole number >= 1 with evaluation_periods x period_seconds at most 86400 (CloudWatch evaluates at most one day)."
  }
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm fires or recovers (for example the environment's SNS topic); empty leaves the alarms silent but visible."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.alarm_actions) <= 5 && alltrue([for a in var.alarm_actions : can(regex("^arn:[a-z-]+:[a-z0-9-]+:", a))])
    error_message = "alarm_actions (durable_monitoring.alarm_actions plus the alarm topic) must hold at most 5 ARNs (CloudWatch's limit per alarm state)."
  }
}

variable "tags" {
  description = "Tags for every alarm (dashboards take none)."
  type        = map(string)
  default     = {}
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

variable "canary_versions" {
  description = "Durable functions released as canaries: key (as in durable_functions) => the newest published version (the canary while one is in progress). Each gets failed and timed-out alarms narrowed to that version (dimension Resource = function:version)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.canary_versions) : contains(keys(var.durable_functions), k)])
    error_message = "canary_versions keys must be keys of durable_functions."
  }
}
