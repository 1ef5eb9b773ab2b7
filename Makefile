# durable-deploy: one entry point for building, testing and shipping the durable-function workloads.
# `make help` lists the targets. Every target creates what it needs (virtualenv, build/) on a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
BUILD  := build
PY_SOURCES := functions tests scripts benchmarks local replay ops releases .github/scripts

# Terraform always runs with the CLI configuration the project ships when the offline provider mirror is
# present (this workplace and CI); elsewhere Terraform installs providers from the registry as usual.
TF_PLUGIN_MIRROR ?= /opt/tf-plugins
ifneq ($(wildcard $(TF_PLUGIN_MIRROR)),)
export TF_CLI_CONFIG_FILE := $(CURDIR)/terraform/cli/offline.tfrc
endif

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-16s %s\n", $$1, $$2}'

# --------------------------------------------------------------------------------------------------
# Python: virtualenv, tests, lint
# --------------------------------------------------------------------------------------------------
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

.PHONY: venv
venv: $(VENV)/.installed ## Create the project virtualenv (.venv) with runtime and dev dependencies

.PHONY: test-python
test-python: venv ## Unit tests of the handlers (durable testing runner, moto) and of the CI workflows
	$(BIN)/pytest tests/unit tests/ci

.PHONY: lint-python
lint-python: venv
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)
	$(BIN)/mypy

.PHONY: format
format: venv ## Format Python and Terraform sources in place
	$(BIN)/ruff format $(PY_SOURCES)
	$(BIN)/ruff check --fix $(PY_SOURCES)
	terraform fmt -recursive terraform environments

# A workflow of your own: functions/<package>/ (handler, worker, workload.json), an example and a unit test; every
# other tool reads the declaration (README "Add your own workflow").
.PHONY: new-workflow
new-workflow: venv ## NAME=<kebab-name>: scaffold a durable workflow every tool includes (make apply/invoke/record/…)
	@[[ -n "$(NAME)" ]] || { echo "usage: make new-workflow NAME=<kebab-name>" >&2; exit 2; }
	@$(BIN)/python -m scripts.new_workflow --name '$(NAME)'

