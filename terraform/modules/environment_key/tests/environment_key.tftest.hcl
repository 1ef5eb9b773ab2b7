# Offline tests of the environment_key module (mock provider: nothing reaches AWS).

mock_provider "aws" {}

variables {
  alias                 = "dev-durable-deploy"
  description           = "dev: durable payloads, queues, tables, logs"
  account_id            = "111111111111"
  region                = "us-east-1"
  log_group_arn_pattern = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/dev-*"
  users = {
    DurablePayloads = {
      role_arns = ["arn:aws:iam::111111111111:role/dev-order-processor-role"]
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      services  = ["lambda"]
    }
  }
  operators = {
    QueueProducers = {
      service            = "sqs"
      actions            = ["kms:GenerateDataKey", "kms:Decrypt"]
      encryption_context = { key = "aws:sqs:arn", pattern = "arn:aws:sqs:us-east-1:111111111111:dev-*" }
    }
  }
}

run "rotating_symmetric_key_with_alias" {
  command = plan

  assert {
    condition     = aws_kms_key.this.enable_key_rotation && aws_kms_key.this.rotation_period_in_days == 365
    error_message = "Rotation must be on (yearly by default)."
  }

  assert {
    condition     = aws_kms_key.this.customer_master_key_spec == "SYMMETRIC_DEFAULT" && aws_kms_key.this.key_usage == "ENCRYPT_DECRYPT"
    error_message = "Durable functions, SQS, DynamoDB and CloudWatch Logs need a symmetric encryption key."
  }

  assert {
    condition     = aws_kms_alias.this.name == "alias/dev-durable-deploy"
    error_message = "The alias must be alias/<alias>."
  }
}

run "the_policy_names_exactly_the_users_their_actions_and_services" {
  command = plan

  assert {
    condition = one([for s in jsondecode(aws_kms_key.this.policy).Statement : s if s.Sid == "DurablePayloads"]) == {
      Sid       = "DurablePayloads"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111111111111:root" }
      Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource  = "*"
      Condition = {
        ArnEquals    = { "aws:PrincipalArn" = ["arn:aws:iam::111111111111:role/dev-order-processor-role"] }
        StringEquals = { "kms:CallerAccount" = "111111111111", "kms:ViaService" = ["lambda.us-east-1.amazonaws.com"] }
      }
    }
    error_message = "A user statement must name its roles (aws:PrincipalArn), its actions and its services (kms:ViaService) and nothing else."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_kms_key.this.policy).Statement : s.Sid == "CloudWatchLogsEncryptsTheLogGroups" || try(s.Principal.AWS, "") == "arn:aws:iam::111111111111:root"
    ])
    error_message = "Only the CloudWatch Logs service principal and the account (through IAM and the statements' conditions) may appear; never \"*\"."
  }

  assert {
    condition = length(setintersection(
      one([for s in jsondecode(aws_kms_key.this.policy).Statement : s if s.Sid == "AccountAdministersTheKeyThroughIAM"]).Action,
      ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:CreateGrant", "kms:*"],
    )) == 0
    error_message = "Administration through IAM must not include cryptographic actions or unconditional grants."
  }

  assert {
    condition = one([for s in jsondecode(aws_kms_key.this.policy).Statement : s if s.Sid == "CloudWatchLogsEncryptsTheLogGroups"]).Condition == {
      ArnLike = { "kms:EncryptionContext:aws:logs:arn" = var.log_group_arn_pattern }
    }
    error_message = "CloudWatch Logs may use the key only for the environment's log groups (encryption context)."
  }

  assert {
    condition = one([for s in jsondecode(aws_kms_key.this.policy).Statement : s if s.Sid == "QueueProducers"]).Condition == {
      StringEquals = { "kms:CallerAccount" = "111111111111", "kms:ViaService" = "sqs.us-east-1.amazonaws.com" }
      StringLike   = { "kms:EncryptionContext:aws:sqs:arn" = "arn:aws:sqs:us-east-1:111111111111:dev-*" }
    }
    error_message = "Operators may use the key through their one service, for the environment's resources only."
  }
}

run "a_user_with_an_administration_action_is_refused" {
  command = plan

  variables {
    users = {
      TooMuch = {
        role_arns = ["arn:aws:iam::111111111111:role/dev-order-processor-role"]
        actions   = ["kms:Decrypt", "kms:PutKeyPolicy"]
        services  = ["lambda"]
      }
    }
  }

  expect_failures = [var.users]
}

run "a_user_without_roles_is_refused" {
  command = plan

  variables {
    users = { Nobody = { role_arns = [], actions = ["kms:Decrypt"], services = ["sqs"] } }
  }

  expect_failures = [var.users]
}

run "deletion_window_out_of_range_is_refused" {
  command = plan

  variables {
    deletion_window_days = 3
  }

  expect_failures = [var.deletion_window_days]
}

run "alias_with_prefix_is_refused" {
  command = plan

  variables {
    alias = "alias/dev-durable-deploy"
  }

  expect_failures = [var.alias]
}
