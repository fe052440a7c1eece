# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Driver for `make demo`: runs demo/site.yml twice (moto_server.py has started the server and
put AWS_ENDPOINT_URL in the environment) and shows that the second run changes nothing."""

import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "support"))

import playbook  # noqa: E402


def run(label, result_file):
    print(f"\n===== {label} =====", flush=True)
    # moto_server.py put the server's endpoint and credentials in this process's environment
    done = playbook.run(
        os.path.join(HERE, "site.yml"),
        playbook.ansible_env(),
        inventory=(),
        extra_vars="demo_result_file=" + result_file,
    )
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"demo FAILED: ansible-playbook exited {done.returncode}")
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
        print(f"CloudTrail session name:  {capability} -> {session}")
    print(f"first run changed:  {first['changed']}")
    print(f"second run changed: {second['changed']}")
    if not first["changed"] or second["changed"]:
        print("demo FAILED: expected the first run to change and the second not to")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
