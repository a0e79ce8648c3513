# The two commands a newcomer needs: `make demo` and `make test`. Both build the virtual environment first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint lab bench sandbox clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

# Runs the marketing and the funnel notebooks against the embedded sandbox; an HTML report of each, with its charts.
demo: $(STAMP)
	$(BIN)/python scripts/demo.py

lint: $(STAMP)
	$(BIN)/ruff check hubspot_nb tests benchmarks scripts
	$(BIN)/ruff format --check hubspot_nb tests benchmarks scripts
	$(BIN)/mypy hubspot_nb

test: $(STAMP) lint
	$(BIN)/python -m pytest -q --basetemp=.pytest_tmp

# The edit-test loop: everything that needs no browser, no notebook kernel and no long pull (< 90 s).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q --basetemp=.pytest_tmp -m "not browser and not slow"

# JupyterLab on notebooks/ with a sandbox running beside it.
lab: $(STAMP)
	$(BIN)/python scripts/demo.py --lab

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

sandbox: $(STAMP)
	$(BIN)/hubspot-nb sandbox

clean:
	rm -rf $(VENV) .pytest_tmp build *.egg-info
