# Two commands matter: `make demo` and `make test`. On first use `make demo` builds .build/demo-venv
# (demo/requirements.txt only) and `make test` builds .venv (tests/requirements.txt) from PyPI.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2
export PATH := $(BIN):$(PATH)

.PHONY: demo test coverage coverage-erase eda eda-proof eda-bench venv lint format sanity ee ansible-lint units integration targets molecule awx matrix matrix-core217 matrix-latest bench bench-smoke bench-fleet screenshot collection-link clean

venv: $(STAMP) collection-link

$(STAMP): tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r tests/requirements.txt
	touch $@

# The demo has a venv of its own with only what it runs (demo/requirements.txt), not the development
# toolchain of .venv; pip's progress is shown while it installs (first run only).
DEMO_VENV := .build/demo-venv
DEMO_BIN := $(CURDIR)/$(DEMO_VENV)/bin
DEMO_STAMP := $(DEMO_VENV)/.installed
# amazon.aws for the demo: unpacked alone from this `ansible` release's wheel (see demo/requirements.txt).
DEMO_ANSIBLE := ansible>=12,<13

$(DEMO_STAMP): demo/requirements.txt demo/install_amazon_aws.py
	@echo "make demo: installing demo/requirements.txt into $(DEMO_VENV) (first run only; pip's progress follows)"
	rm -rf $(DEMO_VENV)
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_BIN)/pip install --disable-pip-version-check -r demo/requirements.txt \
		| { grep --line-buffered -E '^(Collecting|Installing|Successfully|ERROR)' || true; }
	@echo "make demo: amazon.aws from the $(DEMO_ANSIBLE) wheel"
	$(DEMO_BIN)/pip download --disable-pip-version-check -q --no-deps -d $(DEMO_VENV)/wheels "$(DEMO_ANSIBLE)"
	$(DEMO_BIN)/python demo/install_amazon_aws.py $(DEMO_VENV)/wheels/ansible-*.whl
	rm -rf $(DEMO_VENV)/wheels
	touch $@

demo: $(DEMO_STAMP)
	$(DEMO_BIN)/python tests/support/moto_server.py run -- $(DEMO_BIN)/python demo/run_demo.py

# Event-Driven Ansible (extensions/eda/): the real ansible-rulebook, in a venv of its own built from
# tests/requirements-eda.txt (ansible-rulebook, ansible-core, boto3; amazon.aws unpacked from the `ansible`
# wheel as for the demo). Its rules engine needs a Java 17+ runtime: tests/support/check_java.py finds it
# (JAVA_HOME or java on PATH) or fails saying how to install one. `make eda` runs the end-to-end proof on
# moto (tests/integration/test_eda_repair.py, skipped by the plain pytest runs when this venv is absent)
# and the time-to-repair gate (benchmarks/eda_repair.py).
EDA_VENV := .build/eda-venv
EDA_BIN := $(CURDIR)/$(EDA_VENV)/bin
EDA_STAMP := $(EDA_VENV)/.installed

$(EDA_STAMP): tests/requirements-eda.txt demo/install_amazon_aws.py
	$(PYTHON) tests/support/check_java.py
	rm -rf $(EDA_VENV)
	$(PYTHON) -m venv $(EDA_VENV)
	$(EDA_BIN)/pip install --disable-pip-version-check -q -r tests/requirements-eda.txt
	$(EDA_BIN)/pip download --disable-pip-version-check -q --no-deps -d $(EDA_VENV)/wheels "$(DEMO_ANSIBLE)"
	$(EDA_BIN)/python demo/install_amazon_aws.py $(EDA_VENV)/wheels/ansible-*.whl
	rm -rf $(EDA_VENV)/wheels
	touch $@

# `make eda` is both halves; `make test` runs them as two stages: the proof (mostly waiting on the
# rulebook, with generous timeouts) beside the integration tests, and one round of the time-to-repair
# gate (a wall-clock goal) among the last, lighter stages. EDA_ROUNDS=3 for the medians in docs/benchmark.md.
EDA_ROUNDS ?= 1
eda: eda-proof eda-bench

eda-proof: $(STAMP) $(EDA_STAMP) collection-link
	$(PYTHON) tests/support/check_java.py
	ECS_TOOLS_EDA_VENV=$(CURDIR)/$(EDA_VENV) $(BIN)/pytest tests/integration/test_eda_repair.py -q -n 0 -p no:randomly

