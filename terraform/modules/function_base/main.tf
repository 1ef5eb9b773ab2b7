# What every function of this project has around it, durable or not: the content-addressed code object, an
# execution role with a least-privilege inline policy, and its own log group (encrypted with the environment's key
# when one is given).

locals {
  package_sha256 = filesha256(var.function.package_path)
  log_group_name = "/aws/lambda/${var.function.name}"

  environment_variables = merge(var.function.environment_variables, {
    ENVIRONMENT                  = var.function.environment
    POWERTOOLS_SERVICE_NAME      = var.function.service_name
    POWERTOOLS_METRICS_NAMESPACE = var.function.metrics_namespace
    POWERTOOLS_LOG_LEVEL         = var.function.log_level
  })

  # Account and partition come from the role's ARN, so no STS call is needed (plans run offline).
  role_arn_parts = split(":", aws_iam_role.this.arn)

  statements = concat(
    [{
      Sid      = "OwnLogGroup"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
    }],
    var.function.tracing_mode != "Active" ? [] : [{
      Sid    = "XRayWrite"
      Effect = "Allow"
      # X-Ray's write actions support no resource-level permissions: "*" is the narrowest resource there is.
      # (Allow-listed with this reason in scripts/lint/iam_policies.py STAR_RESOURCE_ACTIONS.)
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      Resource = ["*"]
    }],
    # The environment's key: exactly the actions this function's use of it needs (its queues, tables, payloads).
    var.kms_key == null ? [] : length(var.kms_key.actions) == 0 ? [] : [{
      Sid      = "EnvironmentKey"
      Effect   = "Allow"
      Action   = sort(var.kms_key.actions)
      Resource = [var.kms_key.arn]
    }],
    [for s in concat(var.module_policy_statements, var.function.policy_statements) : merge(
      s.sid == null ? {} : { Sid = s.sid },
      { Effect = s.effect, Action = s.actions, Resource = s.resources },
    )],
  )
}

resource "aws_s3_object" "package" {
  bucket       = var.function.artifact_bucket
  key          = "${var.function.artifact_key_prefix}${var.function.name}/${local.package_sha256}.zip"
  source       = var.function.package_path
  content_type = "application/zip"
  tags         = var.function.tags

  # The key carries the content hash, so a new zip is a new object; the local path may differ between machines.
  lifecycle {
    ignore_changes = [source]
  }
}

resource "aws_iam_role" "this" {
  name        = "${var.function.name}-role"
  description = var.role_description
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaAssumeRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
  tags = var.function.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.function.name}-policy"
  role   = aws_iam_role.this.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.statements })
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is an environment decision (log_retention_days): prod keeps 365 days, dev and local less on purpose.
  name              = local.log_group_name
  retention_in_days = var.function.log_retention_days
  kms_key_id        = var.kms_key == null ? null : var.kms_key.arn
  tags              = var.function.tags
}
