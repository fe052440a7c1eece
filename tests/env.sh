# shellcheck shell=bash
# Sourced by the tests/*.sh scripts: strict mode, $repo (the checkout, also the working directory)
# and ANSIBLE_COLLECTIONS_PATH pointing at this checkout through the one collection link
# (tests/support/collection_link.py, which `make collection-link` runs too).
set -euo pipefail
# $repo is for the scripts that source this file:
# shellcheck disable=SC2034
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
ANSIBLE_COLLECTIONS_PATH="$(python3 "$repo/tests/support/collection_link.py")"
export ANSIBLE_COLLECTIONS_PATH
