# One-off bootstrap of the S3 bucket that holds an environment's Terraform state (`make bootstrap-state ENV=...`
# reads bucket and region from environments/<env>/backend.hcl). Runs on local state, which is disposable: the
# bucket cannot be destroyed by Terraform and would be imported (`terraform import`) if this is ever rerun.

terraform {
  required_version = ">= 1.10.0"

  backend "local" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "bucket" {
  description = "Name of the state bucket (the `bucket` of environments/<env>/backend.hcl)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket))
    error_message = "bucket must be an S3 bucket name: 3 to 63 lowercase letters, digits, '.' or '-'."
  }
}

variable "region" {
  description = "Region of the state bucket (the `region` of environments/<env>/backend.hcl)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be a region name such as us-east-1."
  }
}

provider "aws" {
  region = var.region
}

resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_18:Access to state is audited by CloudTrail data events where required; a log bucket per state bucket adds nothing here.
  #checkov:skip=CKV_AWS_144:State is versioned; cross-region replication is a disaster-recovery decision outside this project.
  #checkov:skip=CKV_AWS_145:SSE-S3 encrypts state at rest; a CMK would have to exist before the state that could manage it.
  #checkov:skip=CKV2_AWS_62:Nothing consumes events of the state bucket.
  bucket = var.bucket

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

output "state_bucket" {
  description = "Name of the state bucket."
  value       = aws_s3_bucket.state.id
}
