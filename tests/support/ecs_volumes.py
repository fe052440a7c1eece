# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An EBS volume as ECS leaves it for a task, on moto: what the usage scan and the in-use guard look for.

moto runs without its catalogue of default AMIs (``MOTO_EC2_LOAD_DEFAULT_AMIS=false``: building it cost
about 0.12 s of CPU per region backend, most of moto's time in the suite), so the instance the volume
attaches to boots an image registered here.
"""

ECS_MANAGED = {"Key": "AmazonECSManaged", "Value": "true"}


def ecs_volume(ec2, task=None, size=1, attach=True):
    """An ECS-managed (tagged) EBS volume in ``ec2``'s region, created for ``task`` (its
    ``AmazonECSCreated`` tag, when given) and attached to a new instance unless ``attach`` is false.
    Returns the volume id."""
    image = ec2.register_image(Name="ecs-volume-host", RootDeviceName="/dev/xvda")["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    tags = [ECS_MANAGED] + ([{"Key": "AmazonECSCreated", "Value": task}] if task else [])
    volume = ec2.create_volume(
        AvailabilityZone=instance["Placement"]["AvailabilityZone"],
        Size=size,
        TagSpecifications=[{"ResourceType": "volume", "Tags": tags}],
    )["VolumeId"]
    if attach:
        ec2.attach_volume(VolumeId=volume, InstanceId=instance["InstanceId"], Device="/dev/sdf")
    return volume
