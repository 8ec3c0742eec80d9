# Liqaa: `make run` to try it, `make test` to test it. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app
HOST ?= 127.0.0.1
PORT ?= 5000
# flask run reads these; in development BASE_URL (links in emails, QR codes) follows them.
export FLASK_RUN_HOST := $(HOST)
export FLASK_RUN_PORT := $(PORT)

.PHONY: run test setup setup-dev db demo translations compile-translations lint format bench clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installed from the lock files: every package of the tree pinned, with its hashes.
$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# After changing requirements*.txt: write the lock files again (pip-tools).
lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	for f in requirements requirements-dev; do \
	  $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	    --no-emit-index-url --no-emit-find-links --output-file $$f.lock $$f.txt; \
	done

setup: $(VENV)/.runtime compile-translations

setup-dev: $(VENV)/.dev compile-translations

compile-translations: | $(BIN)/python
	$(BIN)/python scripts/i18n.py compile

# Extract new strings into the catalogues, then translate them in translations/*/{ar,fr}.
translations: $(VENV)/.runtime
	$(BIN)/python scripts/i18n.py update
	$(BIN)/python scripts/i18n.py compile
	-$(BIN)/python scripts/i18n.py check

db: setup
	LIQAA_ENV=development $(BIN)/flask db upgrade

demo: db
	LIQAA_ENV=development $(BIN)/flask demo

run: demo
	@echo
	@echo "  Liqaa is at http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@echo "  Emails are not sent without MAIL_SERVER: read them at http://$(HOST):$(PORT)/dev/mail"
	@echo
	LIQAA_ENV=development $(BIN)/flask run --host $(HOST) --port $(PORT)

# The suite on SQLite, then once more on PostgreSQL when TEST_DATABASE_URL is set.
test: setup-dev
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== the same suite on $$TEST_DATABASE_URL =="; \
	  $(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# bench/scale_app.py is the app pages_at_scale.py serves, not a benchmark.
bench: setup-dev
	@for b in bench/*.py; do \
	  case $$b in bench/scale_app.py) continue;; esac; \
	  echo "== $$b"; $(BIN)/python $$b || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
