# Two commands for a newcomer (README "Set up and run", "Test"); .ci/run and the CI workflow call
# the same targets, so what a contributor runs is what CI runs.
#
#   make plan [STACK=aws]   create ./venv if needed, install, and plan a stack offline (default: local)
#   make test               ruff, mypy and pytest (fetches cert-manager's schemas for the tests first)

PYTHON ?= python3
VENV := venv
STACK ?= local
# cert-manager's CRDs and chart values schema, at the chart version the program pins
# (gitpod:certManager.version): the tests validate the Certificate and the chart values against
# them, offline, from Go's module cache (tests/kubernetes_schemas.py).
CERT_MANAGER_MODULE := github.com/cert-manager/cert-manager@v1.21.1
# external-dns's chart values schema: the Go module version that ships the chart the program pins
# (externaldns/component.py; tests/kubernetes_schemas.py maps chart to module).
EXTERNAL_DNS_MODULE := sigs.k8s.io/external-dns@v0.22.0

.PHONY: setup plan test schemas

# Installed once, and again when a requirements or project file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml tooling/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

plan: $(VENV)/.installed
	$(VENV)/bin/python -m gitpod_refarch plan --stack $(STACK)

schemas:
	go mod download $(CERT_MANAGER_MODULE) $(EXTERNAL_DNS_MODULE)

test: $(VENV)/.installed schemas
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -n 2
