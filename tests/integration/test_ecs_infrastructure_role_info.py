# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ecs_tools.iam.ecs_infrastructure_role_info through ansible-playbook against a real moto_server."""

import json

from ecs_volumes import ecs_volume
from expected import TRUST_ECS

INFO = "ecs_tools.iam.ecs_infrastructure_role_info"
ROLE = "ecsInfrastructureRole"


def info(**args):
    return dict(args, _module=INFO, usage_regions=args.pop("usage_regions", ["us-east-1"]))


def codes(result):
    return sorted(f["code"] for f in result["findings"])


def test_healthy_role_has_no_findings_then_its_grant_edited_loose_is_reported(runner, aws, server):
    """The module makes the role with a grant to alice. The info module's four steps (recorded, no write)
    find nothing and change nothing. Then the grant is edited by hand to any resource without a
    condition: the info module reports it as the collection's own (to repair), not a foreign one."""
    iam = aws("iam")
    iam.create_user(UserName="alice")
    created = runner.one(capabilities=["volumes", "vpc_lattice"], pass_role={"users": ["alice"]})
    assert created["changed"] is True and not created.get("failed"), created.get("msg")
    with server.recording() as rec:
        results = runner.run([dict(info(), _check=True), info(), dict(info(), _check=True), info()])
    assert rec.writes == []
    for result in results:
        assert result["changed"] is False
        assert result["exists"] is True
        assert result["findings"] == []
    result = results[1]
    assert result["capabilities"] == ["volumes", "vpc_lattice"]
    assert result["pass_role"]["mode"] == "managed_policy" and result["pass_role"]["users"] == ["alice"]
    assert result["usage"]["regions"] == ["us-east-1"]
    assert result["cloudtrail_session_names"]["vpc_lattice"] == "ECSNetworkingWithVPCLattice"

    loose = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
    arn = created["pass_role"]["policy_arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(loose), SetAsDefault=True)
    reported = runner.one(**info())
    grant_codes = [c for c in codes(reported) if c in ("pass_role_without_condition", "pass_role_wildcard_resource")]
    assert grant_codes == ["pass_role_wildcard_resource", "pass_role_without_condition"]
    assert "pass_role_not_owned" not in codes(reported)  # still marked: the collection's own, to repair
    assert [(p["name"], p["classification"]) for p in reported["pass_role_principals"]] == [("alice", "any_service")]


def test_wrong_trust_extra_principal_overprivileged_and_loose_grant(runner, aws):
    iam = aws("iam")
    iam.create_role(
        RoleName=ROLE,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                        "Action": "sts:AssumeRole",
                    },
                ],
            }
        ),
    )
    iam.attach_role_policy(RoleName=ROLE, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_user(UserName="bob")
    iam.put_user_policy(
        UserName="bob",
        PolicyName=ROLE + "PassRole",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
        ),
    )
    result = runner.one(**info())
    # The role itself, with AdministratorAccess attached, can pass itself to any service: one cause,
    # one finding (overprivileged_managed_policy; issue 18). Bob's policy merely carries the grant's
    # name: not the collection's grant, but it lets bob pass the role.
    assert codes(result) == [
        "overprivileged_managed_policy",
        "pass_role_any_service",
        "pass_role_not_owned",
        "trust_extra_principal",
        "trust_extra_principal",
        "trust_missing_ecs",
    ]
    severities = {f["code"]: f["severity"] for f in result["findings"]}
    assert severities == {
        "overprivileged_managed_policy": "medium",
        "pass_role_any_service": "high",
        "pass_role_not_owned": "medium",
        "trust_extra_principal": "high",
        "trust_missing_ecs": "high",
    }
    assert [(p["type"], p["name"], p["classification"]) for p in result["pass_role_principals"]] == [
        ("role", ROLE, "any_service"),
        ("user", "bob", "any_service"),
    ]
    assert [p["administrator"] for p in result["pass_role_principals"]] == [True, False]
    assert result["pass_role"]["mode"] is None and result["pass_role"]["users"] == []
    assert result["foreign_objects"][0]["principal"] == "bob"
    messages = " ".join(f["message"] for f in result["findings"])
    assert "AdministratorAccess" in messages and "999999999999" in messages and "user bob" in messages


def test_missing_volumes_policy_while_volumes_are_attached(runner, aws):
    iam = aws("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(TRUST_ECS))
    iam.attach_role_policy(
        RoleName=ROLE, PolicyArn="arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice"
    )
    volume = ecs_volume(aws("ec2", "eu-west-1"))
    result, unscanned = runner.run([info(usage_regions=["us-east-1", "eu-west-1"]), info(check_usage=False)])
    assert codes(result) == ["volumes_policy_missing"]
    assert volume in result["findings"][0]["message"]
    assert [v["volume_id"] for v in result["usage"]["volumes"]] == [volume]
    assert unscanned["findings"] == []


# A role that does not exist: tests/integration/targets/ecs_infrastructure_role_info/ (make targets).
