# The project's handbook: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lock lint format messages worker bench cluster cluster-soak cluster-faults clean screenshots

## run: install, migrate, load the demo newsroom and serve it on http://127.0.0.1:8000/
##      (with the background worker that sends newsletters, stopped with the server)
run: install .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	trap 'kill 0' EXIT; $(BIN)/python manage.py db_worker & \
		$(BIN)/python manage.py runserver 127.0.0.1:8000

## worker: run the background worker alone (newsletter sending)
worker: install
	$(BIN)/python manage.py db_worker

## test: run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL)
test: install
	$(BIN)/pytest

## screenshots: run the browser tests and refresh the editors' guide's screenshots (docs/screenshots/)
screenshots: install
	UPDATE_SCREENSHOTS=1 $(BIN)/pytest tests/browser

## install: create the virtual environment and install the locked dependencies
install: $(VENV)/.installed

# The lock pins every package, pip included, to the versions CI tested, each with its hashes.
$(VENV)/.installed: requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is required (set PYTHON=python3.x)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	@touch $@

## lock: after a change in pyproject.toml, pin what it allows, with hashes, in requirements/
##       (dev.txt: development and CI; production.txt: servers, the versions tested); pins stay
##       unless LOCK_ARGS=--upgrade (everything) or LOCK_ARGS="--upgrade-package django"
LOCK_ARGS ?=
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: install
	$(PIP_COMPILE) $(LOCK_ARGS) --extra dev -o requirements/dev.txt pyproject.toml
	$(PIP_COMPILE) -c requirements/dev.txt -o requirements/production.txt pyproject.toml

# Local settings for `make run`: debug on, SQLite, console e-mail (see .env.example).
.env:
	cp .env.example .env

## lint: ruff checks and format check, and no missing migration
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings newsroom.settings_test

## format: apply ruff's fixes and formatting
format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## messages: refresh the French catalogue after changing interface strings
messages: install
	$(BIN)/python manage.py makemessages --locale fr --no-obsolete --add-location file --ignore tests
	$(BIN)/python manage.py compilemessages --locale fr --ignore .venv

## bench: serve 10 000 generated articles with gunicorn, load them with wrk, print the figures
##        (PostgreSQL; BENCH_ARGS="--search-count 100000" also times search on 100 000 articles)
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/newsroom_bench
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m pip install --quiet ".[bench]"
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; } \
		|| echo "wrk is unavailable: the benchmark falls back to its Python load generator."
	NEWSROOM_BENCHMARK=1 DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench $(BENCH_ARGS)

## cluster: nginx → Varnish → two app servers → PostgreSQL primary and replica, Redis and the
##          worker, all on 127.0.0.1, until Ctrl-C (deploy/local-cluster)
cluster: install
	deploy/local-cluster up

## cluster-soak: the same, driven at saturation for 5 minutes while an editor publishes every
##               10 s and one app server is killed and restarted (SOAK_ARGS="--duration 60")
SOAK_ARGS ?=
cluster-soak: install
	deploy/local-cluster soak $(SOAK_ARGS)

## cluster-faults: the same, Redis, then the replica, then the worker stopped under load and
##                  started again (FAULT_ARGS="worker --down-for 20")
FAULT_ARGS ?=
cluster-faults: install
	deploy/local-cluster fault $(FAULT_ARGS)

## clean: remove the virtual environment, the local database and uploaded media
clean:
	rm -rf $(VENV) db.sqlite3 media
