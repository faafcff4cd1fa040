# Kakehashi — the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
export KAKEHASHI_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test lint typecheck migrations-check pytest serve messages openapi clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { echo >&2 "Could not create a virtual environment. On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e '.[dev]'
	@touch $@

## demo: install, migrate, load the bilingual demo and serve on http://127.0.0.1:8000
demo: $(VENV)/.installed
	$(BIN)/kakehashi demo

## serve: serve without loading the demo
serve: $(VENV)/.installed
	$(BIN)/kakehashi migrate --no-input
	$(BIN)/kakehashi serve

## test: every quality gate, then the whole test suite
test: lint typecheck migrations-check pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

migrations-check: $(VENV)/.dev-installed
	DJANGO_SETTINGS_MODULE=kakehashi.settings.test $(BIN)/kakehashi makemigrations --check --dry-run

pytest: $(VENV)/.dev-installed
	$(BIN)/pytest $(PYTEST_ARGS)

## messages: refresh the catalogs from the source and compile them
messages: $(VENV)/.dev-installed
	cd kakehashi && ../$(BIN)/kakehashi makemessages --locale ja --no-obsolete --add-location file
	$(BIN)/python -m kakehashi.core.catalogs kakehashi/locale

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache

## openapi: rewrite the committed OpenAPI snapshot after an intended API change
openapi: $(VENV)/.dev-installed
	DJANGO_SETTINGS_MODULE=kakehashi.settings.test $(BIN)/python -c "import django; django.setup(); \
	from tests.test_openapi import SNAPSHOT, current_schema; SNAPSHOT.write_text(current_schema(), encoding='utf-8')"
