# Two commands for a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint typecheck unit system-deps corpus screenshot bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,postgres]'
	touch $(STAMP)

install: $(STAMP)

## Run the whole pipeline on the bundled sample province (offline, loopback only).
demo: $(STAMP)
	$(BIN)/zwgk demo --out demo-output

## Lint, format check, type check, then the test suite.
test: lint typecheck unit

## Debian packages the browser, PDF and PostgreSQL tests need (chromium,
## fonts-noto-cjk, poppler-utils, postgresql, redis-server): installed when missing and run
## as root, else named.
system-deps:
	bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) system-deps
	$(BIN)/pytest -q

## Run the parsers over ../shared/corpus/pingtan when it is present.
corpus: $(STAMP)
	$(BIN)/python scripts/corpus_report.py

## Benchmark zwgk against a bare Scrapy spider, LinkChecker and linkinator (see docs/benchmarks.md).
bench: $(STAMP)
	$(PY) bench/run.py

## Screenshot the demo scorecards with headless Chromium (needs chromium, fonts-noto-cjk).
screenshot: $(STAMP) system-deps
	bash scripts/screenshot.sh demo-output

clean:
	rm -rf demo-output zwgk-out .pytest_cache .mypy_cache .ruff_cache
