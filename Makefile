# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# python3.12 when it really runs (a pyenv shim may exist without the version), else python3 >= 3.11.
PYTHON ?= $(shell for p in python3.12 python3; do \
	if $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
# pip is pinned like every package: one resolver for every install.
PIP_VERSION := 26.3
# Re-install only when a requirements file changes.
STAMP := $(VENV)/.installed-stamp

.PHONY: help run test coverage lint format bench bench-cold synth deploy clean reconcile

help:
	@echo "make run     start the local CRM on http://127.0.0.1:8000 (Ctrl-C stops it)"
	@echo "make test    lint (ruff, mypy, import contracts) and run the whole test suite"
	@echo "make coverage  the whole test suite with a line-coverage report"
	@echo "make bench   cold-start, DynamoDB-call and import benchmarks (bench-cold: cold starts only)"
	@echo "make reconcile CRM=<slug> [REPAIR=1]  compare a CRM's rollups with its records (repair them)"
	@echo "make synth   synthesize the AWS CDK stack into cdk.out/"
	@echo "make deploy  deploy the stack to the AWS account of your current credentials"

$(STAMP): requirements.txt requirements-dev.txt requirements-infra.txt
	@if [ -z "$(PYTHON)" ]; then echo "error: Python 3.11 or newer is needed (python3.12 or python3)"; exit 1; fi
	@if [ ! -x $(BIN)/python ]; then echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r requirements-dev.txt -r requirements-infra.txt
	@touch $@

run: $(STAMP)
	$(BIN)/python -m infra.local

# One pytest worker per core, at most 4 (each worker holds its own moto, ~0.7 GB); whole files go
# to a worker (`--dist loadfile`), so a module's costly fixture is built once.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$(( n > 4 ? 4 : n )))

test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# Line coverage of the application code by the whole suite (the report lists what no test runs).
coverage: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --cov=chalicelib --cov=functions --cov=infra \
		--cov-report=term:skip-covered

# Style, types (mypy, pydantic plugin) and the layers' import contracts (pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench

bench-cold: $(STAMP)
	$(BIN)/python -m bench cold

# Against the table of the current settings (the local stack's by default).
reconcile: $(STAMP)
	$(BIN)/python -m functions.reconcile $(CRM) $(if $(REPAIR),--repair,)

STAGE ?= dev
# The web app's address (links in emails; the only origin the API allows): required to synth or deploy.
APP_URL ?=

synth: $(STAMP)
	CDK_CONTEXT_JSON='{"stage": "$(STAGE)", "app_url": "$(APP_URL)"}' $(BIN)/python -m infra.app

# Needs AWS credentials and Node.js (the CDK CLI comes from npm through npx); the account and
# region need `npx aws-cdk@2 bootstrap` once.
deploy: $(STAMP)
	npx --yes aws-cdk@2 deploy -c stage=$(STAGE) -c app_url=$(APP_URL) --require-approval broadening

clean:
	rm -rf $(VENV) cdk.out chalice.out functions.out .chalice/deployments .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
