# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ansible_collections/ecs_tools/iam tree the tests and the benchmark point Ansible at.

The same link as `make collection-link`, made here too so that pytest and benchmarks/bench.py
also work when run directly.
"""

import os

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def collections_path():
    """Returns the directory for ANSIBLE_COLLECTIONS_PATH, creating the link to this checkout."""
    root = os.path.join(REPO, ".build", "collections")
    link = os.path.join(root, "ansible_collections", "ecs_tools", "iam")
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        try:
            os.symlink(REPO, link)
        except FileExistsError:  # another pytest-xdist worker made it first
            pass
    return root
