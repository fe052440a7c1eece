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


if __name__ == "__main__":
    sys.stdout.write(collections_path() + "\n")
