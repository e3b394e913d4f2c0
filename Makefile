# Two commands for a newcomer: `make run` and `make test`. Each does its own set-up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench venv lint infra-up infra-down infra-status clean

$(STAMP): pyproject.toml constraints.txt
	@echo "==> setting up the virtual environment in $(VENV)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --disable-pip-version-check -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@$(PY) -m devstack run $(if $(EMPTY),--empty,)

test: $(STAMP)
	@$(PY) -m devstack test

bench: $(STAMP)
	@$(PY) -m bench

lint: $(STAMP)
	@$(VENV)/bin/ruff check .

infra-up: $(STAMP)
	@$(PY) -m devstack infra up

infra-down: $(STAMP)
	@$(PY) -m devstack infra down

infra-status: $(STAMP)
	@$(PY) -m devstack infra status

clean:
	rm -rf .local
