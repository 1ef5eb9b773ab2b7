# Remote state for dev and prod: bucket, key and region come from environments/<env>/backend.hcl
# (`terraform init -backend-config=...`, done by `make plan|apply ENV=...`). The local environment and every
# EMULATOR=1 plan run on a copy of this root with a generated backend_override.tf that selects the local backend.
terraform {
  backend "s3" {}
}
