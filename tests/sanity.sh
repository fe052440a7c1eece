#!/usr/bin/env bash
# Checks that need the collection laid out as .../ansible_collections/ecs_tools/iam/ (outside
# this git checkout, from the files git knows about) with amazon.aws beside it:
#   ansible-test sanity (no ignore files), antsibull-docs lint-collection-docs, ansible-doc of the role.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="$repo/.venv/bin"
sanity_venv="$repo/.build/sanity-venv"
export PATH="$bin:$PATH"

# ansible-test installs each test's requirements into a venv of its own, bootstrapping pip with
# a script from ci-files.testing.ansible.com; CI cannot reach that host, so put a stand-in in its cache.
if [ ! -x "$sanity_venv/bin/ansible-test" ]; then
  python3.11 -m venv "$sanity_venv"
  "$sanity_venv/bin/pip" install --disable-pip-version-check -q \
    "ansible-core==$("$bin/python" -c 'import ansible.release as r; print(r.__version__)')"
fi
mkdir -p ~/.ansible/test/cache
cp "$repo/tests/support/get_pip_standin.py" ~/.ansible/test/cache/get_pip_24_2.py

tree="$(mktemp -d)"
trap 'rm -rf "$tree"' EXIT
dir="$("$repo/tests/sanity_tree.sh" "$tree")"
cd "$dir"
"$sanity_venv/bin/ansible-test" sanity --venv --python 3.11 --color no

# antsibull-docs copies dependencies found by `ansible-galaxy collection list`; amazon.aws lives in
# .venv inside this git checkout, where it would copy only git-tracked files (none): stop git there.
site_packages="$("$bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
GIT_CEILING_DIRECTORIES="$site_packages" "$bin/antsibull-docs" lint-collection-docs \
  --plugin-docs --skip-rstcheck --check-extra-docs-refs .

# The role's argument spec renders (what AWX users and `ansible-doc -t role` see).
ANSIBLE_COLLECTIONS_PATH="$tree" "$bin/ansible-doc" -t role ecs_tools.iam.infrastructure_role \
  | grep -q "ecs_infrastructure_role_pass_role_users"
echo "sanity, docs lint and ansible-doc -t role: passed"
