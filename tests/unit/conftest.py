# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests import the collection as ansible_collections.ecs_tools.iam from this checkout."""

import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "support"))

from collection_link import make_importable  # noqa: E402
from moto_server import managed_policies_in_tested_partitions_only  # noqa: E402

ROOT = make_importable()

# moto's in-process mock (mock_aws) builds no catalogue of default AMIs for each EC2 region backend, as
# every moto_server the tests start (tests/support/moto_server.py; see tests/support/ecs_volumes.py).
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


# mock_aws too: AWS managed policies in the tested partitions only (about 1 s of CPU less per test).
managed_policies_in_tested_partitions_only()


def _patch_module_args_before_2_19():
    """ansible-core 2.19 added ansible.module_utils.testing.patch_module_args; the matrix also runs
    these tests on 2.17 (`make matrix`), where modules read their arguments from basic._ANSIBLE_ARGS."""
    import contextlib
    import json
    import sys
    import types

    try:
        import ansible.module_utils.testing  # noqa: F401

        return
    except ImportError:
        pass

    @contextlib.contextmanager
    def patch_module_args(args=None):
        from ansible.module_utils import basic

        args = dict(args or {})
        args.setdefault("_ansible_remote_tmp", "/tmp")
        args.setdefault("_ansible_keep_remote_files", False)
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved

    shim = types.ModuleType("ansible.module_utils.testing")
    shim.patch_module_args = patch_module_args
    sys.modules["ansible.module_utils.testing"] = shim


_patch_module_args_before_2_19()
