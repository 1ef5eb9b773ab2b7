# One durable Lambda function. Provider 5.100 has no `durable_config` on aws_lambda_function, so the function,
# its published versions and the alias live in a CloudFormation stack that carries DurableConfig. Terraform owns
# everything around it: the code object in S3, the role, the log group. See README.md for the move to native
# `durable_config` (provider >= 6.25) without losing the function or its execution history.

module "base" {
  source = "../function_base"

  function         = var.function
  role_description = "Execution role of the durable function ${var.function.name}"
  # Lambda encrypts this function's durable payloads (input, checkpoints, result, errors) with the key as its role,
  # and so does SQS for what the function sends to its DLQ: both need new data keys and decryption.
  kms_key = var.kms_key == null ? null : { arn = var.kms_key.arn, actions = ["kms:Decrypt", "kms:GenerateDataKey"] }
  module_policy_statements = concat(
    [
      # Checkpoint/state calls are authorised on function:NAME:VERSION/durable-execution/..., i.e. function:NAME:*.
      {
        sid       = "DurableExecutionState"
        actions   = ["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"]
        resources = ["${local.function_arn}:*"]
      },
    ],
    # Pinned releases: every version of this function calls the worker versions it was released with. The role is
    # shared by all of this function's versions, and executions in flight on an older version still call that
    # release's (older) worker versions, so the grant is every published version of exactly the chained
    # functions (function:NAME:*), and never the unqualified function or $LATEST (denied outright).
    [for statement in [
      {
        sid       = "ChainedInvokePinnedVersions"
        effect    = "Allow"
        actions   = ["lambda:InvokeFunction"]
        resources = [for f in local.chained_function_arns : "${f}:*"]
      },
      {
        sid       = "ChainedInvokeNeverLatest"
        effect    = "Deny"
        actions   = ["lambda:InvokeFunction"]
        resources = flatten([for f in local.chained_function_arns : [f, "${f}:$LATEST"]])
      },
    ] : statement if length(var.chained_functions) > 0],
    [{
      # Asynchronous invocations whose durable execution ends FAILED, TIMED_OUT or STOPPED.
      sid       = "DeadLetterQueue"
      actions   = ["sqs:SendMessage"]
      resources = [aws_sqs_queue.dead_letter.arn]
    }],
  )
}

data "aws_region" "current" {}

