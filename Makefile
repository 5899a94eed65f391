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
# Python keeps the bytecode it compiles (git-ignored __pycache__/): without it every pytest worker,
# every local stack a test starts and `make run` compile the app and the tests again (~8 s each).
# The artifacts and `make bench` make their own bytecode and ignore these.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help run test coverage lint format bench bench-cold synth deploy clean reconcile web web-test web-check web-e2e zapier smoke

help:
	@echo "make run     start the local CRM on http://127.0.0.1:8000 (Ctrl-C stops it)"
	@echo "make test    lint (ruff, mypy, import contracts) and run the whole test suite (then the web app's)"
	@echo "make coverage  the whole test suite with a line-coverage report"
	@echo "make bench   cold-start, DynamoDB-call and import benchmarks (bench-cold: cold starts only)"
	@echo "make reconcile CRM=<slug> [REPAIR=1]  compare a CRM's rollups with its records (repair them)"
	@echo "make smoke URL=<base URL>  a scripted session (CRM, client, deal, PBX call, import) against a stack"
	@echo "make synth   synthesize the AWS CDK stack into cdk.out/"
	@echo "make deploy  deploy the stack to the AWS account of your current credentials (CI: APPROVAL=never)"

$(STAMP): requirements.txt requirements-dev.txt requirements-infra.txt
	@if [ -z "$(PYTHON)" ]; then echo "error: Python 3.11 or newer is needed (python3.12 or python3)"; exit 1; fi
	@if [ ! -x $(BIN)/python ]; then echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r requirements-dev.txt -r requirements-infra.txt
	@touch $@

run: $(STAMP) web
	$(BIN)/python -m infra.local

# The web app (web/, served by `make run` at /): Node.js >= 20.19. `npm ci` when the lockfile
# changes; the API's types are generated from its OpenAPI document when the API's code changes
# (git-ignored, so a contract change breaks the type check); a build when anything changed.
WEB_STAMP := web/node_modules/.installed-stamp
WEB_SOURCES := $(shell find web/src web/public web/index.html web/vite.config.ts web/tsconfig.json web/package.json \
	-type f -not -name schema.d.ts 2>/dev/null)
API_SOURCES := $(shell find chalicelib -name '*.py' 2>/dev/null)
CHROMIUM ?= /usr/bin/chromium

$(WEB_STAMP): web/package-lock.json
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
		2>/dev/null || { echo "error: the web app needs Node.js 20.19 or newer (node --version)"; exit 1; }
	cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	@touch $@

# Each file is rewritten only when its content changes, so an API change that leaves the
# contract alone rebuilds nothing (schema.d.ts's empty rule: make re-reads its time).
web/.stamp-api: $(API_SOURCES) web/scripts/openapi.py $(WEB_STAMP) | $(STAMP)
	$(BIN)/python web/scripts/openapi.py web/openapi.json
	cd web && npx openapi-typescript openapi.json --default-non-nullable=false -o src/api/schema.d.ts.new >/dev/null
	@if cmp -s web/src/api/schema.d.ts.new web/src/api/schema.d.ts; then rm web/src/api/schema.d.ts.new; \
		else mv web/src/api/schema.d.ts.new web/src/api/schema.d.ts; fi
	@touch $@

web/src/api/schema.d.ts: web/.stamp-api
	@test -f $@ || { rm -f web/.stamp-api; $(MAKE) --no-print-directory web/.stamp-api; }

web/dist/index.html: web/src/api/schema.d.ts $(WEB_SOURCES) $(WEB_STAMP)
	cd web && npm run build

web: web/dist/index.html

# Type check, component tests (Vitest), then end-to-end tests (Playwright, Debian's Chromium)
# against the real local stack. Without Chromium they are skipped, unless CI=true.
web-test: web-check web-e2e

web-check: web
	cd web && npm run typecheck
	cd web && npx vitest run

web-e2e: web
	@if [ -x "$(CHROMIUM)" ]; then cd web && CHROMIUM="$(CHROMIUM)" PYTHON="$(abspath $(BIN)/python)" npx playwright test; \
	elif [ "$$CI" = "true" ]; then echo "error: $(CHROMIUM) is missing: the end-to-end tests need it (apt-get install chromium)"; exit 1; \
	else echo "SKIPPED the web app's end-to-end tests: $(CHROMIUM) is missing (apt-get install chromium; CI=true fails instead)"; fi

