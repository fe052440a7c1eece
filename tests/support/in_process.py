# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module's ``main()`` in this process, as ansible-playbook would run it on localhost, for the tests
that repeat one module call many times (one denied action each): the argument spec, the module's code
and boto3 against a moto_server are the same; only the executor's start-up is left out."""

import contextlib
import importlib
import io
import json
import os

from collection_link import make_importable

make_importable()  # ansible_collections.ecs_tools.iam beside amazon.aws

from ansible.module_utils.testing import patch_module_args  # noqa: E402


@contextlib.contextmanager
def environment(values):
    """``os.environ`` updated with ``values`` inside the block, restored after."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_module(module, args, env):
    """``module`` (a FQCN: ``amazon.aws.s3_object``) with ``args`` through its argument spec,
    credentials and endpoint from ``env``. Returns the result the module printed (``failed`` set when
    it failed)."""
    code = importlib.import_module("ansible_collections.{0}.{1}.plugins.modules.{2}".format(*module.split(".")))
    out = io.StringIO()
    with environment(env), patch_module_args(args), contextlib.redirect_stdout(out):
        try:
            code.main()
        except SystemExit:
            pass
    return json.loads(out.getvalue())
