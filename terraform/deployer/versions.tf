terraform {
  required_version = ">= 1.10.0"

  # Local state, like terraform/bootstrap's: an administrator applies this once per environment (`make deployer
  # ENV=<env>`: environments/<env>/deployer.tfstate, git-ignored; ENV=local: build/local/deployer.tfstate).
  backend "local" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region              = var.aws_region
  allowed_account_ids = var.emulator ? null : [var.account_id]

  skip_credentials_validation = var.emulator
  skip_requesting_account_id  = var.emulator
  skip_metadata_api_check     = var.emulator
  s3_use_path_style           = var.emulator
}
