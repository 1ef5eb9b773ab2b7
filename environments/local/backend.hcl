# Local backend of the local environment (the Makefile runs it on a copy of terraform/stack under
# build/terraform/local/stack with a generated backend_override.tf selecting the "local" backend).
# The path is relative to that working directory: the state lives in environments/local/terraform.tfstate
# (git-ignored), so `rm -rf build` does not forget what was deployed to a still-running emulator.
path = "../../../../environments/local/terraform.tfstate"
