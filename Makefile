# policywatch: the two commands a new machine needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format bench lock clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## demo: install, then run the pipeline end to end on an embedded DuckDB (offline)
demo: $(STAMP)
	$(BIN)/policywatch demo

## test: lint, then the full test suite
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: the speed and memory measurements (numbers printed, nothing asserted)
bench: $(STAMP)
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/event_study.py
	$(BIN)/python bench/crawl.py

## lock: re-resolve requirements.lock from pyproject.toml (needs network to PyPI)
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache data/demo
