# reformtracker: the two commands that matter.
#
#   make run     set everything up, migrate, load the seed data and serve on 127.0.0.1:$(PORT)
#   make test    lint, Django checks, then the test suite on SQLite and again on PostgreSQL 15
#   also: lint, format, check, test-sqlite, test-postgres, lock, clean, prod-demo (see below)
#
# Both work from a fresh clone on Debian 12 with no manual steps. Helpers live in scripts/.
#
# Variables (make VAR=value ...):
#   PORT=8000           port for `make run`
#   PROD_PORT=8080      port of nginx for `make prod-demo`
#   PYTHON=...          interpreter(s) to try instead of the built-in search in
#                       scripts/find-python.sh (needs >= 3.12; `make PYTHON= run` tries none);
#                       only used when .venv is created. `make find-python` shows the choice.
#   PYTEST_ARGS=...     extra pytest arguments, e.g. PYTEST_ARGS="-k seed -x"
#   PYTEST_WORKERS=N    pytest processes per test pass (pytest-xdist, whole test files to each);
#                       default one per CPU (nproc), at most 4; 0 or 1 runs in one process

# bash with -e and pipefail, so a failing command anywhere in a recipe fails the target.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PORT ?= 8000
PYTEST_ARGS ?=
# At most 4 by default (measured only with 2): each process holds its own browser, servers and
# test database, and the PostgreSQL pass shares one server of 250 connections, of which single
# tests take 50 and more at once.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$(( n < 4 ? n : 4 )))
# --dist loadfile: every test file runs whole in one process, in its order, so a module's servers
# (scripts/run-production.sh, gunicorn, PostgreSQL) start once, as in one process. -n 0: none.
XDIST := $(if $(filter 0 1,$(PYTEST_WORKERS)),-n 0,-n $(PYTEST_WORKERS) --dist loadfile)

VENV := .venv
PY := $(VENV)/bin/python

