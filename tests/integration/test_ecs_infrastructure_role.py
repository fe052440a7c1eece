# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ecs_tools.iam.ecs_infrastructure_role through ansible-playbook against a real moto_server."""

import json

import pytest
from checks import assert_four_steps
from checks import attached
from expected import TRUST_ECS

ROLE = "ecsInfrastructureRole"
# Written out by hand on purpose: an independent check of the capability table.
EXPECTED_ARN = {
    "volumes": "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
    "service_connect_tls": "arn:aws:iam::aws:policy/service-role/"
    "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
    "vpc_lattice": "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice",
    "load_balancers": "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
    "managed_instances": "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances",
    "express_gateway_services": "arn:aws:iam::aws:policy/service-role/"
    "AmazonECSInfrastructureRoleforExpressGatewayServices",
}


def test_vpc_lattice_has_no_service_role_path_and_session_names(runner):
    result = runner.one(capabilities=["volumes", "service_connect_tls", "vpc_lattice", "load_balancers"])
    assert not result.get("failed"), result.get("msg")
    lattice = [a for a in result["attached_policies"] if "VpcLattice" in a]
    assert lattice == ["arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice"]
    assert result["cloudtrail_session_names"] == {
        "volumes": "ECSTaskVolumesForEBS",
        "service_connect_tls": "ECSServiceConnectForTLS",
        "vpc_lattice": "ECSNetworkingWithVPCLattice",
        "load_balancers": "ECSNetworkingWithELB",
    }
    assert result["cloudtrail_role_session_names"]["load_balancers"] == [
        "ECSNetworkingWithELB",
        "ecs-service-scheduler",
    ]


def test_role_made_by_the_aws_cli_procedure_is_adopted_without_change(runner, aws, server):
    iam = aws("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(TRUST_ECS))
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=EXPECTED_ARN["volumes"])
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=EXPECTED_ARN["vpc_lattice"])
    args = {"capabilities": ["volumes", "vpc_lattice"]}
    with server.recording() as rec:
        check, apply = runner.run([dict(args, _check=True), args])
    assert (check["changed"], apply["changed"]) == (False, False)
    assert rec.writes == []
    assert apply["capabilities"] == ["volumes", "vpc_lattice"]


@pytest.mark.parametrize(
    "trust",
    [
        # list-form principal, statement keys in another order, no Sid
        {
            "Statement": [
                {"Action": "sts:AssumeRole", "Principal": {"Service": ["ecs.amazonaws.com"]}, "Effect": "Allow"}
            ],
            "Version": "2012-10-17",
        },
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": ["sts:AssumeRole"],
                "Principal": {"Service": "ecs.amazonaws.com"},
            },
        },
    ],
    ids=["list-principal", "single-statement-object"],
)
def test_equivalent_trust_policy_is_not_a_change(runner, aws, trust):
    aws("iam").create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    check, apply = runner.run([{"_check": True}, {}])
    assert (check["changed"], apply["changed"]) == (False, False), (check, apply)


def test_purge_policies_on_and_off(runner, aws):
    iam = aws("iam")
    runner.one(capabilities=["volumes"])
    extra = iam.create_policy(
        PolicyName="ExtraByHand",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeVolumes", "Resource": "*"}],
            }
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=extra)

    keep = runner.four_steps({"capabilities": ["volumes", "vpc_lattice"], "purge_policies": False})
    assert_four_steps(keep)
    assert attached(iam) == sorted([extra, EXPECTED_ARN["volumes"], EXPECTED_ARN["vpc_lattice"]])

    purge = runner.four_steps({"capabilities": ["vpc_lattice"]})
    assert_four_steps(purge)
    assert attached(iam) == [EXPECTED_ARN["vpc_lattice"]]
    assert purge[1]["diff"]["before"]["attached_policies"] == sorted(
        [extra, EXPECTED_ARN["volumes"], EXPECTED_ARN["vpc_lattice"]]
    )
    assert purge[1]["diff"]["after"]["attached_policies"] == [EXPECTED_ARN["vpc_lattice"]]


