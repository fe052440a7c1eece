#!/usr/bin/env bash
# ansible-test integration targets (tests/integration/targets/, alias cloud/aws), run the way
# amazon.aws runs its own: on a copy laid out as .../ansible_collections/ecs_tools/iam/ with
# amazon.aws beside it (tests/sanity_tree.sh), with ansible-test's AWS cloud configuration.
#
#   tests/ansible_test_integration.sh [TARGET...]
#       starts a moto_server (tests/support/moto_server.py run), fills
#       tests/integration/cloud-config-aws.ini.template for it (aws_endpoint_url = the server)
#   tests/ansible_test_integration.sh --cloud-config FILE [TARGET...]
#       against the AWS account FILE describes (the template filled in, no aws_endpoint_url):
#       the targets create and delete IAM roles, users, groups and policies named after resource_prefix
#
# No TARGET means every target. Extra ansible-test options may follow the targets (e.g. -v).
# ansible-test runs here on the controller with .venv's Python (boto3, amazon.aws: no Docker
# engine, no download); HOME is a fresh directory so no ~/.aws of the user can reach the tests.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="$repo/.venv/bin"
export PATH="$bin:$PATH"

if [ "${1:-}" = "--cloud-config" ]; then
  [ -f "${2:-}" ] || { echo "usage: $0 --cloud-config FILE [TARGET...]" >&2; exit 2; }
  config="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
  shift 2
elif [ -z "${ECS_TOOLS_INSIDE_MOTO:-}" ]; then
  # moto_server.py run starts the server, runs this script again with AWS_ENDPOINT_URL and dummy
  # credentials in its environment, and stops the server whatever happens.
  exec "$bin/python" "$repo/tests/support/moto_server.py" run -- env ECS_TOOLS_INSIDE_MOTO=1 "$0" "$@"
else
  config=""
fi

tree="$(mktemp -d)"
trap 'rm -rf "$tree"' EXIT
dir="$("$repo/tests/sanity_tree.sh" "$tree")"
target_config="$dir/tests/integration/cloud-config-aws.ini"
if [ -n "$config" ]; then
  cp "$config" "$target_config"
else
  # The server is reached only through the cloud configuration (aws_endpoint_url), as a real
  # account is: nothing in the environment points boto3 at it.
  sed -e "s|@ACCESS_KEY|$AWS_ACCESS_KEY_ID|" -e "s|@SECRET_KEY|$AWS_SECRET_ACCESS_KEY|" \
    -e "s|^security_token:.*|# security_token: none for moto|" -e "s|@REGION|$AWS_REGION|" \
    -e "s|^# aws_endpoint_url: @ENDPOINT_URL|aws_endpoint_url: $AWS_ENDPOINT_URL|" \
    "$repo/tests/integration/cloud-config-aws.ini.template" >"$target_config"
  grep -q "^aws_endpoint_url: http" "$target_config"
  unset AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION
fi

if [ -n "${ECS_TOOLS_COVERAGE:-}" ]; then
  # `make targets` measures coverage: ansible-test passes the cloud configuration's [default] entries
  # to the targets as variables (and no environment variable of ours), so this one turns on
  # AnsiballZ's coverage extension in every module process (the targets run modules only); the data
  # goes to $ECS_TOOLS_COVERAGE (see tests/support/coverage_report.py).
  mkdir -p "$ECS_TOOLS_COVERAGE"
  coverage_dir="$(cd "$ECS_TOOLS_COVERAGE" && pwd)"
  printf '_ansible_ansiballz_coverage_config: {"config": "%s", "output": "%s"}\n' \
    "$repo/pyproject.toml" "$coverage_dir/.coverage.module" >>"$target_config"
fi

mkdir -p "$tree/home"
cd "$dir"
start=$(date +%s)
status=0
HOME="$tree/home" "$bin/ansible-test" integration --local --python 3.11 --color no "$@" || status=$?
echo "ansible-test integration: exit $status in $(($(date +%s) - start)) s"
exit "$status"
