# S3 backend of prod (terraform init -backend-config=environments/prod/backend.hcl, done by the Makefile).
# Native S3 locking (use_lockfile, Terraform >= 1.10): no DynamoDB lock table. Create the bucket once with
# `make bootstrap-state ENV=prod` (see environments/README.md).
bucket       = "durable-deploy-tfstate-prod-222222222222"
key          = "durable-deploy/prod/terraform.tfstate"
region       = "us-east-1"
encrypt      = true
use_lockfile = true
