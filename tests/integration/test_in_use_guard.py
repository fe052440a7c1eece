# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The in-use guard against a real moto_server: attached ECS-managed EBS volumes block deletion."""

import json

import pytest
from checks import attached
from checks import authorization_snapshot

ROLE = "ecsInfrastructureRole"
VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
LATTICE = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice"
INFO = "ecs_tools.iam.ecs_infrastructure_role_info"
S3_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
VOLUME_ACTIONS = "ec2:DetachVolume, ec2:DeleteVolume, ec2:DescribeVolumes"


def ecs_volume(aws, region, attach=True):
    """An instance and an ECS-managed (tagged) EBS volume, attached to it unless ``attach`` is false."""
    ec2 = aws("ec2", region)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    zone = instance["Placement"]["AvailabilityZone"]
    task = f"arn:aws:ecs:{region}:123456789012:task/prod/0123456789abcdef"
    volume = ec2.create_volume(
        AvailabilityZone=zone,
        Size=10,
        TagSpecifications=[
            {
                "ResourceType": "volume",
                "Tags": [{"Key": "AmazonECSManaged", "Value": "true"}, {"Key": "AmazonECSCreated", "Value": task}],
            }
        ],
    )["VolumeId"]
    if attach:
        ec2.attach_volume(VolumeId=volume, InstanceId=instance["InstanceId"], Device="/dev/sdf")
    return volume


def role_exists(iam):
    return ROLE in [r["RoleName"] for r in iam.list_roles()["Roles"]]


def test_attached_volume_blocks_absent_in_check_mode_and_for_real(runner, aws, server):
    iam = aws("iam")
    runner.one(capabilities=["volumes"], usage_regions=["us-east-1"])
    volume = ecs_volume(aws, "us-east-1")
    with server.recording() as rec:
        check, real = runner.run(
            [
                {"state": "absent", "_check": True, "usage_regions": ["us-east-1"]},
                {"state": "absent", "usage_regions": ["us-east-1"]},
            ]
        )
    for result in (check, real):
        assert result["failed"] is True
        assert "Refusing to delete role 'ecsInfrastructureRole'" in result["msg"]
        assert volume in result["msg"] and "us-east-1" in result["msg"] and "force: true" in result["msg"]
        assert [v["volume_id"] for v in result["in_use"]["volumes"]] == [volume]
    print("guard message as ansible-playbook shows it:\n" + real["msg"])
    assert rec.writes == []
    assert role_exists(iam) and attached(iam) == [VOLUMES]


def test_volume_in_another_region_blocks_dropping_volumes(runner, aws, server):
    iam = aws("iam")
    runner.one(capabilities=["volumes", "vpc_lattice"])
    volume = ecs_volume(aws, "eu-west-1")
    with server.recording() as rec:
        result = runner.one(capabilities=["vpc_lattice"])  # region us-east-1, no usage_regions: every region
    assert result["failed"] is True
    assert "Refusing to detach AmazonECSInfrastructureRolePolicyForVolumes from role" in result["msg"]
    assert volume in result["msg"] and "(eu-west-1)" in result["msg"]
    assert rec.writes == []
    assert "eu-west-1" in result["in_use"]["regions"] and "us-east-1" in result["in_use"]["regions"]
    assert attached(iam) == sorted([VOLUMES, LATTICE])


def test_force_proceeds_and_still_reports(runner, aws):
    iam = aws("iam")
    runner.one(capabilities=["volumes"])
    volume = ecs_volume(aws, "us-east-1")
    result = runner.one(state="absent", force=True, usage_regions=["us-east-1", "eu-west-1"])
    assert result["changed"] is True
    assert [v["volume_id"] for v in result["in_use"]["volumes"]] == [volume]
    assert result["in_use"]["regions"] == ["eu-west-1", "us-east-1"]
    assert not role_exists(iam)


def test_detached_volume_does_not_block(runner, aws):
    iam = aws("iam")
    runner.one(capabilities=["volumes"])
    ecs_volume(aws, "us-east-1", attach=False)
    result = runner.one(state="absent", usage_regions=["us-east-1"])
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert result["in_use"]["volumes"] == []
    assert not role_exists(iam)


def test_remaining_customer_policy_with_volume_actions_lets_volumes_go(runner, aws, server):
    iam = aws("iam")
    keeper = iam.create_policy(
        PolicyName="KeepVolumeCleanup",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*Volume*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    runner.one(capabilities=["volumes"], managed_policies=[keeper])
    ecs_volume(aws, "us-east-1")
    with server.recording() as rec:
        result = runner.one(capabilities=["vpc_lattice"], managed_policies=[keeper])
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert "in_use" not in result
    assert not [c for c in rec.calls if c.service in ("ecs", "ec2")]
    assert attached(iam) == sorted([keeper, LATTICE])


def test_converged_run_makes_no_ecs_or_ec2_call(runner, aws, server):
    runner.one(capabilities=["volumes"])
    ecs_volume(aws, "us-east-1")
    with server.recording() as rec:
        result = runner.one(capabilities=["volumes"])
    assert result["changed"] is False
    assert [c.service for c in rec.calls] == ["iam", "iam"]


def test_kept_policy_allowing_volume_actions_only_under_a_condition_does_not_stop_the_scan(runner, aws, server):
    """Issue 10, case 6: a kept policy allows the three volume actions only under
    aws:RequestedRegion = nowhere-1, which never holds. It must not replace the Volumes policy:
    the guard scans, finds the attached ECS-managed volume and refuses to detach."""
    iam = aws("iam")
    conditional = iam.create_policy(
        PolicyName="VolumeCleanupNowhere",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"],
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:RequestedRegion": "nowhere-1"}},
                    }
                ],
            }
        ),
    )["Policy"]["Arn"]
    runner.one(capabilities=["volumes"], managed_policies=[conditional], usage_regions=["us-east-1"])
    volume = ecs_volume(aws, "us-east-1")
    with server.recording() as rec:
        result = runner.one(capabilities=["vpc_lattice"], managed_policies=[conditional], usage_regions=["us-east-1"])
    assert result["failed"] is True
    assert "Refusing to detach AmazonECSInfrastructureRolePolicyForVolumes from role" in result["msg"]
    assert volume in result["msg"]
    assert [v["volume_id"] for v in result["in_use"]["volumes"]] == [volume]
    assert rec.writes == []
    assert any(c.service == "ec2" and c.action == "DescribeVolumes" for c in rec.calls)
    assert attached(iam) == sorted([VOLUMES, conditional])
    print("guard message as ansible-playbook shows it:\n" + result["msg"])