eda-bench: $(STAMP) $(EDA_STAMP) collection-link
	$(PYTHON) tests/support/check_java.py
	ECS_TOOLS_EDA_VENV=$(CURDIR)/$(EDA_VENV) $(BIN)/python benchmarks/eda_repair.py --rounds $(EDA_ROUNDS)

# `make test` builds the venvs first, one after the other, then runs its stages side by side through
# tests/support/stages.py: STAGE=WEIGHT is the cores a stage keeps busy (CPU time / wall time as the
# stage table shows it: integration's two pytest workers 1.85, the EDA proof's rulebook and timers 0.4;
# rounded so that the proof's two minutes of waiting run beside integration, the longest stage; `make
# demo`, a few seconds, takes the slot the proof leaves, so the demo's own venv is tested too), and
# the stages fill $(TEST_SLOTS) slots (the machine's cores) in the order given: the two-worker stages
# first, then the one-core ones, the shortest last, so the last minutes stay full. The wall-clock gates
# (eda-bench, bench-smoke) run there, never beside the two-worker stages. The static checks (sanity,
# ansible-lint, lint, ee: no test with a time limit) are `idle` stages: they start at once at nice 19 and
# take no slot, so they run on what integration's workers leave idle while they wait on moto and on
# their subprocesses (about a tenth of the machine over its eight minutes). Each stage's output is printed
# as one block when it ends (and kept in .build/stages/STAGE.log), then a table of each stage's wall and
# CPU time.
TEST_SLOTS ?= $(shell nproc 2>/dev/null || echo 2)
TEST_STAGES ?= integration=1.75 eda-proof=0.25 demo=0.25 sanity=idle ansible-lint=idle lint=idle ee=idle \
	units=2 matrix-latest=2 matrix-core217=2 targets molecule eda-bench bench-smoke
test: $(STAMP) $(EDA_STAMP) collection-link coverage-erase
	$(BIN)/python tests/support/stages.py --slots $(TEST_SLOTS) --make "$(MAKE)" $(TEST_STAGES)
	$(if $(TEST_COVERAGE),$(MAKE) --no-print-directory coverage)
	@echo "make test: every check passed"

# Line and branch coverage of plugins/ and extensions/eda/plugins/ over four layers: units, integration,
# targets and molecule each record into .build/coverage/<layer>/ (pytest-cov for pytest itself; every
# module process, and the controller where the inventory plugin runs, through tests/support/playbook.py,
# tests/molecule.sh and tests/ansible_test_integration.sh). `make coverage` combines them, prints the per-file table and the
# totals, writes .build/coverage/html/ and coverage.json, and fails below tests/coverage-floor.json
# (tests/support/coverage_report.py). COVERAGE=0 runs the layers without measuring.
COVERAGE ?= 1
COV_DIR := $(CURDIR)/.build/coverage
ifeq ($(COVERAGE),1)
cov_env = rm -rf $(COV_DIR)/$(1) && ECS_TOOLS_COVERAGE=$(COV_DIR)/$(1) COVERAGE_FILE=$(COV_DIR)/$(1)/.coverage
cov_pytest = --cov --cov-config=pyproject.toml --cov-report=
TEST_COVERAGE := coverage
endif

coverage-erase:
	rm -rf $(COV_DIR)

coverage: $(STAMP)
	$(BIN)/python tests/support/coverage_report.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# ansible-test sanity, antsibull-docs lint and ansible-doc of the role, on a copy laid out as
# .../ansible_collections/ecs_tools/iam with amazon.aws beside it: see tests/sanity.sh.
sanity: $(STAMP)
	tests/sanity.sh

# The execution environment definition builds a context (building the image needs a container engine);
# so does the decision environment for an EDA controller (decision-environment.yml).
ee: $(STAMP)
	rm -rf .build/ee-context
	$(BIN)/ansible-builder create -f execution-environment.yml -c .build/ee-context
	grep -q "ansible-galaxy collection install" .build/ee-context/Dockerfile
	rm -rf .build/de-context
	$(BIN)/ansible-builder create -f decision-environment.yml -c .build/de-context
	grep -q "ansible-rulebook" .build/de-context/_build/requirements.txt

collection-link:
	$(PYTHON) tests/support/collection_link.py

ansible-lint: $(STAMP) collection-link
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/collections $(BIN)/ansible-lint --offline
	$(BIN)/antsibull-changelog lint

units: $(STAMP)
	$(call cov_env,units) $(BIN)/pytest tests/unit -q -p no:randomly -n $(PYTEST_WORKERS) $(cov_pytest)

