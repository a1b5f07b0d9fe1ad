# The project's handbook: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lint format messages worker bench clean

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

## install: create the virtual environment and install the dependencies
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is required (set PYTHON=python3.x)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	@touch $@

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

## clean: remove the virtual environment, the local database and uploaded media
clean:
	rm -rf $(VENV) db.sqlite3 media
