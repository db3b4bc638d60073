# Two entry points a fresh clone needs: `make run` (the main job) and `make test`.
# Python 3.12 or newer (Mesa 3.5 needs it). Under pyenv, .python-version selects 3.12; elsewhere
# set PYTHON=/path/to/python3.12.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install install-test run test lint demo

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "error: Python >= 3.12 needed (Mesa 3.5); found " + sys.version.split()[0] + ": run with PYTHON=python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Installs again only when pyproject.toml changes (a stamp in the venv), so `make run` is quiet.
install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

# Tests also cover the browser demo (Debian's chromium), the sweeps and the benchmark peers.
install-test: $(VENV)/.installed-test
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test,viz-test,sweep,bench]"
	sh scripts/install-browser
	@touch $@

run: install
	$(BIN)/python -m sim

# The suite, then the validation report's quick check: it fails when a target docs/validation.json
# marks met is missed.
test: install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	$(BIN)/python -m sim.validate --quick

lint: install-test
	$(BIN)/ruff check .

demo: $(BIN)/python
	$(BIN)/pip install -q -e ".[viz]"
	$(BIN)/solara run sim/demo/app.py --production
