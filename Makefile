# Billings: `make run` serves the app on a fresh machine, `make test` runs the whole suite.
# PYTHON may name any interpreter >= 3.12; by default the newest suitable one found is used.

SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test install migrate bank sample superuser lint format bench bench-install clean lock mutation

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Billings needs Python 3.12 or newer; '$(or $(PYTHON),python3)' is older or missing."; \
		echo "Install Python 3.12+ and run, for example: make run PYTHON=python3.13"; exit 1; fi
	@if [ -x "$(PY)" ] && ! "$(PY)" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		echo "Removing $(VENV), which was made with an interpreter older than 3.12"; rm -rf "$(VENV)"; fi
	@[ -x "$(PY)" ] || "$(PYTHON)" -m venv "$(VENV)"
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

bank: migrate
	$(PY) manage.py import_questions questions/bank

sample: bank

superuser: migrate
	$(PY) manage.py createsuperuser

run: bank
	@if [ -n "$$DJANGO_SUPERUSER_EMAIL" ] && [ -n "$$DJANGO_SUPERUSER_PASSWORD" ]; then \
		$(PY) manage.py createsuperuser --noinput 2>/dev/null \
		&& echo "Created admin $$DJANGO_SUPERUSER_EMAIL" || echo "Admin $$DJANGO_SUPERUSER_EMAIL already exists"; fi
	@echo "Billings on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, see README)"
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/import_bench.py
	$(PY) bench/select_bench.py

# Re-pin the whole dependency tree with hashes from requirements*.in (README "Dependencies").
# Run it with Python 3.13 (the version of the Docker image): markers are resolved for it.
# UPGRADE="--upgrade-package NAME" (or --upgrade) moves pins; otherwise only .in edits do.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	$(UPGRADE)
lock: install
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in
	$(PIP_COMPILE) -o requirements-bench.txt requirements-bench.in

# Bench-only tools (Locust for bench/locust_answers.py), never needed by the app or the tests.
bench-install: install
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements-bench.txt

# Mutation testing of the exam, question and gamification services (docs/TESTING.md). Long:
# not part of `make test`. Results stay in mutants/; `$(VENV)/bin/mutmut browse` to look.
# MUTANTS='exams.rules.* gamification.rules.x_streak_gap*' narrows a run to those functions.
mutation: install
	$(VENV)/bin/mutmut run --max-children $(or $(JOBS),2) $(MUTANTS)
	$(VENV)/bin/mutmut export-cicd-stats 2>/dev/null || true
	$(VENV)/bin/mutmut results

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache mutants
