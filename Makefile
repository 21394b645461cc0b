# The two commands of the README: `make demo` and `make test`. Both set everything up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: demo test test-fast bench setup setup-browser db-start db-stop db-status clean-db lint

demo: setup
	$(PY) -m geo migrate
	$(PY) -m data.demo --if-empty
	$(PY) -m geo risk
	$(PY) -m geo users demo
	$(PY) -m dashboard

# Two workers (pytest-xdist), one test file each at a time; the demo databases are built once
# per run and copied (tests/conftest.py). The slowest tests are listed at the end.
PYTEST := $(PY) -m pytest -q -n 2 --dist loadfile

test: setup setup-browser
	$(PYTEST) --durations=40 tests

# The fast set while working: everything but the tests marked slow (end-to-end, browser).
test-fast: setup setup-browser
	$(PYTEST) --durations=15 -m "not slow" tests

bench: setup setup-browser
	$(PY) -m geo migrate
	$(PY) -m bench
	$(PY) -m bench.dashboard
	$(PY) -m bench.wall
	$(PY) -m bench.boundaries
	$(PY) -m bench.signin_flood
	$(PY) -m bench.loop
	$(PY) -m bench.ogc
	$(PY) -m bench.province

setup: $(INSTALLED)
	@PYTHON=$(PYTHON) scripts/install-system-deps.sh postgis proxy

setup-browser:
	@PYTHON=$(PYTHON) scripts/install-system-deps.sh browser gdal

$(INSTALLED): requirements.txt
	@PYTHON=$(PYTHON) scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $(INSTALLED)

db-start: setup
	$(PY) -m geo db start

db-stop: $(INSTALLED)
	$(PY) -m geo db stop

db-status: $(INSTALLED)
	$(PY) -m geo db status

clean-db: $(INSTALLED)
	$(PY) -m geo db destroy

lint: $(INSTALLED)
	$(VENV)/bin/ruff check geo data dashboard bench tests
	$(VENV)/bin/ruff format --check geo data dashboard bench tests
