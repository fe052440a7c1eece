# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests import the collection as ansible_collections.ecs_tools.iam from this checkout."""

import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROOT = os.path.join(REPO, ".build", "collections")
LINK = os.path.join(ROOT, "ansible_collections", "ecs_tools", "iam")
if not os.path.islink(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    os.symlink(REPO, LINK)

import ansible_collections  # noqa: E402  (the namespace package that holds amazon.aws)

if os.path.join(ROOT, "ansible_collections") not in ansible_collections.__path__:
    ansible_collections.__path__.append(os.path.join(ROOT, "ansible_collections"))
