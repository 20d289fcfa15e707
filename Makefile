# Crosscheck: `make run` to try it, `make test` to check it, `make bench` to measure it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

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

run: setup
	$(BIN)/crosscheck demo
	@echo "Serving http://$(HOST):$(PORT)/ (API under /api/v1); the jobs worker runs alongside. Ctrl-C stops both."
	@$(BIN)/crosscheck jobs & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/crosscheck serve --host $(HOST) --port $(PORT)

test: $(STAMP) $(ASSETS) chromium
	$(BIN)/ruff check licensing api jobs crosscheck tests benchmarks
	$(BIN)/python -c "from licensing.reference.postcodes import build_postcode_index; build_postcode_index()"
	$(BIN)/pytest -n 2 -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var build *.egg-info node_modules $(ASSETS)
