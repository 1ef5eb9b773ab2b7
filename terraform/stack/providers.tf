provider "aws" {
  region = var.aws_region
  # Credentials of another account stop every plan and apply before anything is read or changed.
  allowed_account_ids = var.emulator ? null : [var.account_id]

  # Against the local emulator (environments/local, `make plan EMULATOR=1`): the endpoint comes from
  # AWS_ENDPOINT_URL, credentials are fake, and nothing may reach STS or the instance metadata service.
  skip_credentials_validation = var.emulator
  skip_requesting_account_id  = var.emulator
  skip_metadata_api_check     = var.emulator
  s3_use_path_style           = var.emulator

  default_tags {
    tags = local.tags
  }
}
