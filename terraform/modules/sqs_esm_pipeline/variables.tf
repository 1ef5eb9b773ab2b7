variable "queue_name" {
  description = "Name of the source queue."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.queue_name))
    error_message = "queue_name must be 1 to 80 characters of letters, digits, '-' or '_'."
  }
}

variable "dead_letter_queue_name" {
  description = "Name of the dead-letter queue."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.dead_letter_queue_name))
    error_message = "dead_letter_queue_name must be 1 to 80 characters of letters, digits, '-' or '_'."
  }
}

variable "function_alias_arn" {
  description = "Qualified ARN (alias or version) of the durable function the event source mapping invokes; durable functions are never driven through $LATEST."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$", var.function_alias_arn))
    error_message = "function_alias_arn must be a qualified Lambda ARN (arn:...:function:NAME:ALIAS or :VERSION), not an unqualified or $LATEST one."
  }
}

variable "function_role_name" {
  description = "Name of the function's execution role; the module attaches the SQS poller permissions to it."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.function_role_name))
    error_message = "function_role_name must be an IAM role name (1 to 64 characters of letters, digits or +=,.@_-)."
  }
}

variable "function_timeout" {
  description = "Timeout of one invocation of the function in seconds; the queue's visibility timeout is derived from it."
  type        = number

  validation {
    condition     = var.function_timeout >= 1 && var.function_timeout <= 900
    error_message = "function_timeout must be from 1 to 900 seconds."
  }
}

variable "durable_execution_timeout" {
  description = "DurableConfig.ExecutionTimeout of the function. An execution started by an event source mapping must finish within 15 minutes."
  type        = number

  validation {
    condition     = var.durable_execution_timeout >= 1 && var.durable_execution_timeout <= 900
    error_message = "durable_execution_timeout must be from 1 to 900 seconds: an ESM-triggered durable execution may not run longer than 15 minutes."
  }
}

variable "batch_size" {
  description = "Records per invocation (batches above 10 need a batching window)."
  type        = number
  default     = 5

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be a whole number from 1 to 10000."
  }

  validation {
    condition     = var.batch_size <= 10 || var.maximum_batching_window_in_seconds > 0
    error_message = "batch_size above 10 needs maximum_batching_window_in_seconds of at least 1."
  }
}

variable "maximum_batching_window_in_seconds" {
  description = "How long the poller gathers records before invoking."
  type        = number
  default     = 10

  validation {
    condition     = var.maximum_batching_window_in_seconds >= 0 && var.maximum_batching_window_in_seconds <= 300
    error_message = "maximum_batching_window_in_seconds must be from 0 to 300."
  }
}

variable "maximum_concurrency" {
  description = "Most concurrent invocations the event source mapping makes; null for no limit."
  type        = number
  default     = null

  validation {
    condition     = var.maximum_concurrency == null || try(var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000, false)
    error_message = "maximum_concurrency must be null or from 2 to 1000."
  }
}

variable "event_source_mapping_enabled" {
  description = "Whether the mapping polls. The local emulator's poller invokes durable functions the plain way, so the local environment creates it disabled."
  type        = bool
  default     = true
}

variable "max_receive_count" {
  description = "Receives of a message before SQS moves it to the dead-letter queue."
  type        = number
  default     = 3

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number from 1 to 1000."
  }
}

variable "message_retention_seconds" {
  description = "Retention of the source queue."
  type        = number
  default     = 1209600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be from 60 to 1209600 (14 days)."
  }
}

variable "dead_letter_queue_message_retention_seconds" {
  description = "Retention of the dead-letter queue; at least the source's, since a message keeps its original enqueue time."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dead_letter_queue_message_retention_seconds >= 60 && var.dead_letter_queue_message_retention_seconds <= 1209600
    error_message = "dead_letter_queue_message_retention_seconds must be from 60 to 1209600 (14 days)."
  }

  validation {
    condition     = var.dead_letter_queue_message_retention_seconds >= var.message_retention_seconds
    error_message = "dead_letter_queue_message_retention_seconds must be at least message_retention_seconds, or messages expire in the DLQ before they can be looked at."
  }
}

variable "kms_master_key_id" {
  description = "ARN of a KMS key for queue encryption (the poller is granted kms:Decrypt on it); null uses SQS-managed encryption (SSE-SQS)."
  type        = string
  default     = null
}

variable "alarm_enabled" {
  description = "Create a CloudWatch alarm on the dead-letter queue's depth."
  type        = bool
  default     = true
}

variable "alarm_actions" {
  description = "ARNs (for example SNS topics) notified when the DLQ alarm fires or recovers."
  type        = list(string)
  default     = []
}

variable "alarm_threshold" {
  description = "Visible DLQ messages at or above which the alarm fires."
  type        = number
  default     = 1

  validation {
    condition     = var.alarm_threshold >= 1
    error_message = "alarm_threshold must be at least 1."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
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
