# Offline tests of the durable_function module (mock provider: nothing reaches AWS).

mock_provider "aws" {
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/test-durable-role"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/test-durable"
    }
  }
  mock_resource "aws_cloudformation_stack" {
    defaults = {
      outputs = {
        FunctionName = "test-durable"
        FunctionArn  = "arn:aws:lambda:us-east-1:123456789012:function:test-durable"
        AliasArn     = "arn:aws:lambda:us-east-1:123456789012:function:test-durable:live"
        Version      = "1"
      }
    }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:us-east-1:123456789012:test-durable-dlq"
      id  = "https://sqs.us-east-1.amazonaws.com/123456789012/test-durable-dlq"
    }
  }
  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }
}

variables {
  function = {
    name                  = "test-durable"
    handler               = "order_processing.orchestrator.handler"
    artifact_bucket       = "test-artifacts"
    package_path          = "tests/fixtures/code-a.pkg"
    environment           = "dev"
    service_name          = "order-processing"
    layers                = ["arn:aws:lambda:us-east-1:123456789012:layer:deps:1"]
    environment_variables = { RECORD_CONCURRENCY = "3" }
    policy_statements = [{
      sid       = "Table"
      actions   = ["dynamodb:GetItem"]
      resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/t"]
    }]
  }
  execution_timeout     = 900
  retention_period_days = 7
  chained_functions = {
    WORKER_FUNCTION = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-worker", version = "3" }
  }
}

run "stack_carries_durable_config_version_and_alias" {
  command = apply

  assert {
    condition = jsondecode(aws_cloudformation_stack.this.template_body).Resources.Function.Properties.DurableConfig == {
      ExecutionTimeout      = 900
      RetentionPeriodInDays = 7
    }
    error_message = "The function's DurableConfig must carry execution_timeout and retention_period_days."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.this.template_body).Resources.Alias.Properties.Name == "live"
    error_message = "The alias must be called live."
  }

  assert {
    condition = length([
      for k, r in jsondecode(aws_cloudformation_stack.this.template_body).Resources : k
      if r.Type == "AWS::Lambda::Version" && startswith(k, "Version") && r.DeletionPolicy == "Retain"
    ]) == 1
    error_message = "Exactly one retained AWS::Lambda::Version with a hashed logical id is expected."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.this.template_body).Resources.Function.Properties.Code.S3Key == "functions/test-durable/${filesha256("tests/fixtures/code-a.pkg")}.zip"
    error_message = "The code must come from the content-addressed S3 object."
  }

  assert {
    condition     = module.base.s3_key == jsondecode(aws_cloudformation_stack.this.template_body).Resources.Function.Properties.Code.S3Key
    error_message = "The uploaded object and the stack must agree on the code key."
  }

  assert {
    condition = jsondecode(aws_cloudformation_stack.this.template_body).Resources.Function.Properties.Environment.Variables == {
      RECORD_CONCURRENCY           = "3"
      WORKER_FUNCTION              = { Ref = "WorkerFunction" }
      ENVIRONMENT                  = "dev"
      POWERTOOLS_SERVICE_NAME      = "order-processing"
      POWERTOOLS_METRICS_NAMESPACE = "DurableDeploy"
      POWERTOOLS_LOG_LEVEL         = "INFO"
    }
    error_message = "Environment must hold the caller's variables, the pinned chained functions (stack parameters) plus ENVIRONMENT and the Powertools settings."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.this.template_body).Resources.Function.Properties.TracingConfig.Mode == "Active"
    error_message = "X-Ray tracing must be active by default."
  }

  assert {
    condition     = aws_cloudformation_stack.this.parameters.RoleArn == module.base.role_arn
    error_message = "The stack must run the function with the module's role."
  }

  assert {
    condition     = module.base.log_group_name == "/aws/lambda/test-durable" && module.base.log_group_retention_in_days == 30
    error_message = "The function needs its own log group with a retention."
  }

  assert {
    condition     = output.alias_arn == "arn:aws:lambda:us-east-1:123456789012:function:test-durable:live" && output.function_version == "1"
    error_message = "Outputs must come from the stack outputs."
  }
}

