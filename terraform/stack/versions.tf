terraform {
  required_version = ">= 1.10.0" # S3 backend native locking (use_lockfile)

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0" # exact pin in the root; the modules only set lower bounds
    }
  }
}
