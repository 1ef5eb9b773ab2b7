# Offline tests of the internal function_base module (mock provider: nothing reaches AWS).

mock_provider "aws" {
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws-us-gov:iam::123456789012:role/dev-fn-role"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:/aws/lambda/dev-fn"
    }
  }
}

variables {
  function = {
    name                  = "dev-fn"
    description           = "test function"
    handler               = "order_processing.workers.tax.handler"
    runtime               = "python3.13"
    memory_size           = 256
    timeout               = 30
    package_path          = "../durable_function/tests/fixtures/code-a.pkg"
    artifact_bucket       = "artifacts"
    artifact_key_prefix   = "functions/"
    layers                = []
    environment           = "dev"
    service_name          = "svc"
    metrics_namespace     = "DurableDeploy"
    log_level             = "INFO"
    environment_variables = { ENVIRONMENT = "spoofed", EXTRA = "1" }
    log_retention_days    = 14
    tracing_mode          = "PassThrough"
    reserved_concurrency  = null
    policy_statements     = [{ sid = "Extra", actions = ["sqs:SendMessage"], resources = ["arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q"] }]
    tags                  = {}
  }
  role_description = "test"
}

run "account_partition_environment_and_policy" {
  command = apply

  assert {
    condition     = output.account_id == "123456789012" && output.partition == "aws-us-gov"
    error_message = "Account and partition must come from the role's ARN."
  }

  assert {
    condition     = output.environment_variables["ENVIRONMENT"] == "dev" && output.environment_variables["EXTRA"] == "1"
    error_message = "The module's ENVIRONMENT must win over the caller's; other variables pass through."
  }

  assert {
    condition     = [for s in jsondecode(output.policy_json).Statement : s.Sid] == ["OwnLogGroup", "Extra"]
    error_message = "Without active tracing: own log group, then the function's statements, nothing else."
  }

  assert {
    condition     = aws_s3_object.package.key == "functions/dev-fn/${filesha256("../durable_function/tests/fixtures/code-a.pkg")}.zip"
    error_message = "The code object must be content-addressed."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Principal.Service == "lambda.amazonaws.com"
    error_message = "Only Lambda may assume the role."
  }
}

run "wrapper_statements_come_before_the_functions_own" {
  command = apply

  variables {
    function                 = merge(var.function, { tracing_mode = "Active" })
    module_policy_statements = [{ sid = "Wrapper", actions = ["sqs:SendMessage"], resources = ["arn:aws-us-gov:sqs:us-gov-west-1:123456789012:dlq"] }]
  }

  assert {
    condition     = [for s in jsondecode(output.policy_json).Statement : s.Sid] == ["OwnLogGroup", "XRayWrite", "Wrapper", "Extra"]
    error_message = "Statements must come in order: log group, X-Ray, the wrapper's, the function's."
  }
}

# Every field of `function` is validated here, once, for durable_function and worker_function alike; each
# run below breaks one field.

run "rejects_a_runtime_without_python3" {
  command = plan
  variables {
    function = merge(var.function, { runtime = "python2.7" })
  }
  expect_failures = [var.function]
}

run "rejects_a_zero_timeout" {
  command = plan
  variables {
    function = merge(var.function, { timeout = 0 })
  }
  expect_failures = [var.function]
}

run "rejects_memory_below_128" {
  command = plan
  variables {
    function = merge(var.function, { memory_size = 64 })
  }
  expect_failures = [var.function]
}

run "rejects_a_retention_cloudwatch_lacks" {
  command = plan
  variables {
    function = merge(var.function, { log_retention_days = 10 })
  }
  expect_failures = [var.function]
}

run "rejects_a_missing_package" {
  command = plan
  variables {
    function = merge(var.function, { package_path = "tests/fixtures/missing.pkg" })
  }
  expect_failures = [var.function]
}

run "rejects_a_statement_without_resources" {
  command = plan
  variables {
    function = merge(var.function, { policy_statements = [{ actions = ["s3:GetObject"], resources = [] }] })
  }
  expect_failures = [var.function]
}

run "rejects_a_name_with_spaces" {
  command = plan
  variables {
    function = merge(var.function, { name = "has spaces" })
  }
  expect_failures = [var.function]
}

run "rejects_a_name_leaving_no_room_for_the_role_suffix" {
  command = plan
  variables {
    function = merge(var.function, { name = "local-a-name-of-fifty-seven-characters-for-the-function-x" })
  }
  expect_failures = [var.function]
}

run "rejects_an_upper_case_environment" {
  command = plan
  variables {
    function = merge(var.function, { environment = "Prod" })
  }
  expect_failures = [var.function]
}

run "rejects_an_unknown_log_level" {
  command = plan
  variables {
    function = merge(var.function, { log_level = "VERBOSE" })
  }
  expect_failures = [var.function]
}

run "rejects_a_handler_without_module" {
  command = plan
  variables {
    function = merge(var.function, { handler = "no-module" })
  }
  expect_failures = [var.function]
}

run "rejects_concurrency_above_10000" {
  command = plan
  variables {
    function = merge(var.function, { reserved_concurrency = 10001 })
  }
  expect_failures = [var.function]
}

run "rejects_a_key_alias_and_administrative_key_actions" {
  command = plan

  variables {
    kms_key = { arn = "arn:aws:kms:us-east-1:123456789012:alias/dev-durable-deploy", actions = ["kms:PutKeyPolicy"] }
  }

  expect_failures = [var.kms_key]
}
