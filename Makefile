# ECM case management. `make run` for a local demonstration, `make test` for the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The embedded demonstration: SQLite, tasks run in-process, two-factor optional. DEBUG stays
# off, so it shows the service's own error pages (WhiteNoise serves the static files).
DEMO_ENV := ECM_DEMO=true DJANGO_DEBUG=false
# The services run: PostgreSQL and a Redis-backed Celery worker (started by the tests).
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
SERVICES_BROKER_URL ?= redis://127.0.0.1:6379/15
# Test processes in parallel (pytest-xdist); 0 runs everything in one process.
TEST_WORKERS ?= 2

.PHONY: install run test test-services test-browser lint format messages frontend

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

messages: install
	$(DEMO_ENV) $(PY) manage.py compilemessages --ignore=$(VENV) --ignore=node_modules

run: install messages
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@echo "Serving ECM case management at http://127.0.0.1:8000 (demo password on the sign-in page)"
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: install messages
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not services"

# The same suite on PostgreSQL (tasks in-process, as the suite expects); then, one at a time,
# the tests that start real Celery workers on Redis (they share the broker's queue, so they
# must not run in parallel).
test-services: install messages
	DATABASE_URL=$(SERVICES_DATABASE_URL) $(BIN)/pytest -n $(TEST_WORKERS) -m "not services"
	DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_BROKER_URL) \
		$(BIN)/pytest -m services

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Rebuild the vendored GOV.UK Frontend and axe-core files from npm (needs Node.js).
frontend:
	scripts/build-frontend.sh

# --- Benchmarks at national scale (README "Benchmarks", docs/benchmarks.md) ----------------
# A PostgreSQL database filled by `seed_scale`; `make bench` refuses one with too few young
# people. Runs with DEBUG off and the bench settings (the service plus its baseline views).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ecm_scale
BENCH_ENV := DJANGO_SETTINGS_MODULE=bench.settings ECM_DEMO=true DJANGO_DEBUG=false \
	DATABASE_URL=$(BENCH_DATABASE_URL)
# Extra options for python -m bench.run, e.g. BENCH_ARGS="--repeats 50 --skip import".
BENCH_ARGS ?=

.PHONY: bench loadtest

$(VENV)/.bench-installed: requirements-bench.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@

# Page times against their baselines, the evaluation report against its SQL, import
# throughput and report worker memory; printed and written to bench-results/.
bench: install messages $(VENV)/.bench-installed
	$(BENCH_ENV) $(PY) -m bench.run $(BENCH_ARGS)

# gunicorn on 127.0.0.1 and locust for 60 s (pages, then the baselines); figures appended to
# the same bench-results/ file. BENCH_USERS, BENCH_DURATION, BENCH_WORKERS tune it.
loadtest: install messages $(VENV)/.bench-installed
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BIN=$(BIN) bench/loadtest.sh
