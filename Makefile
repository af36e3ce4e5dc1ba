# Plombiers — the two commands of a fresh machine are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
# xdist workers: the machine has 2 cores; browser tests share them.
WORKERS ?= auto

.PHONY: install demo serve test lint format bench seed loadtest chromium verifier deploy-tools clean

$(BIN)/plombiers: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The `bench` extra (WeasyPrint, the reference the documents benchmark compares Typst with) is
	# for the benchmark and its test only: the application never imports it.
	# `sentry`: the optional error reporting, installed here so that its test runs.
	$(BIN)/pip install --quiet -e '.[test,bench,sentry]'
	@touch $@

install: $(BIN)/plombiers

demo: install
	$(BIN)/plombiers migrate --noinput
	$(BIN)/plombiers collectstatic --noinput -v0
	$(BIN)/plombiers demo
	@echo "Worker des tâches (e-mails…) et serveur sur http://$(HOST) — Ctrl-C pour arrêter."
	$(BIN)/plombiers db_worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; $(BIN)/plombiers runserver $(HOST)

# The production server on a local database (docs/deploy.md for a real installation).
serve: install
	$(BIN)/plombiers migrate --noinput
	$(BIN)/plombiers collectstatic --noinput -v0
	$(BIN)/plombiers serve --bind $(HOST)

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "Chromium manque : sudo apt-get install chromium" >&2; exit 1; fi; \
	fi

# Digital Bazaar's reference verifier (Node.js 20, versions locked in verifier/package-lock.json):
# the credentials tests check every kind of credential the code signs with it.
verifier/node_modules/.package-lock.json: verifier/package.json verifier/package-lock.json
	npm ci --prefix verifier --no-audit --no-fund --loglevel=error
	@touch $@

verifier: verifier/node_modules/.package-lock.json

# Debian's systemd (systemd-analyze) and Caddy: the tests check the files of deploy/ with them.
deploy-tools:
	@missing=""; \
	command -v systemd-analyze >/dev/null || missing="$$missing systemd"; \
	command -v caddy >/dev/null || missing="$$missing caddy"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Il manque :$$missing — sudo apt-get install$$missing" >&2; exit 1; fi; \
	fi

test: install chromium verifier deploy-tools
	$(BIN)/pytest -n $(WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/plombiers makemigrations --check --dry-run
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The benchmark suite (README « Performances ») on its own database, never the demo's:
# bench/bench.sqlite3 by default (built once, then reused), PostgreSQL with DATABASE_URL.
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/bench/bench.sqlite3
bench: install
	@mkdir -p bench
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} $(BIN)/plombiers bench $(BENCH_ARGS)

# The synthetic national network the indicators' benchmarks read, in the bench's database:
# `make seed SEED_ARGS="--learners 1000000"` for the national case (100,000 young people by default).
seed: install
	@mkdir -p bench
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} $(BIN)/plombiers seed $(SEED_ARGS)

# The load test (docs/performance.md): locust on 127.0.0.1 against the production server, on its
# own database — bench/loadtest.sqlite3 by default (12 users), PostgreSQL with DATABASE_URL (50
# users); the demo network is loaded there first. `make loadtest LOADTEST_ARGS="--steady 20"` for
# a short trial.
LOADTEST_DATABASE_URL ?= sqlite:///$(CURDIR)/bench/loadtest.sqlite3
loadtest: install
	$(BIN)/pip install --quiet -e '.[load]'
	@mkdir -p bench
	DATABASE_URL=$${DATABASE_URL:-$(LOADTEST_DATABASE_URL)} $(BIN)/plombiers migrate --noinput -v0
	DATABASE_URL=$${DATABASE_URL:-$(LOADTEST_DATABASE_URL)} $(BIN)/plombiers loadtest $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) *.egg-info test-artifacts verifier/node_modules
