# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Both modules' EXAMPLES run as written, in order, in one playbook, once the prerequisites they state
exist; each example does what its name says and keeps what the ones before it did (issue 19: one of them
used to purge the policies the previous two attached)."""

import ast
import json
import os

import playbook
import yaml

MODULES = os.path.join(os.path.dirname(__file__), "..", "..", "plugins", "modules")
POLICY = "arn:aws:iam::aws:policy/"
VOLUMES = POLICY + "service-role/AmazonECSInfrastructureRolePolicyForVolumes"
TLS = POLICY + "service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity"
LOAD_BALANCERS = POLICY + "AmazonECSInfrastructureRolePolicyForLoadBalancers"
LATTICE = POLICY + "AmazonECSInfrastructureRolePolicyForVpcLattice"
ACCOUNT = "123456789012"
GRANT = "ecsInfrastructureRolePassRole"
FIRST_DELETE = "Delete the second role (its PassRole grants are removed first); refused while ECS still uses it"


def examples(module):
    path = os.path.join(MODULES, module + ".py")
    with open(path) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets] == ["EXAMPLES"]:
            return yaml.safe_load(node.value.value)
    raise AssertionError("no EXAMPLES in " + path)


def prerequisites(iam):
    """What the module's EXAMPLES say they assume."""
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:List*", "Resource": "*"}]}
    for name in ("EcsBoundary", "EcsInfraExtraPermissions"):
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))
    iam.create_role(
        RoleName="github-actions-deploy", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}'
    )
    iam.create_group(GroupName="platform-engineers")
    iam.create_user(UserName="alice")


def inline_grants(iam):
    return (
        iam.list_role_policies(RoleName="github-actions-deploy")["PolicyNames"],
        iam.list_group_policies(GroupName="platform-engineers")["PolicyNames"],
        iam.list_user_policies(UserName="alice")["PolicyNames"],
    )


def test_examples_run_in_order(runner, aws, tmp_path):
    iam = aws("iam")
    prerequisites(iam)
    module, info = examples("ecs_infrastructure_role"), examples("ecs_infrastructure_role_info")
    assert all(task["name"] for task in module + info)
    names = [task["name"] for task in module]
    cut = names.index(FIRST_DELETE)
    # The info module's examples look at the first role once the module's examples have set it up,
    # before the last module examples delete it: one playbook, every example in its own order.
    plays = [playbook.play(module[:cut]), playbook.play(info), playbook.play(module[cut:])]
    path = playbook.write_playbook(tmp_path / "examples.yml", plays)
    done = playbook.run(path, runner.env(), results=True)
    assert done.succeeded(hosts=1), done.describe()
    assert len(done.tasks) == len(module) + len(info)
    results = done.task_results()
    assert not [name for name in names + [t["name"] for t in info] if results[name].get("failed")]
    assert not [t["name"] for t in info if results[t["name"]].get("skipped")], "the role exists: no info task skips"

    created = results["Create the infrastructure role for EBS volumes and Service Connect TLS"]
    assert created["changed"] and sorted(created["attached_policies"]) == sorted([VOLUMES, TLS])
    assert created["role"]["arn"] == f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole"

    second = results["A second role under a path, with a boundary, tags and a customer managed policy"]
    extra = f"arn:aws:iam::{ACCOUNT}:policy/EcsInfraExtraPermissions"
    assert second["changed"] and sorted(second["attached_policies"]) == sorted([VOLUMES, LATTICE, extra])
    assert second["role"]["path"] == "/ecs/" and second["role"]["max_session_duration"] == 7200
    assert second["role"]["permissions_boundary"] == f"arn:aws:iam::{ACCOUNT}:policy/EcsBoundary"
    assert second["role"]["tags"] == {"team": "platform"}

    # Each later example on the first role keeps the policies the ones before it attached.
    for name in (
        "Add a capability to the first role without detaching anything attached by hand",
        "Let the deploy pipeline role and the platform team pass the first role to ECS (and nobody else)",
        "The same grants as inline policies on each principal, keeping grantees added by hand",
    ):
        assert results[name]["changed"], name
        assert sorted(results[name]["attached_policies"]) == sorted([VOLUMES, TLS, LOAD_BALANCERS]), name
    managed = results["Let the deploy pipeline role and the platform team pass the first role to ECS (and nobody else)"]
    assert managed["pass_role"]["mode"] == "managed_policy"
    grantees = {"roles": ["github-actions-deploy"], "groups": ["platform-engineers"], "users": ["alice"]}
    assert {k: managed["pass_role"][k] for k in grantees} == grantees
    inline = results["The same grants as inline policies on each principal, keeping grantees added by hand"]
    # purge: false keeps (and moves to inline) the grantees the task does not list
    assert inline["pass_role"]["mode"] == "inline"
    assert {k: inline["pass_role"][k] for k in grantees} == grantees

    checked = results["Check the infrastructure role before changing it"]
    assert checked["exists"] and checked["pass_role"]["mode"] == "inline"
    assert sorted(checked["attached_policies"]) == sorted([VOLUMES, TLS, LOAD_BALANCERS])
    assert results["Who may pass the role to ECS"]["msg"] == (
        "users=['alice'] groups=['platform-engineers'] roles=['github-actions-deploy']"
    )

    deleted = results[
        "Delete the first role although ECS-managed volumes may be attached somewhere (you know they are gone soon)"
    ]
    assert results[FIRST_DELETE]["changed"] and deleted["changed"]
    assert deleted["in_use"]["regions"] == ["eu-west-1", "us-east-1"]
    # The end state the examples describe: both roles and every grant gone, the prerequisites left alone.
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert "github-actions-deploy" in roles and not [r for r in roles if r.startswith("ecsInfrastructureRole")]
    local = sorted(p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"])
    assert local == ["EcsBoundary", "EcsInfraExtraPermissions"]
    assert inline_grants(iam) == ([], [], [])