locals {
  function_arn = "arn:${module.base.partition}:lambda:${data.aws_region.current.name}:${module.base.account_id}:function:${var.function.name}"

  deletion_policy = var.retain_on_delete ? "Retain" : "Delete"

  # Chained functions, pinned: ENV_VAR => stack parameter holding the version-qualified ARN. The template refers to
  # the parameter, so it stays known at plan time while a worker's new version is not; a new worker version changes
  # the parameter, hence ConfigDigest, hence publishes a new version of this function.
  chained_function_arns = distinct([for f in values(var.chained_functions) : f.function_arn])
  chained_parameters = {
    for env_var, f in var.chained_functions :
    join("", [for word in split("_", lower(env_var)) : title(word)]) => { env_var = env_var, qualified_arn = "${f.function_arn}:${f.version}" }
  }

  # Everything below is known at plan time (values that are not - role, bucket, layers, dead-letter queue, pinned
  # chained versions, the environment's key - are stack parameters), so a plan shows the whole function definition, DurableConfig included.
  function_properties = merge(
    {
      FunctionName  = var.function.name
      Description   = var.function.description
      Handler       = var.function.handler
      Runtime       = var.function.runtime
      Architectures = ["x86_64"]
      MemorySize    = var.function.memory_size
      Timeout       = var.function.timeout
      Role          = { Ref = "RoleArn" }
      Code          = { S3Bucket = { Ref = "CodeS3Bucket" }, S3Key = module.base.s3_key }
      Environment = {
        Variables = merge(module.base.environment_variables, { for p, c in local.chained_parameters : c.env_var => { Ref = p } })
      }
      DeadLetterConfig = { TargetArn = { Ref = "DeadLetterQueueArn" } }
      TracingConfig    = { Mode = var.function.tracing_mode }
      LoggingConfig    = { LogGroup = module.base.log_group_name, LogFormat = "JSON" }
      DurableConfig = merge(
        {
          ExecutionTimeout      = var.execution_timeout
          RetentionPeriodInDays = var.retention_period_days
        },
        # The environment's key encrypts this function's durable payloads (a stack parameter: unknown at plan time).
        var.kms_key == null ? {} : { KMSKeyArn = { Ref = "KmsKeyArn" } },
      )
      Tags = [for k, v in var.function.tags : { Key = k, Value = v }]
    },
    length(var.function.layers) > 0 ? { Layers = { Ref = "LayerArns" } } : {},
    var.function.reserved_concurrency == null ? {} : { ReservedConcurrentExecutions = var.function.reserved_concurrency },
  )

  # A change of code or configuration gives the Version resource a new logical id, so CloudFormation publishes a
  # new version and moves the alias to it. Changes of the parameters (role, bucket, layer versions) reach the
  # Version through its Description (ConfigDigest), which also forces a replacement, i.e. a new version.
  version_logical_id = "Version${substr(sha256(jsonencode(local.function_properties)), 0, 16)}"

  parameters = merge(
    {
      RoleArn            = module.base.role_arn
      CodeS3Bucket       = module.base.s3_bucket
      LayerArns          = join(",", var.function.layers)
      DeadLetterQueueArn = aws_sqs_queue.dead_letter.arn
    },
    { for p, c in local.chained_parameters : p => c.qualified_arn },
    var.kms_key == null ? {} : { KmsKeyArn = var.kms_key.arn },
  )

  config_digest = sha256(jsonencode(local.parameters))

  template = {
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "Durable Lambda function ${var.function.name} (managed by Terraform)"
    Parameters = merge(
      {
        RoleArn      = { Type = "String" }
        CodeS3Bucket = { Type = "String" }
        # No Default: an empty list is no valid Layers value (cfn-lint W1030); Terraform always passes one.
        LayerArns          = { Type = "CommaDelimitedList" }
        DeadLetterQueueArn = { Type = "String" }
        ConfigDigest       = { Type = "String" }
      },
      { for p, c in local.chained_parameters : p => { Type = "String", Description = "Pinned version of ${c.env_var}" } },
      var.kms_key == null ? {} : { KmsKeyArn = { Type = "String", Description = "The environment's key (DurableConfig.KMSKeyArn)" } },
    )
    Resources = {
      Function = {
        Type                = "AWS::Lambda::Function"
        DeletionPolicy      = local.deletion_policy
        UpdateReplacePolicy = local.deletion_policy
        Properties          = local.function_properties
      }
      # Old versions are always retained: in-flight durable executions resume on the version they started on.
      (local.version_logical_id) = {
        Type                = "AWS::Lambda::Version"
        DeletionPolicy      = "Retain"
        UpdateReplacePolicy = "Retain"
        Properties = {
          FunctionName = { Ref = "Function" }
          Description  = { "Fn::Sub" = "code ${module.base.package_sha256} config $${ConfigDigest}" }
        }
      }
      Alias = {
        Type                = "AWS::Lambda::Alias"
        DeletionPolicy      = local.deletion_policy
        UpdateReplacePolicy = local.deletion_policy
        # release.tf: the new version, or the stable one with a share of new executions routed to the new one.
        Properties = merge({
          Name            = var.alias_name
          FunctionName    = { Ref = "Function" }
          FunctionVersion = local.alias_function_version
        }, local.alias_routing)
      }
    }
    Outputs = {
      FunctionName = { Value = { Ref = "Function" } }
      FunctionArn  = { Value = { "Fn::GetAtt" = ["Function", "Arn"] } }
      Version      = { Value = { "Fn::GetAtt" = [local.version_logical_id, "Version"] } }
      AliasArn     = { Value = { Ref = "Alias" } }
    }
  }
}

# Durable functions have no Lambda destinations: an asynchronous invocation whose execution ends FAILED, TIMED_OUT
# or STOPPED goes to this queue (DeadLetterConfig). Its depth is alarmed in terraform/modules/durable_monitoring.
resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.function.name}-dlq"
  message_retention_seconds = 1209600 # 14 days, SQS's maximum
  sqs_managed_sse_enabled   = var.kms_key == null ? true : null
  kms_master_key_id         = var.kms_key == null ? null : var.kms_key.arn
  tags                      = var.function.tags
}

resource "aws_cloudformation_stack" "this" {
  #checkov:skip=CKV_AWS_124:Terraform drives this stack synchronously and fails the apply on any stack error; stack events stay in CloudTrail.
  name          = "${var.function.name}-durable-function"
  template_body = jsonencode(local.template)
  parameters = merge(local.parameters, {
    ConfigDigest = local.config_digest
  })
  timeout_in_minutes = 30
  tags               = var.function.tags

  # The function must be able to write logs and checkpoints from its first invocation.
  depends_on = [module.base]

  lifecycle {
    # A creation-time guard, not part of the stack's content; the local emulator does not report it back, and
    # replacing a stack for it would replace the function (and end its durable executions' history).
    ignore_changes = [timeout_in_minutes]
  }
}
