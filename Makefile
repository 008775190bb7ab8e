# customer_credit: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
WORKERS ?= 0
REPLICA ?= 0
DEV := scripts/dev.sh
VENV := .venv

.PHONY: setup run test stop bench load lint shell screenshots

setup:
	@$(DEV) setup

# make run WORKERS=4: prefork; make run REPLICA=1: read-only routes on a streaming replica
run:
	@WORKERS=$(WORKERS) REPLICA=$(REPLICA) $(DEV) run

test:
	@$(DEV) test

stop:
	@$(DEV) stop

bench:
	@$(DEV) bench $(BENCH_ARGS)

# make load [REPLICA=1] [LOAD_ARGS="--clients 8 --duration 5 --only throughput,race"]
load:
	@REPLICA=$(REPLICA) $(DEV) load $(LOAD_ARGS)

shell:
	@$(DEV) shell

screenshots:
	@$(DEV) screenshots

$(VENV)/.lint-installed: requirements-dev.txt
	@python3 -m venv $(VENV) 2>/dev/null || true
	@$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

lint: $(VENV)/.lint-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pylint --rcfile=.pylintrc --recursive=y --ignore=.venv,.local,scripts .
