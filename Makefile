# Crosscheck: `make run` to try it, `make test` to check it, `make bench` to measure it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Where alert emails and the printed examples point; set it yourself behind a proxy or TLS.
CROSSCHECK_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: setup run test bench clean assets chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The pages' stylesheet and script, built from the pinned npm packages (GOV.UK Frontend; axe-core
# for the browser tests). Generated, not committed.
ASSETS := api/static/crosscheck.css api/static/govuk-frontend.min.js
NODE_STAMP := node_modules/.installed

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(ASSETS): $(NODE_STAMP) api/assets/crosscheck.scss
	npm run --silent build
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js api/static/

assets: $(ASSETS)

# The browser tests drive Debian's chromium (never a browser downloaded by playwright).
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

setup: $(STAMP) $(ASSETS)
	$(BIN)/crosscheck init-db

# `make run PORT=8080` serves elsewhere. crosscheck run supervises the jobs worker: one that stops
# is restarted, and the web service never runs without one.
run: export CROSSCHECK_BASE_URL := $(CROSSCHECK_BASE_URL)
run: setup
	$(BIN)/crosscheck demo
	@echo "Serving $(CROSSCHECK_BASE_URL)/ (API under /api/v1); the jobs worker runs alongside. Ctrl-C stops both."
	@exec $(BIN)/crosscheck run --host $(HOST) --port $(PORT)

test: $(STAMP) $(ASSETS) chromium
	$(BIN)/ruff check licensing api jobs crosscheck tests benchmarks
	$(BIN)/python -c "from licensing.reference.postcodes import build_postcode_index; build_postcode_index()"
	$(BIN)/pytest -n 2 -q -p no:cacheprovider

$(VENV)/.bench-installed: $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(VENV)/.bench-installed

bench: $(VENV)/.bench-installed
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var build *.egg-info node_modules $(ASSETS)
