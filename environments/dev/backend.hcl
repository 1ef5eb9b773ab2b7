# S3 backend of dev (terraform init -backend-config=environments/dev/backend.hcl, done by the Makefile).
# Native S3 locking (use_lockfile, Terraform >= 1.10): no DynamoDB lock table. Create the bucket once with
# `make bootstrap-state ENV=dev` (see environments/README.md).
bucket       = "durable-deploy-tfstate-dev-111111111111"
key          = "durable-deploy/dev/terraform.tfstate"
region       = "us-east-1"
encrypt      = true
use_lockfile = true
