# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ansible_collections/ecs_tools/iam tree the tests, the benchmarks and the demo point Ansible at.

The one place the link is made: ``make collection-link`` runs this file, and the unit tests'
conftest, tests/support/playbook.py (integration tests, benchmarks, demo) and the screenshot call
``collections_path()``, so that each also works when run directly.
"""

import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ROOT = os.path.join(REPO, ".build", "collections")
LINK = os.path.join(ROOT, "ansible_collections", "ecs_tools", "iam")


def collections_path():
    """Returns the directory for ANSIBLE_COLLECTIONS_PATH, creating the link to this checkout
    (relative, so the checkout can move)."""
    if not os.path.islink(LINK):
        os.makedirs(os.path.dirname(LINK), exist_ok=True)
        try:
            os.symlink(os.path.relpath(REPO, os.path.dirname(LINK)), LINK)
        except FileExistsError:  # another pytest-xdist worker made it first
            pass
    return ROOT


def make_importable():
    """Makes ``ansible_collections.ecs_tools.iam`` importable in this process, beside amazon.aws in
    site-packages (the same ``ansible_collections`` namespace package). Returns the collections path."""
    root = collections_path()
    # On sys.path too: Python 3.13 recalculates a namespace package's __path__ from sys.path when that
    # changes (pytest's importlib mode does), dropping an entry only appended to __path__.
    if root not in sys.path:
        sys.path.append(root)
    import ansible_collections  # the namespace package that holds amazon.aws

    if os.path.join(root, "ansible_collections") not in ansible_collections.__path__:
        ansible_collections.__path__.append(os.path.join(root, "ansible_collections"))
    return root


if __name__ == "__main__":
    sys.stdout.write(collections_path() + "\n")