# The end-to-end EDA proof needs .build/eda-venv and runs in `make eda`.
integration: $(STAMP)
	$(call cov_env,integration) $(BIN)/pytest tests/integration -q -n $(PYTEST_WORKERS) --durations=20 --ignore=tests/integration/test_eda_repair.py $(cov_pytest)

# ansible-test integration targets (tests/integration/targets/) against a moto_server of their own,
# on a copy laid out as .../ansible_collections/ecs_tools/iam: see tests/ansible_test_integration.sh.
targets: $(STAMP)
	$(call cov_env,targets) tests/ansible_test_integration.sh

# Molecule scenarios (extensions/molecule/) sharing one moto_server: see tests/molecule.sh.
molecule: $(STAMP) collection-link
	$(call cov_env,molecule) tests/molecule.sh

# The AWX job-template test alone (ansible-runner, two accounts through STS; also part of `integration`).
awx: $(STAMP) collection-link
	$(BIN)/pytest tests/integration/test_awx_job_template.py -q -n 1

# Every Ansible release the collection claims, each in a venv of its own under .build/matrix/:
#   core217: ansible-core 2.17 (the floor of meta/runtime.yml and of amazon.aws 10) on Python 3.11,
#            amazon.aws 10.x from the `ansible` 12.x wheel (Galaxy is unreachable);
#   latest:  the newest `ansible` release from PyPI (its ansible-core and amazon.aws) on Python 3.13.
# Each runs the unit tests and an integration slice (module, info module, role): see tests/matrix.sh.
MATRIX := .build/matrix
PYTHON_CORE217 ?= python3.11
PYTHON_LATEST ?= python3.13
PYENV_LATEST ?= 3.13.0
matrix: matrix-core217 matrix-latest
	@cat $(MATRIX)/core217/summary.txt $(MATRIX)/latest/summary.txt

matrix-core217 matrix-latest: matrix-%: $(MATRIX)/%/.installed collection-link
	tests/matrix.sh $*

# (The matrix venvs and the demo's are built before `make test` runs its stages.)
test: $(MATRIX)/core217/.installed $(MATRIX)/latest/.installed $(DEMO_STAMP)

$(MATRIX)/core217/.installed: tests/requirements-core217.txt
	rm -rf $(MATRIX)/core217
	$(PYTHON_CORE217) -m venv $(MATRIX)/core217
	$(MATRIX)/core217/bin/pip install --disable-pip-version-check -q -r tests/requirements-core217.txt
	$(MATRIX)/core217/bin/pip install --disable-pip-version-check -q --no-deps "ansible>=12,<13"
	touch $@

$(MATRIX)/latest/.installed: tests/requirements-latest.txt
	rm -rf $(MATRIX)/latest
	PYENV_VERSION=$(PYENV_LATEST) $(PYTHON_LATEST) -m venv $(MATRIX)/latest
	$(MATRIX)/latest/bin/pip install --disable-pip-version-check -q -r tests/requirements-latest.txt
	touch $@

# The benchmark against the amazon.aws composition (slow; not part of `make test`): see benchmarks/README.md.
# A full run rewrites benchmarks/results.json, results.md and docs/benchmark.md (benchmarks/report.py).
# BENCH_ARGS=--quick for a smoke run, BENCH_ARGS=--smoke for the smallest one.
BENCH_ARGS ?=
bench: $(STAMP) collection-link
	$(BIN)/pip install --disable-pip-version-check -q -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

# The benchmarks' gates at a smoke size, in `make test` (CI): each script prints the numbers it asserts on
# and exits non-zero when a gate fails (a ratio measured in the same run, or a time far above the measured
# one). Tests assert behaviour only; wall-clock and ratio gates live here, not in pytest.
bench-smoke: $(STAMP) collection-link
	$(BIN)/python benchmarks/pass_role_eval.py --runs 3
	$(BIN)/python benchmarks/pass_role_patterns.py --runs 1
	$(BIN)/python benchmarks/scan.py --quick

# The fleet benchmark: ecs_tools.iam.audit over 20 moto accounts with forks 1 and 5 (docs/benchmark.md).
FLEET_ARGS ?=
bench-fleet: $(STAMP) collection-link
	$(BIN)/pip install --disable-pip-version-check -q -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/fleet.py $(FLEET_ARGS)

# docs/audit-report.png: the audit's report.html in headless Chromium (Debian's chromium, installed
# by tests/support/install_chromium.sh when missing).
screenshot: $(STAMP) collection-link
	tests/support/install_chromium.sh
	$(BIN)/python tests/support/screenshot.py docs/audit-report.png

clean:
	rm -rf .build $(VENV) tests/output
