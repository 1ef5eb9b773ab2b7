# A plain (non-durable) Lambda function with its own role and log group; code from a content-addressed S3 object.
# With publish (the default) every change of code or configuration publishes a new version; callers pin
# qualified_arn. Lambda keeps every published version until the function itself is deleted, so the versions that
# older releases of a durable caller pinned stay callable after later applies.

module "base" {
  source = "../function_base"

  function         = var.function
  role_description = "Execution role of the function ${var.function.name}"
  kms_key          = var.kms_key
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously (durable chained invoke); a DLQ only applies to asynchronous invocations.
  #checkov:skip=CKV_AWS_117:Talks only to AWS APIs (DynamoDB); no VPC resources to reach, and a VPC would add NAT cost.
  #checkov:skip=CKV_AWS_173:Environment holds names and settings only, no secrets (the AWS-managed key encrypts it); the environment's key protects the data: queues, tables, durable payloads, logs.
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile this project does not run; zips are built reproducibly and deployed by hash.
  #checkov:skip=CKV_AWS_115:Reserved concurrency is a per-environment choice (function.reserved_concurrency); unreserved by default.
  function_name                  = var.function.name
  description                    = var.function.description
  role                           = module.base.role_arn
  handler                        = var.function.handler
  runtime                        = var.function.runtime
  architectures                  = ["x86_64"]
  memory_size                    = var.function.memory_size
  timeout                        = var.function.timeout
  s3_bucket                      = module.base.s3_bucket
  s3_key                         = module.base.s3_key
  source_code_hash               = filebase64sha256(var.function.package_path)
  layers                         = var.function.layers
  publish                        = var.publish
  reserved_concurrent_executions = coalesce(var.function.reserved_concurrency, -1)

  environment {
    variables = module.base.environment_variables
  }

  tracing_config {
    mode = var.function.tracing_mode
  }

  logging_config {
    log_format = "JSON"
    log_group  = module.base.log_group_name
  }

  tags = var.function.tags

  # The function must be able to write logs from its first invocation.
  depends_on = [module.base]
}

resource "aws_lambda_alias" "this" {
  count = var.create_alias ? 1 : 0

  name             = var.alias_name
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version
}