# ------------------------------------------------------------------ issue 18: the side doors


def customer_policy(iam, name, statements):
    document = {"Version": "2012-10-17", "Statement": statements}
    return iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]


def s3_boundary(iam):
    return customer_policy(iam, "S3OnlyBoundary", S3_ONLY["Statement"])


def denier(iam):
    deny = {"Effect": "Deny", "Action": ["ec2:DeleteVolume", "ec2:DetachVolume"], "Resource": "*"}
    return customer_policy(iam, "NoVolumeCleanup", [deny])


@pytest.mark.parametrize(
    "side_door,named",
    [
        (
            lambda iam: {"permissions_boundary": s3_boundary(iam)},
            "permissions_boundary arn:aws:iam::123456789012:policy/S3OnlyBoundary allows none of " + VOLUME_ACTIONS,
        ),
        (
            lambda iam: {"managed_policies": [denier(iam)]},
            "policy arn:aws:iam::123456789012:policy/NoVolumeCleanup denies ec2:DetachVolume, ec2:DeleteVolume",
        ),
    ],
    ids=["boundary", "deny_policy"],
)
def test_side_door_is_refused_while_ecs_manages_a_volume(runner, aws, server, side_door, named):
    """A boundary without the volume actions, or a managed policy denying them, is refused before any
    write while an ECS-managed volume is attached, naming the volume and what would remove the actions."""
    iam = aws("iam")
    runner.one(capabilities=["volumes"], usage_regions=["us-east-1"])
    volume = ecs_volume(aws, "us-east-1")
    args = dict(side_door(iam), capabilities=["volumes"], usage_regions=["us-east-1"])
    before = authorization_snapshot(iam)
    with server.recording() as rec:
        results = runner.run([dict(args, _check=True), args])
    for result in results:
        assert result["failed"] is True, result
        message = result["msg"]
        assert message.startswith("Refusing to change role 'ecsInfrastructureRole'"), message
        assert named in message and volume in message and "(us-east-1)" in message, message
        assert "Nothing was changed" in message and "force: true" in message
        assert [v["volume_id"] for v in result["in_use"]["volumes"]] == [volume]
    print("guard message as ansible-playbook shows it:\n" + message)
    assert rec.writes == []
    assert authorization_snapshot(iam) == before
    assert "PermissionsBoundary" not in iam.get_role(RoleName=ROLE)["Role"] and attached(iam) == [VOLUMES]


def test_force_lets_the_boundary_go_and_reports_what_it_found(runner, aws):
    iam = aws("iam")
    runner.one(capabilities=["volumes"])
    volume = ecs_volume(aws, "us-east-1")
    boundary = s3_boundary(iam)
    result = runner.one(permissions_boundary=boundary, force=True, usage_regions=["us-east-1"])
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert [v["volume_id"] for v in result["in_use"]["volumes"]] == [volume]
    assert iam.get_role(RoleName=ROLE)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary


def test_boundary_that_keeps_the_volume_actions_needs_no_scan(runner, aws, server):
    iam = aws("iam")
    runner.one(capabilities=["volumes"])
    ecs_volume(aws, "us-east-1")
    boundary = customer_policy(iam, "VolumeBoundary", [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}])
    with server.recording() as rec:
        result = runner.one(permissions_boundary=boundary)
    assert result["changed"] is True and not result.get("failed"), result.get("msg")
    assert "in_use" not in result
    assert not [c for c in rec.calls if c.service in ("ecs", "ec2")]


def test_info_reports_volume_actions_blocked(runner, aws):
    iam = aws("iam")
    runner.one(capabilities=["volumes"])
    boundary = s3_boundary(iam)
    iam.put_role_permissions_boundary(RoleName=ROLE, PermissionsBoundary=boundary)
    quiet = runner.one(_module=INFO, usage_regions=["us-east-1"])
    volume = ecs_volume(aws, "us-east-1")
    busy = runner.one(_module=INFO, usage_regions=["us-east-1"])
    for result, severity in ((quiet, "medium"), (busy, "high")):
        found = [f for f in result["findings"] if f["code"] in ("volume_actions_blocked", "volumes_policy_missing")]
        assert [(f["code"], f["severity"]) for f in found] == [("volume_actions_blocked", severity)], found
        assert "permissions_boundary " + boundary + " allows none of " + VOLUME_ACTIONS in found[0]["message"]
    assert [v["volume_id"] for v in busy["usage"]["volumes"]] == [volume]
    print("finding as the info module reports it:\n" + json.dumps(found[0], indent=1))
