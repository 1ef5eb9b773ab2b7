# The environment's customer managed key (terraform/modules/environment_key), on where var.environment_key says so
# (dev and prod; off in the local environment, whose emulator stores a key id without encrypting anything with it:
# docs/security.md). It encrypts the durable payloads (DurableConfig.KMSKeyArn), every queue and DLQ, the tables and
# the log groups. Its key policy names exactly the roles that use it, each through its services only; each of those
# roles' own policies grants it exactly its actions on the key.

data "aws_partition" "current" {}

locals {
  key_enabled = var.environment_key.enabled
  partition   = data.aws_partition.current.partition

  # Execution role ARNs, by function_base's naming (<function name>-role) and from the declarations alone: the key
  # policy is written before the roles exist (it names them as aws:PrincipalArn) and is known at plan time.
  # tests/terraform_plan checks these names against the planned roles.
  durable_role_arns = {
    for key in flatten([for m in local.manifests : keys(m.durable_functions)]) :
    key => "arn:${local.partition}:iam::${var.account_id}:role/${local.prefix}-${key}-role"
  }
  table_user_role_arns = {
    for w, grants in local.table_access :
    w => "arn:${local.partition}:iam::${var.account_id}:role/${local.prefix}-${w}-role" if length(grants) > 0
  }

  # What each role does with the key (its IAM statement and its key policy statement):
  key_use = {
    # Lambda encrypts and decrypts a durable function's payloads (input, checkpoints, result, errors) as its role;
    # SQS does the same for what the function sends to its DLQ and, for the pipeline, what its ESM receives.
    DurableFunctions = {
      role_arns = values(local.durable_role_arns)
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      services  = ["lambda", "sqs"]
    }
    # DynamoDB decrypts a table's key for the caller that reads or writes an item.
    TableUsers = {
      role_arns = values(local.table_user_role_arns)
      actions   = ["kms:Decrypt"]
      services  = ["dynamodb"]
    }
  }

  # The environment's key for the modules and resources: null when off. Whether there is a key is decided by
  # local.key_enabled (known at plan time), never by comparing the key's ARN (unknown until it exists) with null.
  environment_key_arn = local.key_enabled ? module.environment_key[0].key_arn : null
}

module "environment_key" {
  source = "../modules/environment_key"
  count  = local.key_enabled ? 1 : 0

  alias                 = "${local.prefix}-durable-deploy"
  description           = "${var.environment}: durable payloads, queues, tables and log groups of durable-deploy"
  account_id            = var.account_id
  region                = var.aws_region
  partition             = local.partition
  log_group_arn_pattern = "arn:${local.partition}:logs:${var.aws_region}:${var.account_id}:log-group:/aws/lambda/${local.prefix}-*"
  users                 = { for sid, use in local.key_use : sid => use if length(use.role_arns) > 0 }
  # Principals whose own IAM policies allow it (the deployer roles, CI, people operating the environment), through
  # one service each and, where the service names the resource, for this environment's resources only.
  operators = {
    QueueSendersAndReaders = { # make send, make redrive, reading a DLQ
      service            = "sqs"
      actions            = ["kms:Decrypt", "kms:GenerateDataKey"]
      encryption_context = { key = "aws:sqs:arn", pattern = "arn:${local.partition}:sqs:${var.aws_region}:${var.account_id}:${local.prefix}-*" }
    }
    TableReadersAndWriters = { # the deployer: creating the tables, the demo stock, reading it back at plan time
      service            = "dynamodb"
      actions            = ["kms:Decrypt", "kms:GenerateDataKey"]
      encryption_context = { key = "aws:dynamodb:tableName", pattern = "${local.prefix}-*" }
    }
    DurableExecutionCallers = { # make invoke, history, console: durable payloads in and out
      service = "lambda"
      actions = ["kms:Decrypt", "kms:GenerateDataKey"]
    }
  }
  deletion_window_days = var.environment_key.deletion_window_days
  tags                 = local.tags
}
