# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Driver for `make demo`: runs demo/site.yml twice (moto_server.py has started the server and
put AWS_ENDPOINT_URL in the environment) and shows that the second run changes nothing."""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BIN = os.path.dirname(sys.executable)


def collections_path():
    link = os.path.join(REPO, ".build", "collections", "ansible_collections", "ecs_tools", "iam")
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(REPO, link)
    return os.path.join(REPO, ".build", "collections")


def run(label, result_file):
    print("\n===== {0} =====".format(label), flush=True)
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=collections_path(),
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
    )
    subprocess.run(
        [
            os.path.join(BIN, "ansible-playbook"),
            os.path.join(HERE, "site.yml"),
            "-e",
            "demo_result_file=" + result_file,
        ],
        env=env,
        check=True,
    )
    with open(result_file) as f:
        return json.load(f)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        first = run("first run: creates the role", os.path.join(tmp, "first.json"))
        second = run("second run: nothing to change", os.path.join(tmp, "second.json"))
    print("\n===== summary =====")
    print("role ARN:                 " + second["role"]["arn"])
    for arn in second["attached_policies"]:
        print("attached policy:          " + arn)
    for capability, session in sorted(second["cloudtrail_session_names"].items()):
        print("CloudTrail session name:  {0} -> {1}".format(capability, session))
    print("first run changed:  {0}".format(first["changed"]))
    print("second run changed: {0}".format(second["changed"]))
    if not first["changed"] or second["changed"]:
        print("demo FAILED: expected the first run to change and the second not to")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
