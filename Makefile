# Two commands matter: `make demo` and `make test`. Both build .venv from PyPI on first use.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
SANITY_VENV := .build/sanity-venv
PYTEST_WORKERS ?= 2
export PATH := $(BIN):$(PATH)

.PHONY: demo test venv lint format sanity ansible-lint units integration clean

venv: $(STAMP)

$(STAMP): tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r tests/requirements.txt
	touch $@

demo: $(STAMP)
	$(BIN)/python tests/support/moto_server.py run -- $(BIN)/python demo/run_demo.py

test: lint sanity ansible-lint units integration
	@echo "make test: every check passed"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# ansible-test must run from .../ansible_collections/ecs_tools/iam with amazon.aws beside it;
# it installs each test's requirements into its own venv, bootstrapping pip with a stand-in
# for the script it would download from a host this CI cannot reach.
sanity: $(STAMP)
	test -x $(SANITY_VENV)/bin/ansible-test || { $(PYTHON) -m venv $(SANITY_VENV) && \
	  $(SANITY_VENV)/bin/pip install --disable-pip-version-check -q "ansible-core==$$($(BIN)/python -c 'import ansible.release as r; print(r.__version__)')"; }
	mkdir -p ~/.ansible/test/cache
	cp tests/support/get_pip_standin.py ~/.ansible/test/cache/get_pip_24_2.py
	tree=$$(mktemp -d) && dir=$$(tests/sanity_tree.sh $$tree) && cd $$dir && \
	  $(CURDIR)/$(SANITY_VENV)/bin/ansible-test sanity --venv --python 3.11 --color no; \
	  status=$$?; rm -rf $$tree; exit $$status

ansible-lint: $(STAMP)
	mkdir -p .build/collections/ansible_collections/ecs_tools && ln -sfn ../../../.. .build/collections/ansible_collections/ecs_tools/iam
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/collections $(BIN)/ansible-lint --offline
	$(BIN)/antsibull-changelog lint

units: $(STAMP)
	$(BIN)/pytest tests/unit -q -p no:randomly

integration: $(STAMP)
	$(BIN)/pytest tests/integration -q -n $(PYTEST_WORKERS)

clean:
	rm -rf .build $(VENV) tests/output
