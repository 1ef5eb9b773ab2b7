# Offline tests of the worker_function module (mock provider: nothing reaches AWS).

mock_provider "aws" {
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/dev-inventory-worker-role"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/dev-inventory-worker"
    }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn           = "arn:aws:lambda:us-east-1:123456789012:function:dev-inventory-worker"
      qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:dev-inventory-worker:4"
      version       = "4"
    }
  }
}

variables {
  function = {
    name                  = "dev-inventory-worker"
    handler               = "order_processing.workers.inventory.handler"
    artifact_bucket       = "test-artifacts"
    package_path          = "tests/fixtures/code.pkg"
    environment           = "dev"
    service_name          = "order-processing"
    environment_variables = { INVENTORY_TABLE_NAME = "dev-inventory" }
    policy_statements = [{
      sid       = "InventoryTable"
      actions   = ["dynamodb:ConditionCheckItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:GetItem"]
      resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/dev-inventory"]
    }]
  }
}

run "plain_function_with_own_role_and_log_group" {
  command = apply

  assert {
    condition     = aws_lambda_function.this.role == module.base.role_arn && aws_lambda_function.this.runtime == "python3.13"
    error_message = "The function must run as its own role on python3.13."
  }

  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      INVENTORY_TABLE_NAME         = "dev-inventory"
      ENVIRONMENT                  = "dev"
      POWERTOOLS_SERVICE_NAME      = "order-processing"
      POWERTOOLS_METRICS_NAMESPACE = "DurableDeploy"
      POWERTOOLS_LOG_LEVEL         = "INFO"
    })
    error_message = "Environment must hold the caller's variables plus ENVIRONMENT and the Powertools settings."
  }

  assert {
    condition     = aws_lambda_function.this.s3_key == "functions/dev-inventory-worker/${filesha256("tests/fixtures/code.pkg")}.zip" && aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/code.pkg")
    error_message = "Code must come from the content-addressed S3 object, tracked by hash."
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_group == module.base.log_group_name && module.base.log_group_retention_in_days == 30
    error_message = "The function must log to its own log group with a retention."
  }

  assert {
    condition     = length(aws_lambda_alias.this) == 0
    error_message = "Without create_alias there is no alias."
  }
}

run "publishes_a_version_callers_pin" {
  command = apply

  assert {
    condition     = aws_lambda_function.this.publish
    error_message = "Every change of code or configuration must publish a version (durable callers pin it)."
  }

  assert {
    condition     = output.qualified_arn == "arn:aws:lambda:us-east-1:123456789012:function:dev-inventory-worker:4" && output.function_version == "4"
    error_message = "qualified_arn must name the newest published version."
  }
}

run "unpublished_has_no_qualified_arn" {
  command = apply

  variables {
    publish = false
  }

  assert {
    condition     = !aws_lambda_function.this.publish && output.qualified_arn == null
    error_message = "With publish = false nothing is published and there is no version to pin."
  }
}

run "iam_is_least_privilege" {
  command = apply

  assert {
    condition = {
      for s in jsondecode(module.base.policy_json).Statement : s.Sid => s.Resource
      } == {
      OwnLogGroup    = ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/dev-inventory-worker:*"]
      XRayWrite      = ["*"]
      InventoryTable = ["arn:aws:dynamodb:us-east-1:123456789012:table/dev-inventory"]
    }
    error_message = "Every statement must be scoped to its narrowest resource."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(module.base.policy_json).Statement :
      !contains(s.Resource, "*") || alltrue([for a in s.Action : startswith(a, "xray:")])
    ])
    error_message = "Only X-Ray (which has no resource-level permissions) may use Resource \"*\"."
  }
}

run "optional_alias" {
  command = apply

  variables {
    create_alias = true
  }

  assert {
    condition     = aws_lambda_function.this.publish && aws_lambda_alias.this[0].name == "live" && aws_lambda_alias.this[0].function_version == "4"
    error_message = "create_alias must publish and point the live alias at the new version."
  }
}

run "rejects_alias_without_publish" {
  command = plan
  variables {
    publish      = false
    create_alias = true
  }
  expect_failures = [var.create_alias]
}

run "the_environment_key_encrypts_the_log_group_and_the_role_gets_only_its_actions" {
  command = apply

  variables {
    kms_key = { arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", actions = ["kms:Decrypt"] }
  }

  assert {
    condition     = module.base.log_group_kms_key_id == var.kms_key.arn
    error_message = "The log group must be encrypted with the environment's key."
  }

  assert {
    condition     = one([for s in jsondecode(module.base.policy_json).Statement : s if s.Sid == "EnvironmentKey"]) == { Sid = "EnvironmentKey", Effect = "Allow", Action = ["kms:Decrypt"], Resource = [var.kms_key.arn] }
    error_message = "The role must get exactly the given kms: actions, on the environment's key only."
  }
}

run "a_key_without_actions_adds_no_statement" {
  command = apply

  variables {
    kms_key = { arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }

  assert {
    condition     = module.base.log_group_kms_key_id == var.kms_key.arn && length([for s in jsondecode(module.base.policy_json).Statement : s if s.Sid == "EnvironmentKey"]) == 0
    error_message = "A function that touches nothing encrypted gets no kms: statement (its log group is still encrypted)."
  }
}
