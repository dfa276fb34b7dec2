# Two commands for a fresh machine: `make demo` and `make test`. Both install what is missing
# (a project-local .venv from uv.lock) and reuse it on the next run.
PYTHON ?= python3
UV := .tools/bin/uv
VENV := .venv

.PHONY: install install-system install-spark spark-build demo test test-fast lint bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.9

$(VENV)/.installed: $(UV) uv.lock pyproject.toml
	@echo "Installing the locked environment into $(VENV) (first run takes a minute or two)..."
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

install: $(VENV)/.installed

# The Spark environment (dbt-spark with a local pyspark session; Java 17 must be installed): its
# own venv, because dbt-spark and pyspark cannot share pins with dbt-duckdb and Airflow.
SPARK_VENV := .venv-spark
$(SPARK_VENV)/.installed: $(UV) spark/uv.lock spark/pyproject.toml
	@echo "Installing the Spark environment into $(SPARK_VENV) (first run downloads pyspark, ~450 MB)..."
	cd spark && UV_PROJECT_ENVIRONMENT=../$(SPARK_VENV) ../$(UV) sync --frozen --python $(PYTHON)
	touch $@

install-spark: $(SPARK_VENV)/.installed

# The dbt project built on a local Spark session from the landing zone of KOLPIPE_HOME
# (default var/): spark/build.sh passes DBT_ARGS on (e.g. DBT_ARGS="--select marts").
spark-build: install-spark
	spark/build.sh $(DBT_ARGS)

# Debian's docker-compose validates docker-compose.yml without a container engine (the tests do).
install-system:
	@command -v docker-compose >/dev/null || { [ "$$(id -u)" = 0 ] \
		&& (apt-get update -qq && apt-get install -y -qq docker-compose >/dev/null) \
		|| echo "docker-compose is missing: run 'sudo apt-get install -y docker-compose'"; }

demo: install
	$(VENV)/bin/kolpipe demo

test: install install-system install-spark
	$(VENV)/bin/pytest

# The fast lane: units, contracts and the DAG's integrity, without dbt builds, sandbox worlds,
# the demo or Spark (docs/testing.md).
test-fast: install
	$(VENV)/bin/pytest -m "not slow and not e2e and not spark"

# A benchmark, not a test: 10,000 accounts x 365 days landed in bulk (cached in var/bench),
# then the warehouse, extraction and DAG-parse figures; writes bench/results/latest.{json,md}.
# BENCH_ARGS=--quick for a 500-account, 30-day run.
bench: install
	$(VENV)/bin/python -m kolpipe_tools.bench $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check plugins tools dags tests
	$(VENV)/bin/lint-imports
	$(VENV)/bin/sqlfluff lint dbt

clean:
	rm -rf var .venv .venv-spark .tools