# --------------------------------------------------------------------------------------------------
# Packaging
# --------------------------------------------------------------------------------------------------
# One zip per workload (every functions/<workload>/ with a workload.json, plus functions/common; .py only) and one
# dependency layer, all byte-identical on every rebuild. Terraform reads them from build/dist by hash.
WORKLOADS := $(patsubst functions/%/workload.json,%,$(wildcard functions/*/workload.json))
DIST      := $(BUILD)/dist

.PHONY: lock-layer
lock-layer: venv ## Pin the dependency layer's transitive packages (scripts/layer-constraints.txt)
	$(BIN)/python scripts/package.py --lock

.PHONY: package
package: venv ## Build deterministic Lambda zips (workloads + dependency layer) into build/dist
	$(BIN)/python scripts/package.py $(WORKLOADS)

# --------------------------------------------------------------------------------------------------
# Terraform
# --------------------------------------------------------------------------------------------------
# One root (terraform/stack) serves every environment; environments/<env>/ holds terraform.tfvars and
# backend.hcl. dev and prod run the root in place on the S3 backend. ENV=local, and any ENV with EMULATOR=1,
# run a copy of terraform/{stack,modules} under build/terraform/<key>/ with a generated backend_override.tf
# (local backend) against the emulator at AWS_ENDPOINT_URL (default http://127.0.0.1:4566) with fake keys.
# EMULATOR=1 plans start from an empty state every time: they prove an environment's configuration offline.
ENVS       := $(sort $(patsubst environments/%/terraform.tfvars,%,$(wildcard environments/*/terraform.tfvars)))
ENV        ?=
EMULATOR   ?=
CONFIRM    ?=
TF_STACK   := terraform/stack
TF_MODULES := $(sort $(patsubst %/main.tf,%,$(wildcard terraform/modules/*/main.tf)))
TF_BUILD   := $(CURDIR)/$(BUILD)/terraform
EMULATOR_ENDPOINT := $(or $(AWS_ENDPOINT_URL),http://127.0.0.1:4566)
CHECKOV_VERSION   := 3.3.30
CHECKOV_VENV      := .venv-checkov

ifeq ($(ENV),local)
TF_MODE := emulator
TF_KEY  := local
TF_BACKEND_ARGS := -backend-config=$(CURDIR)/environments/local/backend.hcl
else ifneq ($(filter 1 true yes,$(EMULATOR)),)
TF_MODE := emulator
TF_KEY  := $(ENV)-emulator
TF_BACKEND_ARGS :=
else
TF_MODE := remote
TF_KEY  := $(ENV)
TF_BACKEND_ARGS := -backend-config=$(CURDIR)/environments/$(ENV)/backend.hcl
endif

TF_VARS   := -var-file=$(CURDIR)/environments/$(ENV)/terraform.tfvars -var=dist_dir=$(CURDIR)/$(DIST) \
             -var=workloads_dir=$(CURDIR)/functions
ifeq ($(ENV),local)
# Durable handlers checkpoint through the front this apply targets, whatever its port (after the tfvars file, so
# it wins over the file's default; TF_CLI_ARGS_plan would come before it and lose).
TF_VARS   += -var=local_durable_endpoint=$(EMULATOR_ENDPOINT)
endif
PLAN_FILE := $(CURDIR)/$(BUILD)/plan-$(ENV).tfplan
# AS=plan|apply (ENV=local only): Terraform runs as the environment's deployer role (terraform/deployer, applied
# to the emulator by `make deployer ENV=local`), assumed the way GitHub Actions assumes it (OIDC web identity).
# (make's built-in AS, the assembler, is not a deployer role.)
ifeq ($(origin AS),default)
AS :=
endif
DEPLOYER_STATE       = $(if $(filter local,$(ENV)),$(BUILD)/local/deployer.tfstate,environments/$(ENV)/deployer.tfstate)
DEPLOYER_CREDENTIALS = $(CURDIR)/$(BUILD)/deployer/credentials
ifeq ($(TF_MODE),emulator)
TF_WORK := $(TF_BUILD)/$(TF_KEY)
TF_DIR  := $(TF_WORK)/stack
TF_VARS += -var=emulator=true
ifneq ($(AS),)
TF_ENV  := env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN AWS_ENDPOINT_URL=$(EMULATOR_ENDPOINT) \
           AWS_SHARED_CREDENTIALS_FILE=$(DEPLOYER_CREDENTIALS) AWS_PROFILE=$(AS) TF_DATA_DIR=$(TF_BUILD)/$(TF_KEY).data
else
TF_ENV  := env -u AWS_PROFILE AWS_ENDPOINT_URL=$(EMULATOR_ENDPOINT) AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
           AWS_SESSION_TOKEN= TF_DATA_DIR=$(TF_BUILD)/$(TF_KEY).data
endif
else
TF_DIR  := $(CURDIR)/$(TF_STACK)
TF_ENV  := env TF_DATA_DIR=$(TF_BUILD)/$(TF_KEY).data
endif
TF := $(TF_ENV) terraform -chdir=$(TF_DIR)

.PHONY: check-env
check-env:
	@if [[ -z "$(ENV)" || " $(ENVS) " != *" $(ENV) "* ]]; then \
	  echo "error: ENV='$(ENV)' is not an environment. Valid: $(ENVS) (for example: make plan ENV=dev)" >&2; \
	  exit 2; \
	fi

# tf_workcopy DIR: a copy of terraform/{stack,modules} under DIR whose stack keeps its state locally.
define tf_workcopy
	@rm -rf $(1) && mkdir -p $(1)
	@tar -C terraform --exclude=.terraform --exclude='*.tfstate*' --exclude=tests -cf - stack modules | tar -C $(1) -xf -
	@printf '%s\n' '# Generated by make: local state instead of S3.' 'terraform {' '  backend "local" {}' '}' \
	  > $(1)/stack/backend_override.tf
endef

# dev/prod on AWS: usable credentials of the environment's account (sts:GetCallerIdentity) before Terraform runs.
.PHONY: check-credentials
check-credentials: check-env
ifeq ($(TF_MODE),remote)
	@$(MAKE) -s venv >&2
	@$(BIN)/python scripts/check_credentials.py --env $(ENV) --tfvars environments/$(ENV)/terraform.tfvars
endif

# AS=plan|apply: session credentials of that deployer role, in a credentials file under build/deployer/.
.PHONY: deployer-credentials
deployer-credentials: check-env venv
ifneq ($(AS),)
	@[[ "$(ENV)" == local ]] || { echo "error: AS=$(AS) runs as a deployer role in the emulator (ENV=local); dev and prod assume theirs in CI" >&2; exit 2; }
	@[[ "$(AS)" == plan || "$(AS)" == apply ]] || { echo "error: AS must be plan or apply, not '$(AS)'" >&2; exit 2; }
	@[[ -f $(DEPLOYER_STATE) && -d $(TF_BUILD)/deployer-$(ENV).data ]] \
	  || { echo "error: no deployer roles in the emulator: run make deployer ENV=local first" >&2; exit 2; }
	@AWS_ENDPOINT_URL=$(EMULATOR_ENDPOINT) $(BIN)/python scripts/deployer_credentials.py --role $(AS) \
	  --outputs <(TF_DATA_DIR=$(TF_BUILD)/deployer-$(ENV).data terraform -chdir=terraform/deployer output -json) \
	  --out $(DEPLOYER_CREDENTIALS)
endif

# Lay out the working directory and initialise it (all output to stderr, so `make outputs` prints JSON only).
.PHONY: tf-init
tf-init: check-env check-credentials deployer-credentials
ifeq ($(TF_MODE),emulator)
	$(call tf_workcopy,$(TF_WORK))
endif
	@mkdir -p $(TF_BUILD) && $(TF) init -input=false -reconfigure $(TF_BACKEND_ARGS) > $(TF_BUILD)/$(TF_KEY).init.log 2>&1 \
	  || { cat $(TF_BUILD)/$(TF_KEY).init.log >&2; exit 1; }

# Production changes need CONFIRM=prod, CI=true, or a typed "prod" at a terminal.
.PHONY: confirm
confirm: check-env
	@if [[ "$(TF_MODE)" == remote && "$(ENV)" == prod && "$(CONFIRM)" != prod && "$${CI:-}" != true ]]; then \
	  if [[ -t 0 ]]; then \
	    read -r -p "About to change PRODUCTION. Type prod to continue: " answer; [[ "$$answer" == prod ]] || exit 2; \
	  else \
	    echo "error: changing prod needs CONFIRM=prod (or CI=true)" >&2; exit 2; \
	  fi; \
	fi

.PHONY: plan
plan: check-env check-credentials package tf-init ## Plan ENV=<env> [EMULATOR=1]: build/plan-<env>.tfplan + build/plan-<env>.json
	@$(TF) plan -input=false -out=$(PLAN_FILE) $(TF_VARS)
	@$(TF) show -json $(PLAN_FILE) > $(BUILD)/plan-$(ENV).json
	@echo "plan: $(PLAN_FILE) and $(BUILD)/plan-$(ENV).json ($(TF_MODE))" >&2

# PLAN=<file> applies a plan saved earlier (CI applies the plan its reviewers saw) instead of planning anew.
PLAN ?=

.PHONY: saved-plan
saved-plan:
	@[[ -f "$(PLAN)" ]] || { echo "error: PLAN=$(PLAN) is not a file (make plan ENV=$(ENV) writes build/plan-$(ENV).tfplan)" >&2; exit 2; }

.PHONY: apply
apply: confirm $(if $(filter local,$(ENV)),emulator-check) $(if $(PLAN),saved-plan tf-init,plan) ## Apply ENV=<env> [PLAN=file]: plan, then apply exactly that plan (prod: CONFIRM=prod or CI=true)
	@$(TF) apply -input=false $(if $(PLAN),$(abspath $(PLAN)),$(PLAN_FILE))
ifeq ($(ENV),local)
	@local/processes.sh sync
endif

.PHONY: destroy
destroy: check-env ## Destroy ENV=<env> (dev/prod: CONFIRM=<env>; prod's protected resources refuse)
	@if [[ "$(TF_MODE)" == remote && "$(CONFIRM)" != "$(ENV)" ]]; then \
	  echo "error: destroying $(ENV) needs CONFIRM=$(ENV)" >&2; exit 2; fi
	@$(MAKE) package tf-init >&2
	@$(TF) destroy -input=false -auto-approve $(TF_VARS)

.PHONY: outputs
outputs: check-env tf-init ## Print the root outputs of ENV=<env> as JSON on stdout
	@$(TF) output -json

# The S3 bucket of an environment's remote state, created once before its first plan (see environments/README.md).
.PHONY: bootstrap-state
bootstrap-state: check-env ## Create the S3 state bucket named in environments/<env>/backend.hcl (dev, prod)
	@[[ "$(TF_MODE)" == remote ]] || { echo "error: ENV=$(ENV) keeps local state; nothing to bootstrap" >&2; exit 2; }
	@bucket=$$(sed -nE 's/^bucket *= *"(.*)"/\1/p' environments/$(ENV)/backend.hcl); \
	region=$$(sed -nE 's/^region *= *"(.*)"/\1/p' environments/$(ENV)/backend.hcl); \
	export TF_DATA_DIR=$(TF_BUILD)/bootstrap-$(ENV).data; \
	terraform -chdir=terraform/bootstrap init -input=false -reconfigure \
	  -backend-config=path=$(CURDIR)/environments/$(ENV)/bootstrap.tfstate >&2; \
	terraform -chdir=terraform/bootstrap apply -input=false -var=bucket=$$bucket -var=region=$$region

# The deployer roles of an environment (terraform/deployer): GitHub OIDC provider, plan role, apply role. Applied
# once by an administrator (dev, prod: after bootstrap-state; state in environments/<env>/deployer.tfstate, git-
# ignored and disposable like the bootstrap's) or to the local emulator (ENV=local, state under build/local/).
tfvar = $(shell sed -nE 's/^$(1) *= *"(.*)"/\1/p' $(2))

.PHONY: deployer
deployer: check-env check-credentials ## Apply ENV's deployer roles (GitHub OIDC provider, plan role, apply role)
	@mkdir -p $(dir $(DEPLOYER_STATE))
	@export TF_DATA_DIR=$(TF_BUILD)/deployer-$(ENV).data; \
	$(if $(filter emulator,$(TF_MODE)),export AWS_ENDPOINT_URL=$(EMULATOR_ENDPOINT) AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test;) \
	terraform -chdir=terraform/deployer init -input=false -reconfigure -backend-config=path=$(CURDIR)/$(DEPLOYER_STATE) \
	  >$(TF_BUILD)/deployer-$(ENV).init.log 2>&1 \
	  || { cat $(TF_BUILD)/deployer-$(ENV).init.log >&2; exit 1; }; \
	terraform -chdir=terraform/deployer apply -input=false -auto-approve \
	  -var=environment=$(ENV) -var=account_id=$(call tfvar,account_id,environments/$(ENV)/terraform.tfvars) \
	  -var=aws_region=$(call tfvar,aws_region,environments/$(ENV)/terraform.tfvars) \
	  -var=state_bucket=$(or $(call tfvar,bucket,environments/$(ENV)/backend.hcl),local-state) \
	  -var=state_key=$(or $(call tfvar,key,environments/$(ENV)/backend.hcl),local/terraform.tfstate) \
	  -var=emulator=$(if $(filter emulator,$(TF_MODE)),true,false)

.PHONY: fmt
fmt: ## Format the Terraform sources in place
	terraform fmt -recursive terraform environments

.PHONY: validate
validate: ## terraform validate the root and every module (offline, no backend)
	@for dir in $(TF_STACK) terraform/bootstrap terraform/deployer $(TF_MODULES); do \
	  export TF_DATA_DIR=$(TF_BUILD)/validate/$$(basename $$dir); \
	  terraform -chdir=$$dir init -input=false -backend=false >/dev/null; \
	  printf '%-40s ' "$$dir"; terraform -chdir=$$dir validate -no-color; \
	done

.PHONY: test-terraform
test-terraform: ## terraform test of every module (mock providers, offline)
	@for dir in $(TF_MODULES); do \
	  export TF_DATA_DIR=$(TF_BUILD)/test/$$(basename $$dir); \
	  terraform -chdir=$$dir init -input=false -backend=false >/dev/null; \
	  echo "== $$dir"; terraform -chdir=$$dir test -no-color; \
	done

# Every environment's plan proven offline (EMULATOR=1, throwaway state), then checked by tests/terraform_plan.
.PHONY: test-plans
test-plans: venv ## Plan dev and prod offline (EMULATOR=1) and check the plans (tests/terraform_plan)
	@for env in dev prod; do $(MAKE) plan ENV=$$env EMULATOR=1 >/dev/null; done
	$(BIN)/pytest tests/terraform_plan

$(CHECKOV_VENV)/.installed:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

.PHONY: docs
docs: venv ## Regenerate the inputs/outputs tables of the Terraform READMEs (scripts/tfdocs.py)
	$(BIN)/python scripts/tfdocs.py $(TF_MODULES) $(TF_STACK)

.PHONY: lint-terraform
lint-terraform: venv $(CHECKOV_VENV)/.installed ## terraform fmt -check, checkov, README tables up to date
	terraform fmt -check -recursive terraform environments
	$(BIN)/python scripts/tfdocs.py --check $(TF_MODULES) $(TF_STACK)
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download --framework terraform -d terraform

# --------------------------------------------------------------------------------------------------
# What a real deploy would reject, caught offline: CloudFormation templates, workflows, shell scripts.
# The tools (scripts/lint/requirements.txt, exact versions) live in .venv-lint; the IAM policy check needs the
# applied environment and runs with the end-to-end tests (tests/e2e/test_iam_policies.py).
# --------------------------------------------------------------------------------------------------
LINT_VENV := .venv-lint
LINT_BIN  := $(LINT_VENV)/bin
CFN_DIR   := $(BUILD)/cfn
# Every tracked *.sh, and every tracked file whose first line is a sh/bash shebang (.ci/run, ...).
SHELL_SCRIPTS = $(sort $(shell git ls-files '*.sh'; git ls-files | while read -r f; do \
                  [[ -f "$$f" ]] && head -n1 "$$f" | grep -qE '^\#!.*[/ ](ba)?sh( |$$)' && echo "$$f"; done))

$(LINT_VENV)/.installed: scripts/lint/requirements.txt
	$(PYTHON) -m venv $(LINT_VENV)
	$(LINT_BIN)/pip install --quiet --upgrade pip
	$(LINT_BIN)/pip install --quiet -r scripts/lint/requirements.txt
	touch $@

# The durable functions' CloudFormation templates exactly as dev's and prod's plans render them (offline plans,
# EMULATOR=1), checked against AWS's published resource schemas (DurableConfig ranges, property names, types).
.PHONY: lint-cfn
lint-cfn: venv $(LINT_VENV)/.installed ## cfn-lint on every durable function's template in the dev and prod plans
	@for env in dev prod; do $(MAKE) plan ENV=$$env EMULATOR=1 >/dev/null; done
	$(BIN)/python scripts/lint/cfn_templates.py --out $(CFN_DIR) $(BUILD)/plan-dev.json $(BUILD)/plan-prod.json
	$(LINT_BIN)/cfn-lint --regions us-east-1 -- $(CFN_DIR)/*/*.json

# actionlint runs the shellcheck given here on every `run:` block.
.PHONY: lint-workflows
lint-workflows: $(LINT_VENV)/.installed ## actionlint (+ shellcheck on run: blocks) and zizmor --offline on .github/
	$(LINT_BIN)/actionlint -shellcheck=$(LINT_BIN)/shellcheck
	$(LINT_BIN)/zizmor --offline --no-progress .github/

.PHONY: lint-shell
lint-shell: $(LINT_VENV)/.installed ## shellcheck on every shell script
	@[[ -n "$(SHELL_SCRIPTS)" ]] || { echo "lint-shell: no shell scripts found" >&2; exit 1; }
	$(LINT_BIN)/shellcheck $(SHELL_SCRIPTS)

# --------------------------------------------------------------------------------------------------
# Local environment (local/README.md): ministack hosts the resources, AWS's durable engine (dex-local-runner) runs
# durable executions, a thin front serves both on one endpoint, a poller drives SQS like Lambda's ESM.
# --------------------------------------------------------------------------------------------------
EMULATOR_VENV     := .venv-emulator
MINISTACK_VERSION := 1.5.33
OUTPUTS_JSON       = $(BUILD)/outputs-$(ENV).json
# The FN names of the usage lines, from the workload declarations (scripts/manifests.py).
FN_NAMES           = $(shell $(BIN)/python -c 'from scripts import manifests; print("|".join(sorted(manifests.durable_functions())))' 2>/dev/null)

# ministack pins its own botocore (older than the durable SDK needs), so it lives in a virtualenv of its own.
$(EMULATOR_VENV)/.installed:
	$(PYTHON) -m venv $(EMULATOR_VENV)
	$(EMULATOR_VENV)/bin/pip install --quiet --upgrade pip
	$(EMULATOR_VENV)/bin/pip install --quiet ministack==$(MINISTACK_VERSION)
	touch $@

.PHONY: up
up: venv $(EMULATOR_VENV)/.installed ## Start the local Lambda API on 127.0.0.1:4566 (emulator, durable engine, front; idempotent)
	@local/processes.sh up
	@if [[ -f environments/local/terraform.tfstate ]]; then local/processes.sh sync; fi

.PHONY: down
down: ## Stop every local process (poller, front, engine, emulator); the local deployment goes with them
	@local/processes.sh down

.PHONY: emulator-check
emulator-check:
	@local/processes.sh check

.PHONY: invoke
invoke: check-env venv ## ENV=<env> FN=<durable function> PAYLOAD=file.json [NAME=…] [ASYNC=1]: Invoke the live alias
	@if [[ -z "$(FN)" || ! -f "$(PAYLOAD)" ]]; then \
	  echo "usage: make invoke ENV=<env> FN=$(FN_NAMES) PAYLOAD=file.json [NAME=execution-name] [ASYNC=1]" >&2; exit 2; fi
	@$(MAKE) -s outputs ENV=$(ENV) > $(OUTPUTS_JSON)
	@$(BIN)/python scripts/workloads.py --outputs $(OUTPUTS_JSON) invoke --function $(FN) --payload $(PAYLOAD) \
	  $(if $(NAME),--name '$(NAME)') $(if $(filter 1 true yes,$(ASYNC)),--async)

.PHONY: executions
executions: check-env venv ## ENV=<env> FN=<function>: recent durable executions (name, status, start, duration)
	@if [[ -z "$(FN)" ]]; then echo "usage: make executions ENV=<env> FN=$(FN_NAMES)" >&2; exit 2; fi
	@$(MAKE) -s outputs ENV=$(ENV) > $(OUTPUTS_JSON)
	@$(BIN)/python scripts/workloads.py --outputs $(OUTPUTS_JSON) executions --function $(FN)

.PHONY: history
history: check-env venv ## ENV=<env> EXECUTION=<arn>: the execution's operations in order (status, attempts, duration)
	@if [[ -z "$(EXECUTION)" ]]; then echo "usage: make history ENV=<env> EXECUTION=<durable execution ARN>" >&2; exit 2; fi
	@$(MAKE) -s outputs ENV=$(ENV) > $(OUTPUTS_JSON)
	@$(BIN)/python scripts/workloads.py --outputs $(OUTPUTS_JSON) history --execution '$(EXECUTION)'

.PHONY: send
send: check-env venv ## ENV=<env> PAYLOAD=file: put the file's content on the pipeline queue as one message
	@if [[ ! -f "$(PAYLOAD)" ]]; then echo "usage: make send ENV=<env> PAYLOAD=file" >&2; exit 2; fi
	@$(MAKE) -s outputs ENV=$(ENV) > $(OUTPUTS_JSON)
	@$(BIN)/python scripts/workloads.py --outputs $(OUTPUTS_JSON) send --payload $(PAYLOAD)

.PHONY: rollback
rollback: check-env confirm venv ## ENV=<env> FN=<function>: point its live alias back at the previous version
	@if [[ -z "$(FN)" ]]; then echo "usage: make rollback ENV=<env> FN=$(FN_NAMES)" >&2; exit 2; fi
	@$(MAKE) -s outputs ENV=$(ENV) > $(OUTPUTS_JSON)
	@$(BIN)/python scripts/rollback.py --outputs $(OUTPUTS_JSON) --function $(FN)

# --------------------------------------------------------------------------------------------------
# Operations (docs/operations.md, docs/runbook.md): one execution's logs, steering, the web console. Plain boto3 on
# the environment's own endpoint and credentials, so the same commands work against local, dev and prod.
# --------------------------------------------------------------------------------------------------
EXECUTION    ?=
QUEUE        ?=
VERSION      ?=
CONSOLE_PORT ?= 4580
OPS = $(BIN)/python -m ops --outputs $(OUTPUTS_JSON)

.PHONY: logs
logs: check-env venv ## ENV=<env> EXECUTION=<arn>: every log line of one execution, across all its functions, in time order
	@if [[ -z "$(EXECUTION)" ]]; then echo "usage: make logs ENV=<env> EXECUTION=<durable execution ARN>" >&2; exit 2; fi
	@$(MAKE) -s outputs ENV=$(ENV) > $(OUTPUTS_JSON)
	@$(OPS) logs --execution '$(EXECUTION)'

.PHONY: stop
stop: check-env confirm venv ## ENV=<env> EXECUTION=<arn>: stop a running durable execution (refused when it has ended)
	@if [[ -z "$(EXECUTION)" ]]; then echo "usage: make stop ENV=<env> EXECUTION=<durable execution ARN>" >&2; exit 2; fi
	@$(MAKE) -s outputs ENV=$(ENV) > $(OUTPUTS_JSON)
	@$(OPS) stop --execution '$(EXECUTION)'

.PHONY: retry
retry: check-env confirm venv ## ENV=<env> EXECUTION=<arn> [VERSION=live|<n>]: run an ended execution again, same input (idempotent)
	@if [[ -z "$(EXECUTION)" ]]; then echo "usage: make retry ENV=<env> EXECUTION=<durable execution ARN> [VERSION=live|<n>]" >&2; exit 2; fi
	@$(MAKE) -s outputs ENV=$(ENV) > $(OUTPUTS_JSON)
	@$(OPS) retry --execution '$(EXECUTION)' $(if $(VERSION),--qualifier '$(VERSION)')

.PHONY: redrive
redrive: check-env confirm venv ## ENV=<env> QUEUE=<dlq name or URL>: move a dead-letter queue's messages back to its source queue
	@if [[ -z "$(QUEUE)" ]]; then echo "usage: make redrive ENV=<env> QUEUE=<dead-letter queue name or URL>" >&2; exit 2; fi
	@$(MAKE) -s outputs ENV=$(ENV) > $(OUTPUTS_JSON)
	@$(OPS) redrive --queue '$(QUEUE)'

.PHONY: console
console: check-env venv ## ENV=<env> [CONSOLE_PORT=4580]: read-only web console of the durable executions on 127.0.0.1 (Ctrl-C stops it)
	@$(MAKE) -s outputs ENV=$(ENV) > $(OUTPUTS_JSON)
	@$(OPS) console --port $(CONSOLE_PORT) --pid-file $(BUILD)/console-$(ENV).pid

# The console's browser test (tests/e2e/test_operations.py) drives Debian's chromium through chromium-driver: the
# packages come from apt (CI runs as root on a fresh machine), never a browser download.
BROWSER_PACKAGES := chromium chromium-driver

.PHONY: browser
browser: ## Install Debian's chromium and chromium-driver when missing (apt-get, as root or through sudo)
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  sudo=$$([[ $$(id -u) == 0 ]] || echo sudo); \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES); \
	fi

# Canary releases (docs/releases.md): the controller (releases/) judges a canary by its own executions and alarms,
# moves the alias at once and writes its decision to the release record; the apply that follows renders the stack
# from that record, so Terraform states what the controller did and a re-plan shows no change.
RELEASE_ARGS = --outputs $(OUTPUTS_JSON) $(if $(FN),--function $(FN)) $(if $(GITHUB_STEP_SUMMARY),--summary "$(GITHUB_STEP_SUMMARY)")

.PHONY: canary
canary: check-env confirm venv ## ENV=<env> [FN=<durable function>]: judge each canary in progress, promote or withdraw it (exit 1), apply the decision
	@$(MAKE) -s outputs ENV=$(ENV) > $(OUTPUTS_JSON)
	@rc=0; $(BIN)/python -m releases canary $(RELEASE_ARGS) --report-dir $(BUILD)/releases/$(ENV) --verbose || rc=$$?; \
	  $(MAKE) apply ENV=$(ENV) CONFIRM=$(ENV) && exit $$rc

# release_decision COMMAND: a person's decision on a canary (releases/__main__.py), then the apply that states it.
define release_decision
	@if [[ -z "$(FN)" ]]; then echo "usage: make $(1) ENV=<env> FN=order-processor|parallel-math|durable-data-pipeline" >&2; exit 2; fi
	@$(MAKE) -s outputs ENV=$(ENV) > $(OUTPUTS_JSON)
	@$(BIN)/python -m releases $(1) $(RELEASE_ARGS)
	@$(MAKE) apply ENV=$(ENV) CONFIRM=$(ENV)
endef

.PHONY: promote
promote: check-env confirm venv ## ENV=<env> FN=<durable function>: every new execution to the canary, recorded as stable, then apply
	$(call release_decision,promote)

.PHONY: abort
abort: check-env confirm venv ## ENV=<env> FN=<durable function>: every new execution back to the stable version, canary withdrawn, then apply
	$(call release_decision,abort)

# E2E_TESTS narrows the run to some test files, e.g. E2E_TESTS=tests/e2e/test_canary_release.py; the private port of
# the emulator is E2E_EMULATOR_PORT (tests/e2e/conftest.py).
E2E_TESTS ?= tests/e2e

.PHONY: test-e2e
test-e2e: venv package browser $(EMULATOR_VENV)/.installed ## End to end: pytest-terraform applies ENV=local to a private emulator [E2E_TESTS=…]
	$(call tf_workcopy,$(TF_BUILD)/e2e)
	$(BIN)/pytest $(E2E_TESTS) --tf-mod-dir=$(TF_BUILD)/e2e

# Reliability soak (tests/soak, docs/reliability.md) on the running local environment (make up; make apply
# ENV=local): contention, a 1,000-message storm, faults, bad-input fuzz, stranding (cold releases under load),
# then an engine restart mid-burst.
# SOAK_ARGS passes sizes, e.g. SOAK_ARGS="--messages 200 --only storm".
SOAK_ARGS ?=

.PHONY: soak
soak: venv emulator-check ## Reliability soak on the local environment: table + build/soak.json [SOAK_ARGS=…]
	@$(MAKE) -s outputs ENV=local > $(BUILD)/outputs-local.json
	AWS_ENDPOINT_URL=$(EMULATOR_ENDPOINT) $(BIN)/python -m tests.soak \
	  --outputs $(BUILD)/outputs-local.json --report $(BUILD)/soak.json $(SOAK_ARGS)

.PHONY: demo
demo: venv ## From nothing: package, emulator, apply ENV=local, then the example scenarios with a summary
	@echo "== [1/4] packaging the functions and the dependency layer"
	@$(MAKE) package
	@echo "== [2/4] starting the emulator"
	@$(MAKE) up
	@echo "== [3/4] deploying the local environment with Terraform (about a minute)"
	@$(MAKE) apply ENV=local > $(BUILD)/demo-apply.log 2>&1 || { tail -30 $(BUILD)/demo-apply.log; exit 1; }
	@echo "   applied (log: $(BUILD)/demo-apply.log)"
	@echo "== [4/4] running the scenarios"
	@$(MAKE) -s outputs ENV=local > $(BUILD)/outputs-local.json
	@$(BIN)/python scripts/demo.py --outputs $(BUILD)/outputs-local.json 2>$(BUILD)/demo-handlers.log
	@echo "The local environment is still running (make invoke ENV=local …, make send ENV=local …). Stop it: make down"

# --------------------------------------------------------------------------------------------------
# Replay compatibility (replay/README.md): recorded executions replayed against the current handlers, offline.
# --------------------------------------------------------------------------------------------------
.PHONY: record
record: venv emulator-check ## Record every scenario's execution from the local environment (make up; make apply ENV=local)
	@$(MAKE) -s outputs ENV=local > $(BUILD)/outputs-local.json 2>$(BUILD)/record-outputs.log \
	  || { echo "error: no local deployment: run make apply ENV=local first (log: $(BUILD)/record-outputs.log)" >&2; exit 2; }
	@$(BIN)/python -m replay.record --outputs $(BUILD)/outputs-local.json $(foreach s,$(SCENARIO),--only $(s))

.PHONY: replay-check
replay-check: venv ## Replay every recording against the current handlers (offline, no worker, no AWS)
	@$(BIN)/python -m replay.check

# --------------------------------------------------------------------------------------------------
# Aggregates
# --------------------------------------------------------------------------------------------------
.PHONY: test
test: replay-check test-python test-terraform test-plans test-e2e ## Run every test suite (the command CI runs)

.PHONY: lint
lint: lint-python lint-terraform lint-cfn lint-workflows lint-shell ## Run every linter and static check

.PHONY: clean
clean: ## Remove build output and the virtualenvs
	rm -rf $(BUILD) $(VENV) $(CHECKOV_VENV) $(LINT_VENV) *.egg-info

# --------------------------------------------------------------------------------------------------
# Benchmarks
# --------------------------------------------------------------------------------------------------
# Offline: handlers on the durable testing runner with stand-in workers of known latency, the sizes of the zips
# `make package` builds, cold imports in fresh interpreters. BENCH_APPLY=1 also times
# `make apply ENV=local` from an empty emulator (make down/up: discards the local state) and counts the replan.
BENCH_APPLY ?=
BENCH_ARGS  ?=

.PHONY: bench-console
bench-console: venv ## How long the console takes to render an execution page of 100 operations (offline): table
	$(BIN)/python -m benchmarks.console $(BENCH_ARGS)

.PHONY: bench
bench: venv package ## Latency ratios, durable ops, zip sizes, cold imports: table + build/bench.json [BENCH_APPLY=1]
	$(BIN)/python -m benchmarks.run $(if $(filter 1 true yes,$(BENCH_APPLY)),--apply) $(BENCH_ARGS)
