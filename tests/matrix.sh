#!/usr/bin/env bash
# shellcheck disable=SC2154  # $repo is set by tests/env.sh, sourced below
# One leg of the Ansible matrix (`make matrix-LEG`), in its own venv .build/matrix/LEG (made by the Makefile):
# the unit tests of the collection's plugins and role, then an integration slice of what touches the ansible-core
# or amazon.aws release:
# - the role through ecs_tools.iam.manage on two accounts as an AWX job (ansible-runner), verify phase included;
# - the module with PassRole grants in both modes: created, refused for missing principals with no write,
#   removed by `state: absent` in amazon.aws's four steps (check and diff mode), the converged cost;
# - the info module;
# - AWS data is data: account and OU names that are templates stay text in ansible-inventory and the audit
#   playbook (ansible-core before 2.19 templates inventory data the plugin does not mark unsafe).
# Planning (mode switches, repairs, adoption) is the same code on every release and runs in the main venv only.
# The other unit tests check the repository's tooling (benchmarks, docs schema, test helpers, the EE and DE
# definitions, README ownership) or the EDA event source (it runs under ansible-rulebook, in `make eda`):
# nothing of theirs depends on the ansible-core or amazon.aws release, and the main venv runs them.
# Prints the versions, the test counts and the leg's wall time; writes them to .build/matrix/LEG/summary.txt.
# The collection under test is this checkout (as in the main venv), amazon.aws the one installed in the leg's venv.
source "$(dirname "$0")/env.sh"
leg="$1"
venv="$repo/.build/matrix/$leg"
workers="${PYTEST_WORKERS:-2}"
slice=(  # the longest first, so that it starts at once
  tests/integration/test_awx_job_template.py
  tests/integration/test_pass_role.py
  tests/integration/test_ecs_infrastructure_role_info.py
  tests/integration/test_inventory_unsafe.py
)
selected="two_account_job or missing_principals_absent_and_the_converged_cost"
selected="$selected or healthy_role_has_no_findings"
selected="$selected or keeps_templates_from_aws_literal"

versions="$("$venv/bin/python" - <<'PY'
import json, os, sys
import ansible.release
import ansible_collections.amazon.aws as aws
with open(os.path.join(list(aws.__path__)[0], "MANIFEST.json")) as f:
    amazon = json.load(f)["collection_info"]["version"]
print("Python {0}, ansible-core {1}, amazon.aws {2}".format(sys.version.split()[0], ansible.release.__version__, amazon))
PY
)"
echo "matrix $leg: $versions"
start=$(date +%s)
# Each run's output goes to a file, then to stdout. (Not `tee /dev/stderr`: where stderr is a file, as
# in a CI log, reopening /dev/stderr truncates it and loses everything printed before.)
log="$venv/pytest.log"
"$venv/bin/pytest" tests/unit/plugins tests/unit/roles -q -p no:randomly -p no:cacheprovider -n "$workers" >"$log" 2>&1 || true
cat "$log"
units="$(tail -n 1 "$log")"
"$venv/bin/pytest" "${slice[@]}" -q -rfEp -n "$workers" -k "$selected" >"$log" 2>&1 || true
cat "$log"
integration="$(tail -n 1 "$log")"
# Each name in the selection must still pick a test that passed: a renamed or merged test must not
# shrink the slice unnoticed.
lost=""
while IFS= read -r name; do
  grep -q "^PASSED .*${name}" "$log" || lost="$lost $name"
done <<<"${selected// or /$'\n'}"
if [ -n "$lost" ]; then
  integration="$integration; no passed test for:$lost (renamed? update the selection in tests/matrix.sh)"
fi
summary="matrix $leg ($versions): units: $units; integration slice: $integration; wall time $(( $(date +%s) - start ))s"
echo "$summary" | tee "$venv/summary.txt"
for result in "$units" "$integration"; do
  case "$result" in
    *failed* | *error* | *"no tests ran"* | *"no passed test for"*) exit 1 ;;
    *passed*) ;;
    *) exit 1 ;;
  esac
done
