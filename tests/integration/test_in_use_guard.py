# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The in-use guard against a real moto_server: attached ECS-managed EBS volumes block deletion."""

import json

import ecs_volumes
from checks import attached
from checks import authorization_snapshot
from expected import TRUST_ECS

ROLE = "ecsInfrastructureRole"
VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
LATTICE = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice"
INFO = "ecs_tools.iam.ecs_infrastructure_role_info"
S3_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
VOLUME_ACTIONS = "ec2:DetachVolume, ec2:DeleteVolume, ec2:DescribeVolumes"


def ecs_volume(aws, region, attach=True):
    """An ECS-managed EBS volume in ``region`` for a task, attached to an instance unless ``attach`` is false."""
    return ecs_volumes.ecs_volume(
        aws("ec2", region), task=f"arn:aws:ecs:{region}:123456789012:task/prod/0123456789abcdef", attach=attach
    )


def role_exists(iam, name=ROLE):
    return name in [r["RoleName"] for r in iam.list_roles()["Roles"]]


def volumes_role(iam, name=ROLE, *more):
    """A role as the module makes it for ``capabilities: [volumes]`` (and ``more`` policies), made with
    boto3: the module adopts such a role without change (test_ecs_infrastructure_role.py)."""
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_ECS))
    for arn in (VOLUMES, *more):
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)


def customer_policy(iam, name, statements):
    document = {"Version": "2012-10-17", "Statement": statements}
    return iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]


def s3_boundary(iam):
    return customer_policy(iam, "S3OnlyBoundary", S3_ONLY["Statement"])


def denier(iam):
    deny = {"Effect": "Deny", "Action": ["ec2:DeleteVolume", "ec2:DetachVolume"], "Resource": "*"}
    return customer_policy(iam, "NoVolumeCleanup", [deny])


def conditional_volume_actions(iam):
    """Issue 10, case 6: the three volume actions only under aws:RequestedRegion = nowhere-1, which never holds."""
    statement = {
        "Effect": "Allow",
        "Action": ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": "nowhere-1"}},
    }
    return customer_policy(iam, "VolumeCleanupNowhere", [statement])


def test_every_guarded_change_is_refused_before_any_write_while_ecs_manages_a_volume(runner, aws, server):
    """ECS-managed volumes are attached in us-east-1 and eu-west-1. One recorded run, each task refused
    (check mode and for real where marked), the account unchanged:

    - deleting the role (issue 8);
    - dropping volumes with no usage_regions: every region is scanned, the eu-west-1 volume named;
    - dropping volumes while keeping a policy that allows the volume actions only under a condition that
      never holds: it does not replace the Volumes policy, the guard scans and refuses (issue 10, case 6);
    - the side doors (issue 18): a boundary without the volume actions, a managed policy denying them."""
    iam = aws("iam")
    volumes_role(iam)
    volume = ecs_volume(aws, "us-east-1")
    elsewhere = ecs_volume(aws, "eu-west-1")
    conditional, boundary, deny = conditional_volume_actions(iam), s3_boundary(iam), denier(iam)
    here = {"usage_regions": ["us-east-1"]}
    absent = dict(here, state="absent")
    side_doors = {
        "boundary": (
            dict(here, capabilities=["volumes"], permissions_boundary=boundary),
            "permissions_boundary arn:aws:iam::123456789012:policy/S3OnlyBoundary allows none of " + VOLUME_ACTIONS,
        ),
        "deny_policy": (
            dict(here, capabilities=["volumes"], managed_policies=[deny]),
            "policy arn:aws:iam::123456789012:policy/NoVolumeCleanup denies ec2:DetachVolume, ec2:DeleteVolume",
        ),
    }
    tasks = [dict(absent, _check=True), absent]
    tasks += [{"capabilities": ["vpc_lattice"]}]  # region us-east-1, no usage_regions: every region
    tasks += [dict(here, capabilities=["vpc_lattice"], managed_policies=[conditional])]
    for args, dummy in side_doors.values():
        tasks += [dict(args, _check=True), args]
    before = authorization_snapshot(iam)
    with server.recording() as rec:
        results = runner.run(tasks)
    for i, result in enumerate(results):
        assert result.get("failed") is True, (i, tasks[i], result)
    assert rec.writes == []
    assert authorization_snapshot(iam) == before
    assert role_exists(iam) and attached(iam) == [VOLUMES]
    assert "PermissionsBoundary" not in iam.get_role(RoleName=ROLE)["Role"]

    for result in results[:2]:  # absent, check mode and for real
        assert "Refusing to delete role 'ecsInfrastructureRole'" in result["msg"], result["msg"]
        assert volume in result["msg"] and "us-east-1" in result["msg"] and "force: true" in result["msg"]
        assert [v["volume_id"] for v in result["in_use"]["volumes"]] == [volume]
    print("guard message as ansible-playbook shows it:\n" + results[1]["msg"])

    every_region = results[2]
    assert "Refusing to detach AmazonECSInfrastructureRolePolicyForVolumes from role" in every_region["msg"]
    assert elsewhere in every_region["msg"] and "(eu-west-1)" in every_region["msg"], every_region["msg"]
    assert "eu-west-1" in every_region["in_use"]["regions"] and "us-east-1" in every_region["in_use"]["regions"]

    kept_conditional = results[3]
    assert "Refusing to detach AmazonECSInfrastructureRolePolicyForVolumes from role" in kept_conditional["msg"]
    assert volume in kept_conditional["msg"], kept_conditional["msg"]
    assert [v["volume_id"] for v in kept_conditional["in_use"]["volumes"]] == [volume]
    print("guard message as ansible-playbook shows it:\n" + kept_conditional["msg"])

    for (side_door, (dummy, named)), pair in zip(side_doors.items(), (results[4:6], results[6:8]), strict=True):
        for result in pair:
            message = result["msg"]
            assert message.startswith("Refusing to change role 'ecsInfrastructureRole'"), (side_door, message)
            assert named in message and volume in message and "(us-east-1)" in message, (side_door, message)
            assert "Nothing was changed" in message and "force: true" in message, (side_door, message)
            assert [v["volume_id"] for v in result["in_use"]["volumes"]] == [volume], side_door
        print(f"guard message ({side_door}) as ansible-playbook shows it:\n" + message)


