# Two commands: `make run` (the whole platform with demo data, served as in production) and `make test`.
# `make dev` is `make run` with Django's autoreloading development server and DEBUG on.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run dev test lint format translations browsers clean-data help

help:
	@echo "make run    - set up and run the platform with demo data (gunicorn, worker, beat, embedded PostgreSQL and Redis)"
	@echo "make dev    - the same with Django's autoreloading development server and DEBUG on"
	@echo "make test   - ruff and mypy, then the whole test suite on real PostgreSQL and Redis"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/python manage.py compile_translations

run: $(STAMP) translations
	$(BIN)/python -m shared_platform.stack

dev: $(STAMP) translations
	$(BIN)/python -m shared_platform.stack --dev

test: $(STAMP) lint translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean-data:
	rm -rf var/