# The install stamp is named after a hash of everything that decides what gets installed. Editing
# pyproject.toml or the lock gives a new name, so the next make reinstalls; otherwise the stamp
# exists and a second `make run` installs nothing.
DEPS_INPUTS := pyproject.toml $(wildcard requirements/constraints.txt)
DEPS_HASH := $(shell cat $(DEPS_INPUTS) | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(DEPS_HASH)

# PYTHON given on the command line or in the environment (even empty) replaces the default
# candidate list of scripts/find-python.sh.
ifneq ($(origin PYTHON),undefined)
  BOOTSTRAP_ENV := FIND_PYTHON_EXPLICIT=1
  BOOTSTRAP_ARGS := $(PYTHON)
endif

# Settings come from the environment (reformtracker/settings.py). Without DJANGO_ENV the settings
# assume production and fail closed, so every target says which environment it means.
# `make run` honours a DATABASE_URL from your shell (SQLite db.sqlite3 otherwise); the test
# targets drop it, so the SQLite pass is really SQLite and the PostgreSQL pass gets its own.
DEV_ENV := env DJANGO_ENV=development DJANGO_DEBUG=1
TEST_ENV := env -u DATABASE_URL DJANGO_ENV=test
# `make run` enqueues background work in the database, for the worker it starts.
DB_TASKS := TASKS_BACKEND=django_tasks_db.DatabaseBackend

.PHONY: help
help:
	@sed -n '2,/^$$/s/^# \{0,1\}//p' Makefile

# --- Python environment ----------------------------------------------------------------------

# A venv whose interpreter disappeared (pyenv version removed, etc.) is deleted first. That
# happens in this recipe, and the stamp is then checked by a sub-make, because make looks at a
# file's timestamp only once per run.
.PHONY: venv
venv:
	@scripts/bootstrap-venv.sh check
	@$(MAKE) -s $(STAMP)

$(STAMP): $(DEPS_INPUTS)
	$(BOOTSTRAP_ENV) scripts/bootstrap-venv.sh install $(BOOTSTRAP_ARGS)
	@rm -f $(VENV)/.installed-*
	@touch $@

# Print the interpreter a new .venv would be built with (or why there is none).
.PHONY: find-python
find-python:
	@$(BOOTSTRAP_ENV) scripts/find-python.sh $(BOOTSTRAP_ARGS)

# Re-pin the versions in requirements/constraints.txt (after changing dependencies).
.PHONY: lock
lock: venv
	$(PY) -m uv pip compile --quiet --universal --python-version 3.12 --extra test \
		--output-file requirements/constraints.txt pyproject.toml
	@# A sub-make re-reads this file, so it sees the new lock's hash and installs the new pins.
	@$(MAKE) venv

# --- make run --------------------------------------------------------------------------------

.PHONY: run
run: venv
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py load_seed
	@# load_demo_accounts is optional: only called when some app provides it.
	@if $(DEV_ENV) $(PY) manage.py help load_demo_accounts >/dev/null 2>&1; then \
		echo "$(DEV_ENV) $(PY) manage.py load_demo_accounts"; \
		$(DEV_ENV) $(PY) manage.py load_demo_accounts; \
	fi
	@# The background worker beside the development server, as in production: report jobs are
	@# made by the worker (`manage.py worker`: db_worker with a heartbeat), not in the request;
	@# it does not reload, so restart `make run` after changing task code. It runs in its own
	@# session (setsid), so Ctrl-C reaches only the server, and the trap stops the worker
	@# however the server exits.
	$(DEV_ENV) $(DB_TASKS) setsid $(PY) manage.py worker & worker=$$!; \
	trap 'kill -TERM -- -$$worker 2>/dev/null; wait $$worker 2>/dev/null || true' EXIT; \
	$(DEV_ENV) $(DB_TASKS) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# --- make prod-demo ---------------------------------------------------------------------------

# The production topology on one machine (scripts/run-production.sh): a throwaway PostgreSQL and a
# streaming read replica of it (the anonymous public pages read from it), two
# gunicorn app servers, the worker and nginx in front on 127.0.0.1:$(PROD_PORT), with the seed
# data and the demo accounts; Ctrl-C stops it all and deletes its folder.
PROD_PORT ?= 8080
# e.g. PROD_ARGS=--no-replica: without the streaming read replica it starts by default.
PROD_ARGS ?=

.PHONY: prod-demo
prod-demo: system-deps venv
	scripts/run-production.sh --port $(PROD_PORT) $(PROD_ARGS)

# --- make test -------------------------------------------------------------------------------

# Debian packages: chromium (Playwright's browser; `playwright install` is never run, downloads
# are blocked), poppler-utils (pdftotext/pdffonts) and PostgreSQL 15. Installs only what is missing.
.PHONY: system-deps
system-deps:
	scripts/ensure-system-deps.sh

# Prerequisites run left to right: cheap checks first, so a lint error fails within seconds.
.PHONY: test
test: system-deps venv lint check test-sqlite test-postgres
	@echo "make test: all passed."

.PHONY: lint
lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

.PHONY: format
format: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Django's system checks, and no model change without its migration.
.PHONY: check
check: venv
	$(TEST_ENV) $(PY) manage.py check
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

# pytest-django builds its own test database: in memory for SQLite, test_reformtracker on
# PostgreSQL (test_reformtracker_gw0, _gw1, … one per pytest-xdist worker). pytest's exit status
# is passed on unchanged (5 = no tests collected is a failure).
.PHONY: test-sqlite
test-sqlite: venv
	@echo "--- pytest on SQLite, PYTEST_WORKERS=$(PYTEST_WORKERS)"
	$(TEST_ENV) $(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

# A throwaway PostgreSQL 15 server in a temporary directory; scripts/with-postgres.sh exports
# DATABASE_URL for the command and always stops the server and deletes the directory.
.PHONY: test-postgres
test-postgres: venv system-deps
	@echo "--- pytest on PostgreSQL 15, PYTEST_WORKERS=$(PYTEST_WORKERS)"
	$(TEST_ENV) scripts/with-postgres.sh $(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

.PHONY: clean
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis staticfiles
