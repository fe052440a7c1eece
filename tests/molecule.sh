#!/usr/bin/env bash
# shellcheck disable=SC2154  # $repo is set by tests/env.sh, sourced below
# Run every molecule scenario (extensions/molecule/) against one moto_server.
# The default scenario starts the server on the free port chosen here (AWS_ENDPOINT_URL is
# exported to molecule and every playbook it runs) and stops it at the end; the trap stops
# it too if molecule itself dies.
source "$(dirname "$0")/env.sh"
bin="$repo/.venv/bin"
state="$repo/.build/molecule-moto.json"
export PATH="$bin:$PATH"
"$bin/python" tests/support/moto_server.py stop "$state" >/dev/null
trap '"$bin/python" tests/support/moto_server.py stop "$state" >/dev/null' EXIT
port="$("$bin/python" tests/support/moto_server.py free-port)"
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=moto-secret
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export ECS_TOOLS_MOLECULE_FORKS="${ECS_TOOLS_MOLECULE_FORKS:-3}"
if [ -n "${ECS_TOOLS_COVERAGE:-}" ]; then
  # `make molecule` measures coverage: every module process of the scenarios records what it runs of
  # the collection into $ECS_TOOLS_COVERAGE (ansible-core's AnsiballZ coverage extension; see
  # tests/support/coverage_report.py). The role's controller side (the severities lookup, the survey
  # filters) is covered by the units; tracing the controller would cost as much CPU as the modules.
  mkdir -p "$ECS_TOOLS_COVERAGE"
  _ANSIBLE_ANSIBALLZ_COVERAGE_CONFIG="$("$bin/python" -c 'import json, sys; print(json.dumps(dict(config=sys.argv[1], output=sys.argv[2])))' \
    "$repo/pyproject.toml" "$(cd "$ECS_TOOLS_COVERAGE" && pwd)/.coverage.module")"
  export _ANSIBLE_ANSIBALLZ_COVERAGE_CONFIG
fi
# One base configuration for every scenario; each molecule.yml states only what differs.
base=(--base-config "$repo/extensions/molecule/config.yml")
# Forget what an interrupted earlier run left in molecule's ephemeral state.
"$bin/molecule" "${base[@]}" reset --all >/dev/null 2>&1 || true
# Arguments select scenarios (e.g. -s default -s multi_account); none means all of them.
if [ "$#" -eq 0 ]; then set -- --all; fi
exec "$bin/molecule" "${base[@]}" test --shared-state "$@"
