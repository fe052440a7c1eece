#!/usr/bin/env bash
# Lay out the collection as ansible-test needs it (.../ansible_collections/ecs_tools/iam/),
# outside the checkout, with amazon.aws beside it, from the files git knows about.
# Usage: tests/sanity_tree.sh DIR   -> prints DIR/ansible_collections/ecs_tools/iam
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$repo/.venv/bin/python}"
root="$1/ansible_collections"
rm -rf "$root/ecs_tools/iam"
mkdir -p "$root/ecs_tools/iam" "$root/amazon"
(cd "$repo" && git ls-files -co --exclude-standard -z) | (cd "$repo" && xargs -0 cp --parents -t "$root/ecs_tools/iam")
amazon="$("$python" -c 'import ansible_collections.amazon.aws as m; print(list(m.__path__)[0])')"
ln -sfn "$amazon" "$root/amazon/aws"
echo "$root/ecs_tools/iam"
