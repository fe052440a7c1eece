# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The in-use guard against a real moto_server: attached ECS-managed EBS volumes block deletion."""

import json

from checks import attached

ROLE = "ecsInfrastructureRole"
VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
LATTICE = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice"


def ecs_volume(aws, region, attach=True):
    """An instance and an ECS-managed (tagged) EBS volume, attached to it unless ``attach`` is false."""
    ec2 = aws("ec2", region)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    zone = instance["Placement"]["AvailabilityZone"]
    task = "arn:aws:ecs:{0}:123456789012:task/prod/0123456789abcdef".format(region)
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
