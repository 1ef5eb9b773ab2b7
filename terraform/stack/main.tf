# durable-deploy's workloads (workloads.tf reads their declarations), one composition for every environment. What
# differs between environments lives in environments/<env>/terraform.tfvars.

locals {
  prefix = var.environment
  tags = merge(var.tags, {
    Project     = "durable-deploy"
    Environment = var.environment
    ManagedBy   = "terraform"
  })

  # Settings every function shares (terraform/modules/function_base validates them); each function adds its name,
  # handler, package and own settings.
  function_defaults = {
    environment        = var.environment
    artifact_bucket    = aws_s3_bucket.artifacts.id
    layers             = [aws_lambda_layer_version.dependencies.arn]
    log_level          = var.log_level
    log_retention_days = var.log_retention_days
    tracing_mode       = var.tracing_mode
    metrics_namespace  = "DurableDeploy"
    tags               = local.tags
  }

  # Local environment only: durable handlers checkpoint through the local front (local/README.md).
  local_durable_environment = var.local_durable_endpoint == null ? {} : { AWS_ENDPOINT_URL_LAMBDA = var.local_durable_endpoint }

  # Release strategy of every durable function (var.releases; all-at-once unless set).
  releases = { for k in keys(local.durable_functions) : k => try(var.releases[k], local.all_at_once) }
  all_at_once = {
    strategy      = "all-at-once", canary_share = 0.1, bake_seconds = 600, max_failure_rate = 0.05, min_executions = 10,
    outcome_field = null
  }
}

# ------------------------------------------------------------------------------------------------
# Artifacts: content-addressed code objects and the shared dependency layer
# ------------------------------------------------------------------------------------------------
resource "aws_s3_bucket" "artifacts" {
  #checkov:skip=CKV_AWS_18:Holds build artifacts written only by Terraform; CloudTrail records the API calls, access logs would add a second bucket per environment.
  #checkov:skip=CKV_AWS_144:Artifacts are rebuilt byte-identically from git by `make package`; replication adds nothing.
  #checkov:skip=CKV_AWS_145:SSE-S3 (AES256) is enough for code zips; a CMK would need key policies for CloudFormation and Lambda.
  #checkov:skip=CKV2_AWS_62:Nothing consumes events of this bucket.
  bucket_prefix = "${local.prefix}-durable-deploy-artifacts-"
  force_destroy = !var.deletion_protection
}

resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    id     = "expire-replaced-artifacts"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_object" "layer" {
  bucket       = aws_s3_bucket.artifacts.id
  key          = "layers/dependencies/${filesha256("${var.dist_dir}/layer.zip")}.zip"
  source       = "${var.dist_dir}/layer.zip"
  content_type = "application/zip"

  # The key carries the content hash; the local path may differ between machines. The local emulator does not
  # keep tags on this large (multipart) upload, so they are set once at creation and not compared afterwards.
  lifecycle {
    ignore_changes = [source, tags_all]
  }
}

resource "aws_lambda_layer_version" "dependencies" {
  layer_name               = "${local.prefix}-durable-deploy-dependencies"
  description              = "Runtime dependencies of pyproject.toml for python3.13 x86_64"
  s3_bucket                = aws_s3_object.layer.bucket
  s3_key                   = aws_s3_object.layer.key
  source_code_hash         = filebase64sha256("${var.dist_dir}/layer.zip")
  compatible_runtimes      = ["python3.13"]
  compatible_architectures = ["x86_64"]
  # Older function versions (which in-flight durable executions replay on) keep referencing old layer versions.
  skip_destroy = true
}

# ------------------------------------------------------------------------------------------------
# Functions
# ------------------------------------------------------------------------------------------------
module "worker" {
  source   = "../modules/worker_function"
  for_each = local.workers

  function = merge(local.function_defaults, {
    name                  = "${local.prefix}-${each.key}"
    description           = each.value.description
    handler               = each.value.handler
    package_path          = "${var.dist_dir}/${each.value.workload}.zip"
    service_name          = replace(each.value.workload, "_", "-")
    environment_variables = each.value.environment_variables
    policy_statements     = each.value.policy_statements
    timeout               = 30
  })
  # Its log group, and the tables it uses (kms:Decrypt), are encrypted with the environment's key.
  kms_key = !local.key_enabled ? null : {
    arn     = local.environment_key_arn
    actions = contains(keys(local.table_user_role_arns), each.key) ? local.key_use.TableUsers.actions : []
  }
}

module "durable" {
  source   = "../modules/durable_function"
  for_each = local.durable_functions

  function = merge(local.function_defaults, {
    name                  = "${local.prefix}-${each.key}"
    description           = each.value.description
    handler               = each.value.handler
    package_path          = "${var.dist_dir}/${each.value.workload}.zip"
    service_name          = replace(each.value.workload, "_", "-")
    environment_variables = merge(each.value.environment_variables, local.local_durable_environment)
    timeout               = each.value.timeout
    reserved_concurrency  = each.value.reserved_concurrency
  })
  execution_timeout     = each.value.execution_timeout
  retention_period_days = var.durable_retention_days
  kms_key               = local.key_enabled ? { arn = local.environment_key_arn } : null
  retain_on_delete      = var.deletion_protection
  release = {
    strategy     = local.releases[each.key].strategy
    canary_share = local.releases[each.key].canary_share
  }

  # Pinned release: each *_FUNCTION variable names the worker version published by this apply, so a version of
  # the durable function always calls the workers it was released with (and `make rollback` rolls them back too).
  chained_functions = {
    for env_var, w in each.value.chained_workers : env_var => {
      function_arn = module.worker[w].function_arn
      version      = module.worker[w].function_version
    }
  }
}

# ------------------------------------------------------------------------------------------------
# State: DynamoDB tables (order inventory, processed pipeline data)
# ------------------------------------------------------------------------------------------------
locals {
  tables = {
    inventory      = "pk"
    processed-data = "execution_id"
  }
}

resource "aws_dynamodb_table" "this" {
  for_each = local.tables

  name                        = "${local.prefix}-${each.key}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = each.value
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  # The environment's key where there is one (environment_key.tf), else DynamoDB's AWS managed key.
  server_side_encryption {
    enabled     = true
    kms_key_arn = local.environment_key_arn
  }
}

# ------------------------------------------------------------------------------------------------
# Alarm notifications
# ------------------------------------------------------------------------------------------------
resource "aws_sns_topic" "alarms" {
  count = var.alarms.enabled ? 1 : 0

  name              = "${local.prefix}-durable-deploy-alarms"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count = var.alarms.enabled && var.alarms.email != null ? 1 : 0

  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = var.alarms.email
}
