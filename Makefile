# The two commands: `make demo` (the whole pipeline, locally) and `make test`.
# Both bootstrap uv with pip when it is missing and create both environments.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
DBT_DIR := dbt_project
export UV_PYTHON ?= 3.11
export RUNTIME__DLTHUB_TELEMETRY := false
export DO_NOT_TRACK := 1
# Ship compiled bytecode: every Airflow task and dbt process imports thousands of modules, and
# without .pyc files each one recompiles them (about 1 s of a task's start-up here).
export UV_COMPILE_BYTECODE := 1

.PHONY: all uv setup build demo demo-keep test test-fast lint bench bench-transform bench-load bench-incremental chart image clean

all: build

uv:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 \
	  || $(PYTHON) -m pip install --quiet uv

setup: uv ## create the Airflow environment (.venv) and the dbt environment (dbt_project/.venv)
	$(UV) sync --frozen
	cd $(DBT_DIR) && $(UV) sync --frozen

# --profile/--target and the schema as Cosmos passes them: dbt reuses this parse at run time
# only when they match.
build: setup ## build the dbt manifest ahead of DAG parse time
	cd $(DBT_DIR) && OLP_WAREHOUSE_SCHEMA=ol_warehouse_$${OLP_ENV:-local} DBT_TARGET=duckdb \
	  .venv/bin/dbt parse --profiles-dir . --profile ol_dbt --target duckdb --quiet && rm -rf logs

demo: build ## run the whole chain under a real, local Airflow
	$(UV) run --frozen olp demo

demo-keep: build ## same, and leave the Airflow UI running
	$(UV) run --frozen olp demo --keep-running

test: build ## the test suite (PostgreSQL/MariaDB tests skip when the servers are absent)
	$(UV) run --frozen pytest

test-fast: build
	$(UV) run --frozen pytest -m "not e2e and not image"

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

# Benchmarks print medians and ratios measured side by side. `bench` needs only `build`;
# `bench-transform` seeds its own lake and starts Airflow (minutes); `bench-load` needs the
# PostgreSQL server on 127.0.0.1:5432 (creates and drops the database olp_bench).
bench: build ## DAG parse times; manifest vs dbt ls; this project vs 250 models
	$(UV) run --frozen python bench/parse_time.py --repeat 3

bench-transform: build ## transform DAG parse time per render mode; Cosmos run vs plain dbt build
	$(UV) run --frozen python bench/transform.py

bench-load: build ## a 1M-row PostgreSQL table into Iceberg: the platform vs the floor and dlt
	$(UV) run --frozen python bench/load_throughput.py

bench-incremental: build ## 10M tracking-log events: full build of the event models vs an incremental run
	$(UV) run --frozen python bench/incremental_events.py

# The Helm chart: install the pinned helm into .olp/bin, lint it and render the production example.
CHART := helm/ol-platform
chart:
	$(PYTHON) tools/install_helm.py >/dev/null
	.olp/bin/helm lint --strict $(CHART) -f $(CHART)/values-production.yaml
	.olp/bin/helm template ol-platform $(CHART) -f $(CHART)/values-production.yaml

image: ## the container image ol-platform:dev (Docker if it runs, else buildah; see README)
	bash tools/build-image.sh

clean:
	rm -rf .olp $(DBT_DIR)/target $(DBT_DIR)/logs
