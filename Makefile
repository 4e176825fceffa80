# policywatch: the two commands a new machine needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast docs lint format bench lock clean

# The installer is uv, brought into the venv from requirements-uv.lock (pinned, hash-checked) by whatever pip the
# venv starts with. It is not that pip: `python3.11 -m venv` installs the pip bundled with the Python (23.2.1 for
# 3.11.7), which refuses a hash-checked lock whose packages depend on extras (uvicorn[standard]); uv reads the same
# lock the same way on every machine, checks every hash, and installs it in seconds rather than most of a minute.
# --compile-bytecode does what pip does by default: modules are compiled once here, not at every first import
# (where a library's invalid escape sequences would also warn, and the test suite turns warnings into errors).
# The venv is built anew whenever a lock changes, so it holds exactly what the locks say.
$(STAMP): requirements.lock requirements-uv.lock pyproject.toml Makefile
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-uv.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode --require-hashes -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	touch $(STAMP)

## demo: install, then run the pipeline end to end on an embedded DuckDB (offline)
demo: $(STAMP)
	$(BIN)/policywatch demo

## test: lint, then the full test suite, spread over the machine's cores (pytest-xdist)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto --dist worksteal

## test-fast: the unit tests only, spread over the cores: every test marked `integration` (a server, a subprocess,
## Airflow or a real crawl) is left out; tests/integration_guard.py fails an unmarked test that starts one
test-fast: $(STAMP)
	$(BIN)/pytest -m "not integration" -n auto --dist worksteal

## docs: the reference in docs/ as a site in site/; strict: a page missing from the nav or a broken link fails
docs: $(STAMP)
	$(BIN)/mkdocs build --strict

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
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/linkage.py

## lock: re-resolve requirements.lock from pyproject.toml with the venv's uv (needs network to PyPI)
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --quiet -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache data/demo site
