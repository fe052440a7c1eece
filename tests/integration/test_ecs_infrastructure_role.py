# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ecs_tools.iam.ecs_infrastructure_role through ansible-playbook against a real moto_server."""

import json

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

# Trust policies equal in meaning to the module's, written differently, by the role name they get.
EQUIVALENT_TRUST = {
    # list-form principal, statement keys in another order, no Sid
    "trustListPrincipal": {
        "Statement": [{"Action": "sts:AssumeRole", "Principal": {"Service": ["ecs.amazonaws.com"]}, "Effect": "Allow"}],
        "Version": "2012-10-17",
    },
    "trustSingleStatementObject": {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": "ecs.amazonaws.com"}},
    },
}


def create_role(iam, trust=None, name=ROLE, arns=(), **extra):
    """A role made with boto3 as the AWS CLI procedure makes it, with ``arns`` attached."""
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust or TRUST_ECS), **extra)
    for arn in arns:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)


def test_create_waits_reads_back_then_converges_with_two_reads(runner, server):
    """Create with every setting (recorded), then the same task again (recorded): the create waits and
    reads back, VPC Lattice's policy has no service-role/ path, the session names are AWS's; the
    converged run makes two reads and no write."""
    args = {
        "capabilities": ["volumes", "service_connect_tls", "vpc_lattice", "load_balancers"],
        "tags": {"a": "b"},
        "description": "d",
        "wait": True,
    }
    with server.recording() as rec:
        result = runner.one(**args)
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
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
    actions = rec.actions("iam")
    assert actions.index("CreateRole") < actions.index("AttachRolePolicy"), actions
    # The wait's GetRole is also the read-back of what was written, with the attachments.
    assert actions[-2:] == ["GetRole", "ListAttachedRolePolicies"], actions
    assert actions.count("GetRole") == 2, actions  # one before CreateRole, one after the last write

    with server.recording() as rec:
        again = runner.one(**args)
    assert again["changed"] is False, again
    assert rec.writes == []
    assert rec.actions() == ["GetRole", "ListAttachedRolePolicies"]


def test_roles_made_another_way_are_adopted_without_change(runner, aws, server):
    """A role made by the AWS CLI procedure, and roles whose trust policy is equivalent to the module's
    (a list-form principal, keys in another order, no Sid; a single statement object): check mode and
    apply report no change and nothing is written, all in one run."""
    iam = aws("iam")
    create_role(iam, arns=[EXPECTED_ARN["volumes"], EXPECTED_ARN["vpc_lattice"]])
    for name, trust in EQUIVALENT_TRUST.items():
        create_role(iam, trust, name=name)
    args = {"capabilities": ["volumes", "vpc_lattice"]}
    tasks = [dict(args, _check=True), args]
    for name in EQUIVALENT_TRUST:
        tasks += [{"name": name, "_check": True}, {"name": name}]
    with server.recording() as rec:
        results = runner.run(tasks)
    for result in results:
        assert not result.get("failed"), result.get("msg")
    labels = ["cli (check)", "cli"] + [f"{name}{mode}" for name in EQUIVALENT_TRUST for mode in (" (check)", "")]
    assert {label: r["changed"] for label, r in zip(labels, results, strict=True)} == dict.fromkeys(labels, False)
    assert rec.writes == []
    assert results[1]["capabilities"] == ["volumes", "vpc_lattice"]


def test_purge_policies_on_and_off_and_attachments_left_alone_when_omitted(runner, aws):
    """One run: four steps keeping a policy attached by hand (purge_policies false), four steps purging
    it, then a task without attachment options, which changes the description and detaches nothing."""
    iam = aws("iam")
    extra = iam.create_policy(
        PolicyName="ExtraByHand",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeVolumes", "Resource": "*"}],
            }
        ),
    )["Policy"]["Arn"]
    create_role(iam, arns=[EXPECTED_ARN["volumes"], extra])
    keep_args = {"capabilities": ["volumes", "vpc_lattice"], "purge_policies": False}
    purge_args = {"capabilities": ["vpc_lattice"]}
    results = runner.run(
        [dict(keep_args, _check=True, _diff=True), dict(keep_args, _diff=True), dict(keep_args, _check=True), keep_args]
        + [dict(purge_args, _check=True, _diff=True), dict(purge_args, _diff=True), dict(purge_args, _check=True)]
        + [purge_args, {"description": "no attachment options"}]
    )
    keep, purge, omitted = results[:4], results[4:8], results[8]
    assert_four_steps(keep)
    kept = sorted([extra, EXPECTED_ARN["volumes"], EXPECTED_ARN["vpc_lattice"]])
    assert keep[3]["attached_policies"] == kept
    assert_four_steps(purge)
    # The purge reads what the keep steps left attached.
    assert purge[1]["diff"]["before"]["attached_policies"] == kept
    assert purge[1]["diff"]["after"]["attached_policies"] == [EXPECTED_ARN["vpc_lattice"]]
    assert purge[3]["attached_policies"] == [EXPECTED_ARN["vpc_lattice"]]
    # Attachments are not managed when the task omits capabilities and managed_policies.
    assert omitted["changed"] is True and not omitted.get("failed"), omitted.get("msg")
    assert omitted["attached_policies"] == [EXPECTED_ARN["vpc_lattice"]]
    assert attached(iam) == [EXPECTED_ARN["vpc_lattice"]]
    assert iam.get_role(RoleName=ROLE)["Role"]["Description"] == "no attachment options"


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
    create_role(
        iam, arns=[EXPECTED_ARN["volumes"], EXPECTED_ARN["service_connect_tls"]], Tags=[{"Key": "a", "Value": "b"}]
    )
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


# Bad input of every option, and a path change, are in test_bad_input.py.


# Creating the role with each capability, a path, every setting (tags, description, session
# duration, boundary) and repairing a drifted trust policy are four-step cases of the ansible-test
# target tests/integration/targets/ecs_infrastructure_role/ (make targets).
