# xuncha — make run: demo province end to end; make test: the whole test suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export XUNCHA_HOME ?= $(CURDIR)/var
export GX_ANALYTICS_ENABLED := False
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: setup run test lint format docs ui report report-pdf bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(shell command -v $(PYTHON) || echo python3) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/xuncha demo --home $(XUNCHA_HOME)

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd dbt_project && ../$(BIN)/sqlfluff lint models --processes 2

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: $(STAMP)
	$(BIN)/xuncha docs --home $(XUNCHA_HOME)

ui: $(STAMP)
	$(BIN)/xuncha ui --home $(XUNCHA_HOME)

report: $(STAMP)
	$(BIN)/xuncha report --home $(XUNCHA_HOME)

report-pdf: $(STAMP)
	$(BIN)/xuncha report --home $(XUNCHA_HOME) --pdf

bench: $(STAMP)
	$(BIN)/python -m bench.run --scale $${SCALE:-1}

clean:
	rm -rf var .pytest_cache dbt_project/target dbt_project/logs
