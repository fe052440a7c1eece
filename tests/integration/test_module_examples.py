# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's EXAMPLES run as written, in order, once the prerequisites they state exist."""

import ast
import json
import os

import playbook
import yaml

MODULE = os.path.join(os.path.dirname(__file__), "..", "..", "plugins", "modules", "ecs_infrastructure_role.py")


def examples():
    with open(MODULE) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets] == ["EXAMPLES"]:
            return yaml.safe_load(node.value.value)
    raise AssertionError("no EXAMPLES in " + MODULE)


def test_examples_run_in_order(runner, aws, tmp_path):
    iam = aws("iam")
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:List*", "Resource": "*"}]}
    for name in ("EcsBoundary", "EcsInfraExtraPermissions"):
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))
    iam.create_role(
        RoleName="github-actions-deploy", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}'
    )
    iam.create_group(GroupName="platform-engineers")
    iam.create_user(UserName="alice")

    tasks = examples()
    assert all(task["name"] for task in tasks)
    path = playbook.write_playbook(tmp_path / "examples.yml", [playbook.play(tasks)])
    done = playbook.run(path, runner.env(), results=True)
    assert done.succeeded(hosts=1), done.output
    assert len(done.tasks) == len(tasks)
    assert iam.list_roles(PathPrefix="/")["Roles"] and not [
        r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("ecsInfrastructureRole")
    ]
