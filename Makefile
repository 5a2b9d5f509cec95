# `make run` sets up and starts the portal on the embedded default; `make test` sets up and runs the suite.
# Both need only Python >= 3.11 and make (plus, for the browser tests, Debian's chromium, which
# `make test` installs with apt-get when it is missing).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint sweep setup setup-dev messages test-packages clean

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required") if sys.version_info < (3, 11) else None'
	@scripts/ensure_python_venv.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.runtime messages

setup-dev: $(VENV)/.dev messages test-packages

# Compile the zh_Hans catalogue with polib (no GNU gettext needed on the machine).
messages: $(VENV)/.runtime
	@$(PY) scripts/compile_messages.py

test-packages:
	@scripts/ensure_test_packages.sh

# collectstatic needs no database: it runs on the second core while migrate (one core, Django re-rendering
# its model states) works, and make waits for both (issue 17.3).
run: setup
	$(PY) manage.py collectstatic --noinput -v0 & static=$$!; \
	$(PY) manage.py migrate --noinput && wait $$static
	$(PY) manage.py load_demo --if-empty --no-logins
	HOST=$(HOST) PORT=$(PORT) scripts/run_embedded.sh

# --durations=15: the slowest tests printed at the end of every run, so a slow one stays visible (issue 17.4).
# Two workers (pytest-xdist, one a core), each with its own var/ and Redis database (config/settings/test.py);
# tests are handed out one at a time to whichever worker is free. TEST_WORKERS=0 runs one process.
TEST_WORKERS ?= 2
test: setup-dev lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=15 $(PYTEST_ARGS)

# ruff over the tree (lint, and the format at its 110 columns), and mypy (django-stubs) over the services and selectors listed in pyproject.toml's
# [tool.mypy] files; `make test` runs both before pytest, so a lint or type error fails it.
lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The date-sensitive tests on fixed days of the year (New Year, 30 June, 1 July, 30 September, 31 December,
# 29 February); CI runs it after `make test`.
sweep: setup-dev
	scripts/calendar_sweep.sh

clean:
	rm -rf var/static var/test-media var/test-portal-*.sqlite3* var/celery
