# The two commands a new developer needs: `make run` and `make test`.
PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test install lint format messages serve bench bench-search bench-http bench-import bench-request bench-places bench-wsgi load clean backup restore verify-backup bench-nppes
PG_URL ?= postgres://postgres@127.0.0.1:5432

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_accounts
	$(PY) manage.py seed_demo_desk
	@echo "Serving the directory on http://$(HOST)/ (Ctrl-C stops it)"
	$(PY) manage.py runserver $(HOST)

# The suite in TEST_WORKERS processes (pytest-xdist; one per core by default), each with its own test database.
TEST_WORKERS ?= auto

test: install lint
	$(PY) -m pytest -n $(TEST_WORKERS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The Spanish and Canadian French catalogues: collect every marked string into locale/*/django.po (translate the
# new ones there: tests/test_catalogues.py fails on any left untranslated or fuzzy), then compile the .mo files
# that are committed beside them. Needs GNU gettext (Debian: apt-get install gettext).
MESSAGES_SOURCES := accounts config directory moderation practice templates
messages:
	$(PY) manage.py makemessages --locale es --locale fr_CA --no-location --no-obsolete --extension html,txt,py $(foreach d,$(filter-out $(MESSAGES_SOURCES),$(patsubst %/,%,$(sort $(dir $(wildcard */))))),--ignore '$(d)/*')
	$(PY) manage.py compilemessages --locale es --locale fr_CA --ignore '.venv/*'

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Production mode with gunicorn against PostgreSQL. Needs SECRET_KEY; ALLOWED_HOSTS defaults to localhost here.
serve: install
	@test -n "$$SECRET_KEY" || { echo "Set SECRET_KEY (see README: Running in production)"; exit 1; }
	@test -n "$$DATABASE_URL" || psql "$(PG_URL)/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = 'directory'" | grep -q 1 || createdb -h 127.0.0.1 -U postgres directory
	DJANGO_ENV=production DATABASE_URL=$${DATABASE_URL:-$(PG_URL)/directory} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-localhost,127.0.0.1} $(PY) manage.py collectstatic --noinput -v0
	DJANGO_ENV=production DATABASE_URL=$${DATABASE_URL:-$(PG_URL)/directory} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-localhost,127.0.0.1} $(PY) manage.py migrate --noinput
	DJANGO_ENV=production DATABASE_URL=$${DATABASE_URL:-$(PG_URL)/directory} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-localhost,127.0.0.1} $(PY) -m gunicorn config.wsgi -c config/gunicorn.conf.py

# Benchmarks print tables (PostgreSQL; PostGIS and wrk come from Debian for the comparison only).
# `make bench`: every target of issue 21 measured and checked in one run (bench/targets.py; QUICK=1: small sizes).
bench: install
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)/postgres} $(PY) bench/targets.py $(if $(QUICK),--quick)

bench-search: install
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)/directory} $(PY) bench/search.py

bench-import: install
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)/directory} $(PY) bench/csv_import.py

# import_nppes on a generated 1,000,000-row registry file, in a throw-away database nppes_bench on that server.
bench-nppes: install
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)/directory} $(PY) bench/nppes_import.py

# One search request in process, before (BEFORE=revision) and after, side by side.
bench-request: install
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)/postgres} bash bench/compare_request_cost.sh $${BEFORE:-dab32b6}

bench-places: install
	$(PY) bench/places.py

# One request's CPU through the WSGI application (production settings, Redis) beside /robots.txt's.
bench-wsgi: install
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)/postgres} $(PY) bench/wsgi_cost.py

bench-http: install
	$(PY) bench/http_load.py

# Load and fault test, reads then writes (bench/load.py); stops and starts this machine's PostgreSQL cluster.
load: install
	$(PY) bench/load.py

# Backups of the database DATABASE_URL names (the embedded SQLite file by default); README: Backups.
backup: install
	@$(PY) manage.py backup

restore: install
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/directory-....dump [REPLACE=1]"; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(REPLACE),--replace)
	$(PY) manage.py migrate --noinput

verify-backup: install
	@test -n "$(FILE)" || { echo "Usage: make verify-backup FILE=backups/directory-....dump"; exit 2; }
	$(PY) manage.py verify_backup "$(FILE)"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
