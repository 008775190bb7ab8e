# customer_credit: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
DEV := tools/dev.sh

.PHONY: setup run test stop bench lint shell pot

setup:
	@$(DEV) setup

run:
	@$(DEV) run

test:
	@$(DEV) test

stop:
	@$(DEV) stop

bench:
	@$(DEV) bench $(BENCH_ARGS)

shell:
	@$(DEV) shell

lint:
	@$(DEV) setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/pylint --rcfile=.pylintrc --load-plugins=pylint_odoo --disable=all --enable=odoolint,sql-injection,translation-required,manifest-version-format --exit-zero=n . 2>/dev/null || .venv/bin/pylint --rcfile=.pylintrc .