run "iam_is_least_privilege" {
  command = apply

  assert {
    condition = {
      for s in jsondecode(module.base.policy_json).Statement : s.Sid => s.Resource
      } == {
      OwnLogGroup                 = ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/test-durable:*"]
      DurableExecutionState       = ["arn:aws:lambda:us-east-1:123456789012:function:test-durable:*"]
      ChainedInvokePinnedVersions = ["arn:aws:lambda:us-east-1:123456789012:function:test-worker:*"]
      ChainedInvokeNeverLatest = [
        "arn:aws:lambda:us-east-1:123456789012:function:test-worker",
        "arn:aws:lambda:us-east-1:123456789012:function:test-worker:$LATEST",
      ]
      DeadLetterQueue = ["arn:aws:sqs:us-east-1:123456789012:test-durable-dlq"]
      XRayWrite       = ["*"]
      Table           = ["arn:aws:dynamodb:us-east-1:123456789012:table/t"]
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

  assert {
    condition = (
      one([for s in jsondecode(module.base.policy_json).Statement : s.Effect if s.Sid == "ChainedInvokeNeverLatest"]) == "Deny" &&
      one([for s in jsondecode(module.base.policy_json).Statement : s.Action if s.Sid == "DeadLetterQueue"]) == ["sqs:SendMessage"]
    )
    error_message = "Invoking a chained function unqualified or as $LATEST must be denied; the role must be able to dead-letter."
  }

  assert {
    condition     = contains(flatten([for s in jsondecode(module.base.policy_json).Statement : s.Action if s.Sid == "DurableExecutionState"]), "lambda:CheckpointDurableExecution")
    error_message = "The role must be allowed to checkpoint its durable executions."
  }
}

run "chained_functions_are_pinned_versions" {
  command = apply

  assert {
    condition     = aws_cloudformation_stack.this.parameters.WorkerFunction == "arn:aws:lambda:us-east-1:123456789012:function:test-worker:3"
    error_message = "The stack parameter behind WORKER_FUNCTION must be the version-qualified ARN of this release's worker."
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.this.template_body).Parameters.WorkerFunction.Type == "String"
    error_message = "The template must declare the pinned worker parameter."
  }

  assert {
    condition     = output.chained_function_qualified_arns == { WORKER_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:test-worker:3" }
    error_message = "The module must report which worker versions this release calls."
  }
}

run "new_worker_version_publishes_new_version" {
  command = apply

  variables {
    chained_functions = {
      WORKER_FUNCTION = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-worker", version = "4" }
    }
  }

  assert {
    condition     = aws_cloudformation_stack.this.parameters.ConfigDigest != run.chained_functions_are_pinned_versions.stack_parameters.ConfigDigest
    error_message = "A new worker version must change ConfigDigest, i.e. replace the Version resource and publish a new version."
  }

  assert {
    condition     = aws_cloudformation_stack.this.template_body == run.chained_functions_are_pinned_versions.cloudformation_template
    error_message = "The template must stay the same (and known at plan time): the pinned version is a parameter."
  }
}

run "failed_async_executions_go_to_an_encrypted_dlq" {
  command = apply

  assert {
    condition     = jsondecode(aws_cloudformation_stack.this.template_body).Resources.Function.Properties.DeadLetterConfig == { TargetArn = { Ref = "DeadLetterQueueArn" } }
    error_message = "The function's DeadLetterConfig must target the DLQ parameter."
  }

  assert {
    condition     = aws_cloudformation_stack.this.parameters.DeadLetterQueueArn == aws_sqs_queue.dead_letter.arn
    error_message = "The DLQ parameter must be the module's queue."
  }

  assert {
    condition     = aws_sqs_queue.dead_letter.name == "test-durable-dlq" && aws_sqs_queue.dead_letter.sqs_managed_sse_enabled && aws_sqs_queue.dead_letter.message_retention_seconds >= 1209600
    error_message = "The DLQ must be encrypted and keep messages 14 days."
  }
}

run "no_wildcard_without_tracing_or_chaining" {
  command = apply

  variables {
    function          = merge(var.function, { tracing_mode = "PassThrough", policy_statements = [] })
    chained_functions = {}
  }

  assert {
    condition     = alltrue([for s in jsondecode(module.base.policy_json).Statement : !contains(s.Resource, "*")])
    error_message = "Without X-Ray no statement may use Resource \"*\"."
  }

  assert {
    condition     = length(setintersection([for s in jsondecode(module.base.policy_json).Statement : s.Sid], ["ChainedInvokePinnedVersions", "ChainedInvokeNeverLatest"])) == 0
    error_message = "A function that chains nothing must not be allowed to invoke."
  }
}

run "code_change_publishes_new_version" {
  command = apply

  variables {
    function = merge(var.function, { package_path = "tests/fixtures/code-b.pkg" })
  }

  assert {
    condition     = keys(jsondecode(aws_cloudformation_stack.this.template_body).Resources) != keys(jsondecode(run.stack_carries_durable_config_version_and_alias.cloudformation_template).Resources)
    error_message = "New code must give the Version a new logical id (a new published version)."
  }
}

run "config_change_publishes_new_version" {
  command = apply

  variables {
    function = merge(var.function, { log_level = "DEBUG" })
  }

  assert {
    condition     = keys(jsondecode(aws_cloudformation_stack.this.template_body).Resources) != keys(jsondecode(run.stack_carries_durable_config_version_and_alias.cloudformation_template).Resources)
    error_message = "New configuration must give the Version a new logical id (a new published version)."
  }
}

run "unchanged_input_keeps_version" {
  command = apply

  assert {
    condition     = aws_cloudformation_stack.this.template_body == run.stack_carries_durable_config_version_and_alias.cloudformation_template
    error_message = "Identical input must give an identical template (no spurious versions)."
  }
}

run "retain_on_delete_keeps_function_and_alias" {
  command = plan

  variables {
    retain_on_delete = true
  }

  assert {
    condition = alltrue([
      for k in ["Function", "Alias"] : jsondecode(aws_cloudformation_stack.this.template_body).Resources[k].DeletionPolicy == "Retain"
    ])
    error_message = "retain_on_delete must retain the function and alias."
  }
}

run "rejects_execution_timeout_out_of_range" {
  command = plan
  variables {
    execution_timeout = 31622401
  }
  expect_failures = [var.execution_timeout]
}

run "rejects_zero_execution_timeout" {
  command = plan
  variables {
    execution_timeout = 0
  }
  expect_failures = [var.execution_timeout]
}

run "rejects_retention_out_of_range" {
  command = plan
  variables {
    retention_period_days = 91
  }
  expect_failures = [var.retention_period_days]
}

run "rejects_non_durable_runtime" {
  command = plan
  variables {
    function = merge(var.function, { runtime = "python3.12" })
  }
  expect_failures = [var.function]
}

run "rejects_chained_latest" {
  command = plan
  variables {
    chained_functions = {
      WORKER_FUNCTION = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-worker", version = "$LATEST" }
    }
  }
  expect_failures = [var.chained_functions]
}

run "rejects_chained_alias" {
  command = plan
  variables {
    chained_functions = {
      WORKER_FUNCTION = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-worker", version = "live" }
    }
  }
  expect_failures = [var.chained_functions]
}

run "rejects_qualified_chained_function_arn" {
  command = plan
  variables {
    chained_functions = {
      WORKER_FUNCTION = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-worker:live", version = "3" }
    }
  }
  expect_failures = [var.chained_functions]
}

run "rejects_chained_key_not_a_function_variable" {
  command = plan
  variables {
    chained_functions = {
      WORKER = { function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-worker", version = "3" }
    }
  }
  expect_failures = [var.chained_functions]
}

run "rejects_chained_key_also_in_environment" {
  command = plan
  variables {
    function = merge(var.function, { environment_variables = { WORKER_FUNCTION = "test-worker" } })
  }
  expect_failures = [var.chained_functions]
}

# Releases (release.tf). The rendering of a canary from a controller-written record needs the record's refreshed
# value, which a mock provider does not give (tests/e2e/test_canary_release.py covers it against the emulator).
run "all_at_once_moves_the_alias_to_the_new_version" {
  command = apply

  assert {
    condition     = jsondecode(aws_cloudformation_stack.this.template_body).Resources.Alias.Properties.FunctionVersion["Fn::GetAtt"][1] == "Version"
    error_message = "An all-at-once release must point the alias at the version it publishes."
  }

  assert {
    condition     = !can(jsondecode(aws_cloudformation_stack.this.template_body).Resources.Alias.Properties.RoutingConfig)
    error_message = "An all-at-once release must not route by weight."
  }

  assert {
    condition     = aws_ssm_parameter.release.name == "/durable-deploy/test-durable/release" && jsondecode(aws_ssm_parameter.release.insecure_value).stable == null
    error_message = "The release record must start empty, at /durable-deploy/<function>/release."
  }
}

run "first_canary_release_without_a_record_takes_every_execution" {
  command = apply
  variables {
    release = { strategy = "canary" }
  }

  assert {
    condition     = !output.release.canary_in_progress && !can(jsondecode(aws_cloudformation_stack.this.template_body).Resources.Alias.Properties.RoutingConfig)
    error_message = "With nothing recorded stable, the first release must take every new execution."
  }
}

run "rejects_unknown_strategy_and_share_out_of_range" {
  command = plan
  variables {
    release = { strategy = "blue-green", canary_share = 1 }
  }
  expect_failures = [var.release]
}

run "the_environment_key_encrypts_payloads_dlq_and_logs" {
  command = apply

  variables {
    kms_key = { arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }

  assert {
    condition = jsondecode(aws_cloudformation_stack.this.template_body).Resources.Function.Properties.DurableConfig == {
      ExecutionTimeout      = 900
      RetentionPeriodInDays = 7
      KMSKeyArn             = { Ref = "KmsKeyArn" }
    }
    error_message = "DurableConfig.KMSKeyArn must name the key (through the KmsKeyArn stack parameter)."
  }

  assert {
    condition     = aws_cloudformation_stack.this.parameters.KmsKeyArn == var.kms_key.arn
    error_message = "The KmsKeyArn parameter must be the environment's key."
  }

  assert {
    condition     = aws_sqs_queue.dead_letter.kms_master_key_id == var.kms_key.arn
    error_message = "The DLQ must be encrypted with the environment's key."
  }

  assert {
    condition     = module.base.log_group_kms_key_id == var.kms_key.arn
    error_message = "The log group must be encrypted with the environment's key."
  }

  assert {
    condition = one([for s in jsondecode(module.base.policy_json).Statement : s if s.Sid == "EnvironmentKey"]) == {
      Sid      = "EnvironmentKey"
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource = [var.kms_key.arn]
    }
    error_message = "The role must get exactly kms:Decrypt and kms:GenerateDataKey, on the environment's key only."
  }
}

run "without_a_key_nothing_names_one" {
  command = apply

  assert {
    condition = (
      !can(jsondecode(aws_cloudformation_stack.this.template_body).Resources.Function.Properties.DurableConfig.KMSKeyArn) &&
      !contains(keys(aws_cloudformation_stack.this.parameters), "KmsKeyArn") &&
      !can(jsondecode(aws_cloudformation_stack.this.template_body).Parameters.KmsKeyArn) &&
      aws_sqs_queue.dead_letter.kms_master_key_id == null &&
      module.base.log_group_kms_key_id == null &&
      length([for s in jsondecode(module.base.policy_json).Statement : s if startswith(s.Action[0], "kms:")]) == 0
    )
    error_message = "Without a key the template, the DLQ, the log group and the role must not mention one."
  }
}