def test_attachments_not_managed_when_omitted(runner, aws):
    iam = aws("iam")
    runner.one(capabilities=["volumes", "vpc_lattice"])
    result = runner.one(description="no attachment options")
    assert result["changed"] is True
    assert attached(iam) == sorted([EXPECTED_ARN["volumes"], EXPECTED_ARN["vpc_lattice"]])


def test_managed_policies_by_name_and_arn(runner, aws):
    iam = aws("iam")
    doc = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeVolumes", "Resource": "*"}]}
    )
    by_name = iam.create_policy(PolicyName="EcsInfraExtra", PolicyDocument=doc)["Policy"]["Arn"]
    by_arn = iam.create_policy(PolicyName="EcsInfraPathed", Path="/ecs/", PolicyDocument=doc)["Policy"]["Arn"]
    results = runner.four_steps({"capabilities": ["volumes"], "managed_policies": ["EcsInfraExtra", by_arn]})
    assert_four_steps(results)
    assert attached(iam) == sorted([by_name, by_arn, EXPECTED_ARN["volumes"]])
    assert results[1]["capabilities"] == ["volumes"]


def test_cn_partition_builds_aws_cn_arns(runner, aws):
    results = runner.four_steps({"capabilities": ["volumes", "vpc_lattice"]}, region="cn-north-1")
    assert_four_steps(results)
    assert results[0]["role"]["arn"].startswith("arn:aws-cn:iam::")
    expected = sorted(
        a.replace("arn:aws:", "arn:aws-cn:") for a in (EXPECTED_ARN["volumes"], EXPECTED_ARN["vpc_lattice"])
    )
    assert results[1]["attached_policies"] == expected
    assert attached(aws("iam", "cn-north-1")) == expected


def test_absent_removes_everything_and_twice_is_no_change(runner, aws):
    iam = aws("iam")
    runner.one(capabilities=["volumes", "service_connect_tls"], tags={"a": "b"})
    iam.put_role_policy(
        RoleName=ROLE,
        PolicyName="inline",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeVolumes", "Resource": "*"}],
            }
        ),
    )
    iam.create_instance_profile(InstanceProfileName="leftover")
    iam.add_role_to_instance_profile(InstanceProfileName="leftover", RoleName=ROLE)
    results = runner.four_steps({"state": "absent", "usage_regions": ["us-east-1"]})
    assert_four_steps(results)
    assert results[1]["role"] == {}
    assert results[1]["diff"]["after"] == {}
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == []


def test_converged_run_makes_two_reads_and_no_write(runner, server):
    args = {"capabilities": ["volumes", "service_connect_tls"], "tags": {"a": "b"}, "description": "d"}
    runner.one(**args)
    with server.recording() as rec:
        result = runner.one(**args)
    assert result["changed"] is False
    assert rec.writes == []
    assert rec.actions() == ["GetRole", "ListAttachedRolePolicies"]


def test_create_waits_and_reads_back(runner, server):
    with server.recording() as rec:
        result = runner.one(capabilities=["volumes"], wait=True)
    assert result["changed"] is True
    actions = rec.actions("iam")
    assert actions.index("CreateRole") < actions.index("AttachRolePolicy")
    # The wait's GetRole is also the read-back of what was written, with the attachments.
    assert actions[-2:] == ["GetRole", "ListAttachedRolePolicies"]
    assert actions.count("GetRole") == 2  # one before CreateRole, one after the last write


# Bad input of every option, and a path change, are in test_bad_input.py.


# Creating the role with each capability, a path, every setting (tags, description, session
# duration, boundary) and repairing a drifted trust policy are four-step cases of the ansible-test
# target tests/integration/targets/ecs_infrastructure_role/ (make targets).
