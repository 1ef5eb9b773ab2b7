variable "alias" {
  description = "Name of the key's alias, without the alias/ prefix (e.g. dev-durable-deploy)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_-]{1,250}$", var.alias)) && !startswith(var.alias, "aws/") && !startswith(var.alias, "alias/")
    error_message = "alias must be 1 to 250 characters of letters, digits, '/', '_' or '-', without the alias/ prefix and not starting with aws/ (reserved for AWS managed keys)."
  }
}

variable "description" {
  description = "Description of the key (at most 8192 characters)."
  type        = string

  validation {
    condition     = length(var.description) <= 8192
    error_message = "description must be at most 8192 characters."
  }
}

variable "account_id" {
  description = "The account that owns the key (its root administers the key through IAM)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account id."
  }
}

variable "region" {
  description = "Region of the key and of the services that use it (kms:ViaService <service>.<region>.amazonaws.com)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be a region name such as us-east-1."
  }
}

variable "partition" {
  description = "AWS partition of the account (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"

  validation {
    condition     = contains(["aws", "aws-cn", "aws-us-gov"], var.partition)
    error_message = "partition must be aws, aws-cn or aws-us-gov."
  }
}

variable "users" {
  description = "Who uses the key, by statement id: role_arns (the roles, matched as aws:PrincipalArn), actions (kms: actions; no administration), services (short service names such as lambda, sqs, dynamodb: the only ways in, as kms:ViaService). Each role's own IAM policy must grant it the same actions on the key."
  type = map(object({
    role_arns = list(string)
    actions   = list(string)
    services  = list(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for sid in keys(var.users) : can(regex("^[A-Za-z0-9]{1,100}$", sid))])
    error_message = "users keys are statement ids: 1 to 100 letters or digits."
  }

  validation {
    condition     = alltrue([for u in values(var.users) : length(u.role_arns) > 0 && alltrue([for r in u.role_arns : can(regex("^arn:[a-z-]+:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,64}$", r))])])
    error_message = "users.<sid>.role_arns must list at least one IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)."
  }

  validation {
    condition     = alltrue([for u in values(var.users) : length(u.actions) > 0 && length(setsubtract(u.actions, ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"])) == 0])
    error_message = "users.<sid>.actions must name one or more of kms:Decrypt, kms:Encrypt, kms:GenerateDataKey, kms:DescribeKey (no wildcards, no administration)."
  }

  validation {
    condition     = alltrue([for u in values(var.users) : length(u.services) > 0 && alltrue([for s in u.services : can(regex("^[a-z0-9-]+$", s))])])
    error_message = "users.<sid>.services must list at least one short service name such as lambda, sqs or dynamodb."
  }
}

variable "operators" {
  description = "IAM principals of the account (the deployer roles, CI, people) that may use the key through one service, when their own IAM policies allow it, by statement id: service (short name: kms:ViaService), actions (kms:Decrypt, kms:GenerateDataKey), encryption_context (optional: a key the service sets, such as aws:sqs:arn or aws:dynamodb:tableName, and the pattern its value must match, StringLike)."
  type = map(object({
    service = string
    actions = list(string)
    encryption_context = optional(object({
      key     = string
      pattern = string
    }))
  }))
  default = {}

  validation {
    condition     = alltrue([for sid in keys(var.operators) : can(regex("^[A-Za-z0-9]{1,100}$", sid))])
    error_message = "operators keys are statement ids: 1 to 100 letters or digits."
  }

  validation {
    condition     = alltrue([for o in values(var.operators) : length(o.actions) > 0 && length(setsubtract(o.actions, ["kms:Decrypt", "kms:GenerateDataKey"])) == 0])
    error_message = "operators.<sid>.actions must name kms:Decrypt and/or kms:GenerateDataKey."
  }

  validation {
    condition     = alltrue([for o in values(var.operators) : can(regex("^[a-z0-9-]+$", o.service))])
    error_message = "operators.<sid>.service must be a short service name such as sqs or lambda."
  }

  validation {
    condition     = alltrue([for o in values(var.operators) : o.encryption_context == null || try(can(regex("^aws:[a-z0-9-]+:[A-Za-z]+$", o.encryption_context.key)) && length(o.encryption_context.pattern) > 0, false)])
    error_message = "operators.<sid>.encryption_context needs a key the service sets (aws:SERVICE:NAME, e.g. aws:sqs:arn) and a non-empty pattern."
  }
}

variable "log_group_arn_pattern" {
  description = "ARN pattern of the log groups CloudWatch Logs may encrypt with the key (kms:EncryptionContext:aws:logs:arn), e.g. arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/dev-*."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:logs:[a-z0-9-]+:[0-9]{12}:log-group:.+$", var.log_group_arn_pattern))
    error_message = "log_group_arn_pattern must be a log group ARN pattern: arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME (NAME may end in *)."
  }
}

variable "rotation_period_days" {
  description = "Days between automatic rotations of the key material (rotation is always on)."
  type        = number
  default     = 365

  validation {
    condition     = var.rotation_period_days >= 90 && var.rotation_period_days <= 2560 && floor(var.rotation_period_days) == var.rotation_period_days
    error_message = "rotation_period_days must be a whole number of days from 90 to 2560."
  }
}

variable "deletion_window_days" {
  description = "Waiting period, in days, between scheduling the key's deletion and the deletion (it can be cancelled until then)."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_days >= 7 && var.deletion_window_days <= 30 && floor(var.deletion_window_days) == var.deletion_window_days
    error_message = "deletion_window_days must be a whole number of days from 7 to 30."
  }
}

variable "tags" {
  description = "Tags of the key."
  type        = map(string)
  default     = {}
}
