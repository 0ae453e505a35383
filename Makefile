# Two commands do everything: `make run` and `make test` (see README).
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
# Development defaults; production sets its own environment (README, "Deploying").
DEV_ENV := DEBUG=$${DEBUG:-1}

.PHONY: run test test-fast lint messages setup bench bench-peers load demo-passwords check clean

$(VENV)/.python:
	@PYTHON=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$PYTHON"; \
	$$PYTHON -m venv --clear $(VENV) && $$PYTHON --version > $@

$(VENV)/.runtime: $(VENV)/.python requirements.txt
	$(PIP) -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) -r requirements-dev.txt
	@touch $@

## setup: virtualenv, requirements, database schema, demo corpus and accounts.
setup: $(VENV)/.runtime messages
	@$(DEV_ENV) $(PY) manage.py migrate --noinput --verbosity 0
	@$(DEV_ENV) $(PY) manage.py setup_demo

## run: set everything up and serve on http://127.0.0.1:8000
run: setup
	@echo "Serving Hamish on http://127.0.0.1:8000/ with a background worker (Ctrl-C stops both)"
	@$(DEV_ENV) PY=$(PY) scripts/serve 127.0.0.1:8000

## messages: compile the interface translations (locale/*/LC_MESSAGES/*.po -> .mo). To collect newly
## marked strings into the catalogues first: scripts/messages (needs GNU gettext's xgettext).
messages: $(VENV)/.runtime
	@$(PY) scripts/compile_messages.py --quiet

## lint: ruff's bug-finding rules and its formatter, as configured in pyproject.toml (also run by make test).
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## test: install what the tests need (Chromium included), lint, and run the whole suite.
test: $(VENV)/.dev lint messages
	@scripts/ensure-chromium
	$(DEV_ENV) $(PY) -m pytest $(PYTEST_ARGS)

## test-fast: the suite without the browser tests.
test-fast: $(VENV)/.dev messages
	$(DEV_ENV) $(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

## bench: the benchmarks (README, "Performance"); each prints a table and writes bench/results/*.json.
## bench-peers: Hamish against doccano and Label Studio on the lines of issue 13, in one run (bench/peers.py:
## 2-4 minutes on 2 cores, PEERS_ARGS=--quick about 1). Not part of `make bench` or `make test`.
bench: $(VENV)/.runtime
	$(PY) bench/web.py
	$(PY) bench/importing.py
	$(PY) bench/export.py $(BENCH_ARGS)
	$(DEV_ENV) $(PY) bench/search.py
	$(DEV_ENV) $(PY) bench/duplicates.py

bench-peers: $(VENV)/.runtime
	$(PY) bench/peers.py $(PEERS_ARGS)

## load: 16 analysts writing spans for 60 s against gunicorn, on SQLite and on a throwaway PostgreSQL
## (bench/load.py): fails on any 5xx, "database is locked" or span count that does not add up.
load: $(VENV)/.runtime
	$(PY) bench/load.py $(LOAD_ARGS)
	scripts/with-postgres $(PY) bench/load.py $(LOAD_ARGS)

## demo-passwords: give the demo accounts new passwords and print them.
demo-passwords: $(VENV)/.runtime
	@$(DEV_ENV) $(PY) manage.py setup_demo --reset-passwords

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