def test_no_scan_while_the_volume_actions_stay(runner, aws, server):
    """An ECS-managed volume is attached. One recorded run, no ECS or EC2 call in it: a converged role;
    dropping the Volumes policy while a kept customer policy allows the volume actions; a boundary that
    keeps the volume actions."""
    iam = aws("iam")
    keeper = customer_policy(iam, "KeepVolumeCleanup", [{"Effect": "Allow", "Action": "ec2:*Volume*", "Resource": "*"}])
    boundary = customer_policy(iam, "VolumeBoundary", [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}])
    volumes_role(iam)
    volumes_role(iam, "keeperRole", keeper)
    volumes_role(iam, "boundaryRole")
    ecs_volume(aws, "us-east-1")
    with server.recording() as rec:
        converged, kept, bounded = runner.run(
            [
                {"capabilities": ["volumes"]},
                {"name": "keeperRole", "capabilities": ["vpc_lattice"], "managed_policies": [keeper]},
                {"name": "boundaryRole", "permissions_boundary": boundary},
            ]
        )
    assert converged["changed"] is False and not converged.get("failed"), converged
    for result in (kept, bounded):
        assert result["changed"] is True and not result.get("failed"), result.get("msg")
        assert "in_use" not in result
    assert not [c for c in rec.calls if c.service in ("ecs", "ec2")]
    assert attached(iam, "keeperRole") == sorted([keeper, LATTICE])
    assert iam.get_role(RoleName="boundaryRole")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary


def test_force_proceeds_and_still_reports_and_info_rates_blocked_actions_high(runner, aws):
    """An ECS-managed volume is attached in us-east-1. One run: force deletes the role, force sets a
    boundary without the volume actions on another; each reports what the scan found. The info module
    reports a third role's boundary, which blocks the volume actions, as high while a volume is in use."""
    iam = aws("iam")
    boundary = s3_boundary(iam)
    volumes_role(iam)
    volumes_role(iam, "boundaryRole")
    volumes_role(iam, "blockedRole")
    iam.put_role_permissions_boundary(RoleName="blockedRole", PermissionsBoundary=boundary)
    volume = ecs_volume(aws, "us-east-1")
    deleted, bounded, busy = runner.run(
        [
            {"state": "absent", "force": True, "usage_regions": ["us-east-1", "eu-west-1"]},
            {"name": "boundaryRole", "permissions_boundary": boundary, "force": True, "usage_regions": ["us-east-1"]},
            {"_module": INFO, "name": "blockedRole", "usage_regions": ["us-east-1"]},
        ]
    )
    assert deleted["changed"] is True and not deleted.get("failed"), deleted.get("msg")
    assert [v["volume_id"] for v in deleted["in_use"]["volumes"]] == [volume]
    assert deleted["in_use"]["regions"] == ["eu-west-1", "us-east-1"]
    assert not role_exists(iam)

    assert bounded["changed"] is True and not bounded.get("failed"), bounded.get("msg")
    assert [v["volume_id"] for v in bounded["in_use"]["volumes"]] == [volume]
    assert iam.get_role(RoleName="boundaryRole")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary

    assert_volume_actions_blocked(busy, "high", boundary)
    assert [v["volume_id"] for v in busy["usage"]["volumes"]] == [volume]


def test_detached_volume_does_not_block_and_info_rates_blocked_actions_medium(runner, aws):
    """An ECS-managed volume exists but is attached to nothing: deleting the role is not refused, and the
    info module reports a boundary blocking the volume actions as medium (no volume is in use)."""
    iam = aws("iam")
    boundary = s3_boundary(iam)
    volumes_role(iam)
    volumes_role(iam, "blockedRole")
    iam.put_role_permissions_boundary(RoleName="blockedRole", PermissionsBoundary=boundary)
    ecs_volume(aws, "us-east-1", attach=False)
    deleted, quiet = runner.run(
        [
            {"state": "absent", "usage_regions": ["us-east-1"]},
            {"_module": INFO, "name": "blockedRole", "usage_regions": ["us-east-1"]},
        ]
    )
    assert deleted["changed"] is True and not deleted.get("failed"), deleted.get("msg")
    assert deleted["in_use"]["volumes"] == []
    assert not role_exists(iam)
    assert_volume_actions_blocked(quiet, "medium", boundary)
    assert quiet["usage"]["volumes"] == []


def assert_volume_actions_blocked(result, severity, boundary):
    assert not result.get("failed"), result.get("msg")
    found = [f for f in result["findings"] if f["code"] in ("volume_actions_blocked", "volumes_policy_missing")]
    assert [(f["code"], f["severity"]) for f in found] == [("volume_actions_blocked", severity)], found
    assert "permissions_boundary " + boundary + " allows none of " + VOLUME_ACTIONS in found[0]["message"]
    print("finding as the info module reports it:\n" + json.dumps(found[0], indent=1))