# One pytest worker per core, at most 4 (each worker holds its own moto, ~0.7 GB); whole files go
# to a worker (`--dist loadfile`), so a module's costly fixture is built once.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$(( n > 4 ? 4 : n )))

# The Zapier app (integrations/zapier): its packages, from its own lockfile. tests/test_zapier_app.py
# validates its definition offline and runs its tests against a local stack.
ZAPIER_STAMP := integrations/zapier/node_modules/.installed-stamp

$(ZAPIER_STAMP): integrations/zapier/package-lock.json
	cd integrations/zapier && npm ci --no-audit --no-fund
	@touch $@

zapier: $(ZAPIER_STAMP)

# Three runs side by side: the lint then the Python suite; the web app's type check then its
# component tests; its end-to-end tests, which keep less than a core busy (they mostly wait for
# pages, timers and the local stack). The web app's output is held in files and shown when the
# Python tests end, the end-to-end tests' then followed to their end. A failed lint skips the
# Python tests, never the web app's.
test: zapier web
	@logs=$$(mktemp -d); \
	$(MAKE) --no-print-directory web-e2e >$$logs/e2e 2>&1 & e2e=$$!; \
	$(MAKE) --no-print-directory web-check >$$logs/check 2>&1 & check=$$!; \
	$(MAKE) --no-print-directory lint && $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15; \
	python=$$?; wait $$check; webcheck=$$?; \
	echo "--- the web app's type check and component tests (started with the lint) ---"; cat $$logs/check; \
	echo "--- the web app's end-to-end tests (started with the lint) ---"; \
	tail -n +1 -f --pid=$$e2e $$logs/e2e; wait $$e2e; webe2e=$$?; rm -rf $$logs; \
	if [ $$python -ne 0 ] || [ $$webcheck -ne 0 ] || [ $$webe2e -ne 0 ]; then \
		echo "make test FAILED: lint and Python tests exit $$python, web type check and component tests" \
			"exit $$webcheck, web end-to-end tests exit $$webe2e"; exit 1; fi

# Line coverage of the application code by the whole suite (the report lists what no test runs).
coverage: $(STAMP) zapier
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

# A scripted session (CRM, client, deal move, signed PBX call, 10-row import) against any stack.
smoke:
	@if [ -z "$(URL)" ]; then echo "usage: make smoke URL=https://<api id>.execute-api.<region>.amazonaws.com/api"; exit 2; fi
	$(or $(wildcard $(BIN)/python),python3) -m infra.smoke $(URL)

STAGE ?= dev
# The web app's address (links in emails; the only origin the API allows): required to synth or deploy.
APP_URL ?=

synth: $(STAMP) web
	CDK_CONTEXT_JSON='{"stage": "$(STAGE)", "app_url": "$(APP_URL)"}' $(BIN)/python -m infra.app

# Needs AWS credentials and Node.js (the CDK CLI comes from npm through npx); the account and
# region need `npx aws-cdk@2 bootstrap` once. From CI: APPROVAL=never (no prompt on IAM changes).
# ALARM_EMAIL, LOG_RETENTION_DAYS, RESTORED_TABLE (docs/operations.md); CDK_ARGS: any other -c.
APPROVAL ?= broadening
deploy: $(STAMP) web
	npx --yes aws-cdk@2 deploy -c stage=$(STAGE) -c app_url=$(APP_URL) --require-approval $(APPROVAL) \
		$(if $(ALARM_EMAIL),-c alarm_email=$(ALARM_EMAIL)) \
		$(if $(LOG_RETENTION_DAYS),-c log_retention_days=$(LOG_RETENTION_DAYS)) \
		$(if $(RESTORED_TABLE),-c table_name=$(RESTORED_TABLE)) $(CDK_ARGS)

clean:
	rm -rf integrations/zapier/node_modules web/node_modules web/dist web/openapi.json web/src/api/schema.d.ts web/.stamp-api web/test-results
	rm -rf $(VENV) cdk.out chalice.out functions.out .chalice/deployments .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
