# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the usage scan found, and what it means. Pure: no boto3.

The scan (``_usage``, the AWS calls) feeds raw ECS and EC2 descriptions to the builders here; the in-use
guard's decision and message and the usage findings of the info module are decided here.
"""

from ansible_collections.ecs_tools.iam.plugins.module_utils import _volume_access
from ansible_collections.ecs_tools.iam.plugins.module_utils._findings import finding

# Where a service deployment records the infrastructure role (botocore's ECS model).
_VOLUMES_REF = "volumeConfigurations[].managedEBSVolume.roleArn"
_TLS_REF = "serviceConnectConfiguration.services[].tls.roleArn"
_LATTICE_REF = "vpcLatticeConfigurations[].roleArn"


def empty_usage():
    return {"services": [], "tasks": [], "volumes": [], "regions": [], "unreadable_regions": []}


def service_references(service, role_arn):
    """Where the deployments of one described ECS service name ``role_arn`` (exact match)."""
    found = []
    for deployment in service.get("deployments") or []:
        for volume in deployment.get("volumeConfigurations") or []:
            if (volume.get("managedEBSVolume") or {}).get("roleArn") == role_arn:
                found.append(_VOLUMES_REF)
        connect = deployment.get("serviceConnectConfiguration") or {}
        for connect_service in connect.get("services") or []:
            if (connect_service.get("tls") or {}).get("roleArn") == role_arn:
                found.append(_TLS_REF)
        for lattice in deployment.get("vpcLatticeConfigurations") or []:
            if lattice.get("roleArn") == role_arn:
                found.append(_LATTICE_REF)
    return sorted(set(found))


def service_finding(service, region, references):
    return {
        "arn": service["serviceArn"],
        "region": region,
        "cluster": service.get("clusterArn"),
        "references": references,
        "uses_volumes": _VOLUMES_REF in references,
        "reason": "deployments reference the role in " + ", ".join(references),
    }


def task_finding(task, region):
    """A task stuck in DEPROVISIONING, with the status (and reason) of its attachments."""
    details = []
    for attachment in task.get("attachments") or []:
        text = f"{attachment.get('type', 'attachment')} {attachment.get('status', '?')}"
        for detail in attachment.get("details") or []:
            if detail.get("name") in ("statusReason", "reason"):
                text += ": " + str(detail.get("value"))
        details.append(text)
    reason = "lastStatus DEPROVISIONING"
    if task.get("stoppedReason"):
        reason += " (" + task["stoppedReason"] + ")"
    if details:
        reason += "; " + "; ".join(details)
    return {"arn": task["taskArn"], "region": region, "cluster": task.get("clusterArn"), "reason": reason}


def volume_finding(volume, region):
    tags = {t["Key"]: t["Value"] for t in volume.get("Tags") or []}
    instances = sorted(a["InstanceId"] for a in volume.get("Attachments") or [] if a.get("InstanceId"))
    reason = "ECS-managed EBS volume (AmazonECSManaged=true) attached"
    if instances:
        reason += " to " + ", ".join(instances)
    if tags.get("AmazonECSCreated"):
        reason += " for task " + tags["AmazonECSCreated"]
    return {
        "volume_id": volume["VolumeId"],
        "region": region,
        "task_arn": tags.get("AmazonECSCreated"),
        "instance_ids": instances,
        "reason": reason,
    }


def in_use(usage):
    return bool(usage["services"] or usage["tasks"] or usage["volumes"])


def describe_usage(usage):
    lines = []
    for service in usage["services"]:
        lines.append(f"service {service['arn']} ({service['region']}): {service['reason']}")
    for task in usage["tasks"]:
        lines.append(f"task {task['arn']} ({task['region']}): {task['reason']}")
    for volume in usage["volumes"]:
        lines.append(f"volume {volume['volume_id']} ({volume['region']}): {volume['reason']}")
    for region in usage["unreadable_regions"]:
        lines.append(f"region {region['region']} could not be read: {region['error']}")
    return lines


def guard_message(role_name, what, usage, causes=None):
    """``causes``: ``volume_blockers`` items the change would bring (what would remove the actions)."""
    because = ""
    if causes:
        because = " After this change ECS could no longer clean up the EBS volumes it manages: {0}.".format(
            "; ".join(_volume_access.describe_blockers(causes))
        )
    if not in_use(usage):
        # Nothing found, but some region could not be read: a permission or network problem,
        # not a workload. Say so, and do not present force as the fix.
        return (
            "Refusing to {0} {1!r}: could not check whether ECS still uses it.{3} {2}. Nothing was changed. "
            "Give the caller the scan permissions (docs/iam-policies/guard.json), or list in usage_regions "
            "only the regions ECS uses; force: true would go ahead without knowing."
        ).format(what, role_name, "; ".join(describe_usage(usage)), because)
    return (
        "Refusing to {0} {1!r}: ECS may still need it to clean up EBS volumes, and tasks would be "
        "left in DEPROVISIONING with their volumes undeleted.{3} Found: {2}. Nothing was changed. Wait until "
        "these tasks have stopped and their volumes are deleted, or set force: true to go ahead anyway."
    ).format(what, role_name, "; ".join(describe_usage(usage)), because)


def blocks(usage):
    """The guard stops on anything in use, and on any region it could not read."""
    return in_use(usage) or bool(usage["unreadable_regions"])


def usage_findings(usage, volumes_attached, blockers=None):
    """``blockers``: ``volume_blockers`` of the role, when known: the Volumes policy is not missing
    when the role's other policies allow the volume actions."""
    found = []
    uses_volumes = [s["arn"] for s in usage["services"] if s["uses_volumes"]]
    kept = blockers is not None and not any(source == _volume_access.ROLE_POLICIES for source, dummy, dummy in blockers)
    if not volumes_attached and not kept and (usage["volumes"] or uses_volumes):
        what = [v["volume_id"] for v in usage["volumes"]] + uses_volumes
        found.append(
            finding(
                "volumes_policy_missing",
                "AmazonECSInfrastructureRolePolicyForVolumes is not attached, but ECS uses the role for EBS "
                f"volumes: {', '.join(what)}.",
            )
        )
    for task in usage["tasks"]:
        found.append(
            finding(
                "task_deprovisioning",
                f"Task {task['arn']} ({task['region']}) is stuck: {task['reason']}.",
            )
        )
    for region in usage["unreadable_regions"]:
        found.append(
            finding(
                "usage_region_unreadable",
                f"Region {region['region']} could not be scanned for usage: {region['error']}.",
            )
        )
    return found
