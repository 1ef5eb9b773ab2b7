variable "environment" {
  description = "The environment whose deployer roles these are (local, dev, prod): the stack's name prefix."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.environment))
    error_message = "environment must be 2-21 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "account_id" {
  description = "The AWS account of the environment (its terraform.tfvars `account_id`); every ARN is scoped to it."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account id."
  }
}

variable "aws_region" {
  description = "The environment's region (its terraform.tfvars `aws_region`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as us-east-1."
  }
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose workflows assume the roles."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "state_bucket" {
  description = "The environment's Terraform state bucket (the `bucket` of environments/<env>/backend.hcl)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be an S3 bucket name: 3 to 63 lowercase letters, digits, '.' or '-'."
  }
}

variable "state_key" {
  description = "The stack's state object (the `key` of environments/<env>/backend.hcl)."
  type        = string

  validation {
    condition     = length(var.state_key) > 0 && !startswith(var.state_key, "/")
    error_message = "state_key must be a non-empty object key without a leading '/'."
  }
}

variable "create_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (false when another stack in the account owns it)."
  type        = bool
  default     = true
}

variable "emulator" {
  description = "Applied to the local emulator (fake credentials, no STS or metadata lookups)."
  type        = bool
  default     = false
}
