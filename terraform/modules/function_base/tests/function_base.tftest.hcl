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
  function_name         = "dev-fn"
  role_description      = "test"
  package_path          = "../durable_function/tests/fixtures/code-a.pkg"
  artifact_bucket       = "artifacts"
  artifact_key_prefix   = "functions/"
  environment           = "dev"
  environment_variables = { ENVIRONMENT = "spoofed", EXTRA = "1" }
  powertools            = { service_name = "svc", metrics_namespace = "DurableDeploy", log_level = "INFO" }
  log_retention_days    = 14
  tracing_mode          = "PassThrough"
  policy_statements     = [{ sid = "Extra", actions = ["sqs:SendMessage"], resources = ["arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q"] }]
  tags                  = {}
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
    error_message = "Without active tracing: own log group, then the caller's statements, nothing else."
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
