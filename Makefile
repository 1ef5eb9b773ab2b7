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

# Terraform always runs with the CLI configuration the project ships when the offline provider mirror is
# present (this workplace and CI); elsewhere Terraform installs providers from the registry as usual.
TF_PLUGIN_MIRROR ?= /opt/tf-plugins
ifneq ($(wildcard $(TF_PLUGIN_MIRROR)),)
export TF_CLI_CONFIG_FILE := $(CURDIR)/terraform/cli/offline.tfrc
endif

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-16s %s\n", $$1, $$2}'

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
test-python: venv ## Unit and workflow tests of the handlers (durable testing runner, moto)
	$(BIN)/pytest tests/unit

.PHONY: lint-python
lint-python: venv
	$(BIN)/ruff check functions tests scripts
	$(BIN)/ruff format --check functions tests scripts
	$(BIN)/mypy

.PHONY: format
format: venv ## Format Python and Terraform sources in place
	$(BIN)/ruff format functions tests scripts
	$(BIN)/ruff check --fix functions tests scripts
	terraform fmt -recursive terraform environments

# --------------------------------------------------------------------------------------------------
# Aggregates
# --------------------------------------------------------------------------------------------------
.PHONY: test
test: test-python ## Run every test suite (the command CI runs)

.PHONY: lint
lint: lint-python ## Run every linter and static check

.PHONY: clean
clean: ## Remove build output and the virtualenv
	rm -rf $(BUILD) $(VENV) *.egg-info
