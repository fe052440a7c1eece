# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What uses the role, what a policy allows, and what is wrong with a role. Pure: no boto3.

The usage scan (``_usage``) feeds raw ECS and EC2 descriptions to the functions here; the
in-use guard and the info module's findings are decided here.
"""

import fnmatch

from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import ECS_SERVICE_PRINCIPAL
from ansible_collections.ecs_tools.iam.plugins.module_utils._documents import as_dict

# What ECS needs to finish with the EBS volumes it manages (AWS's deletion warning).
VOLUME_ACTIONS = ("ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes")

# Where a service deployment records the infrastructure role (botocore's ECS model).
_VOLUMES_REF = "volumeConfigurations[].managedEBSVolume.roleArn"
_TLS_REF = "serviceConnectConfiguration.services[].tls.roleArn"
_LATTICE_REF = "vpcLatticeConfigurations[].roleArn"


class InUseError(ValueError):
    """The in-use guard refused a destructive change; ``usage`` says why."""

    def __init__(self, message, usage):
        super(InUseError, self).__init__(message)
        self.usage = usage


def empty_usage():
    return {"services": [], "tasks": [], "volumes": [], "regions": [], "unreadable_regions": []}


# ---------------------------------------------------------------- usage


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
        text = "{0} {1}".format(attachment.get("type", "attachment"), attachment.get("status", "?"))
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
    tags = dict((t["Key"], t["Value"]) for t in volume.get("Tags") or [])
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
        lines.append("service {0} ({1}): {2}".format(service["arn"], service["region"], service["reason"]))
    for task in usage["tasks"]:
        lines.append("task {0} ({1}): {2}".format(task["arn"], task["region"], task["reason"]))
    for volume in usage["volumes"]:
        lines.append("volume {0} ({1}): {2}".format(volume["volume_id"], volume["region"], volume["reason"]))
    for region in usage["unreadable_regions"]:
        lines.append("region {0} could not be read: {1}".format(region["region"], region["error"]))
    return lines


def guard_message(role_name, what, usage):
    if not in_use(usage):
        # Nothing found, but some region could not be read: a permission or network problem,
        # not a workload. Say so, and do not present force as the fix.
        return (
            "Refusing to {0} {1!r}: could not check whether ECS still uses it. {2}. Nothing was changed. "
            "Give the caller the scan permissions (docs/iam-policies/guard.json), or list in usage_regions "
            "only the regions ECS uses; force: true would go ahead without knowing."
        ).format(what, role_name, "; ".join(describe_usage(usage)))
    return (
        "Refusing to {0} {1!r}: ECS may still need it to clean up EBS volumes, and tasks would be "
        "left in DEPROVISIONING with their volumes undeleted. Found: {2}. Nothing was changed. Wait until "
        "these tasks have stopped and their volumes are deleted, or set force: true to go ahead anyway."
    ).format(what, role_name, "; ".join(describe_usage(usage)))


def blocks(usage):
    """The guard stops on anything in use, and on any region it could not read."""
    return in_use(usage) or bool(usage["unreadable_regions"])


# ---------------------------------------------------------------- policy documents


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _matches(patterns, action):
    return any(fnmatch.fnmatchcase(action.lower(), str(p).lower()) for p in patterns)


def _statements(document):
    document = as_dict(document) or {}
    return _as_list(document.get("Statement"))


def allowed_actions(documents, actions):
    """Which of ``actions`` the documents allow (Action and NotAction, wildcards; explicit Deny wins).
    Resources and conditions are not evaluated: this answers "does anything still grant it"."""
    allowed, denied = set(), set()
    for document in documents:
        for statement in _statements(document):
            effect = statement.get("Effect")
            for action in actions:
                if "Action" in statement:
                    hit = _matches(_as_list(statement["Action"]), action)
                elif "NotAction" in statement:
                    hit = not _matches(_as_list(statement["NotAction"]), action)
                else:
                    hit = False
                if hit and effect == "Allow":
                    allowed.add(action)
                elif hit and effect == "Deny":
                    denied.add(action)
    return sorted(allowed - denied)


def keeps_volume_actions(documents):
    return set(allowed_actions(documents, VOLUME_ACTIONS)) == set(VOLUME_ACTIONS)


# ---------------------------------------------------------------- findings


def finding(code, message):
    return {"code": code, "message": message}


def trust_findings(document):
    """The trust policy must let ecs.amazonaws.com assume the role, and nobody else."""
    ecs_can_assume = False
    others = []
    for statement in _statements(document):
        if statement.get("Effect") != "Allow":
            continue
        if not _matches(_as_list(statement.get("Action")), "sts:AssumeRole") and "NotAction" not in statement:
            continue
        principal = statement.get("Principal")
        if principal == "*" or "NotPrincipal" in statement:
            others.append("*")
            continue
        for kind, values in (principal or {}).items():
            for value in _as_list(values):
                if kind == "Service" and value == ECS_SERVICE_PRINCIPAL:
                    ecs_can_assume = True
                else:
                    others.append("{0}:{1}".format(kind, value))
    found = []
    if not ecs_can_assume:
        found.append(
            finding(
                "trust_missing_ecs",
                "The trust policy does not let {0} assume the role: ECS cannot use it.".format(ECS_SERVICE_PRINCIPAL),
            )
        )
    if others:
        found.append(
            finding(
                "trust_extra_principal",
                "The trust policy also lets {0} assume the role; only {1} should.".format(
                    ", ".join(sorted(set(others))), ECS_SERVICE_PRINCIPAL
                ),
            )
        )
    return found


def attachment_findings(attached_arns, partition):
    """AWS managed policies attached that are not ECS infrastructure policies (over-privileged role)."""
    known = set(_catalog.capability_arns(_catalog.CAPABILITY_NAMES, partition).values())
    aws_prefix = "arn:{0}:iam::aws:policy/".format(partition)
    found = []
    for arn in sorted(attached_arns):
        if arn.startswith(aws_prefix) and arn not in known:
            found.append(
                finding(
                    "overprivileged_managed_policy",
                    "AWS managed policy {0} is attached; it is not one of the ECS infrastructure policies.".format(arn),
                )
            )
    return found


def grant_findings(documents, where):
    """PassRole statements in the collection's own grant that lack the condition or use a wildcard."""
    found = []
    for document in documents:
        for statement in _statements(document):
            if statement.get("Effect") != "Allow" or not _matches(_as_list(statement.get("Action")), "iam:PassRole"):
                continue
            condition = statement.get("Condition") or {}
            passed_to = [
                value
                for operator in condition.values()
                if isinstance(operator, dict)
                for key, value in operator.items()
                if key.lower() == "iam:passedtoservice"
            ]
            if not passed_to:
                found.append(
                    finding(
                        "pass_role_without_condition",
                        "{0} grants iam:PassRole without the iam:PassedToService condition.".format(where),
                    )
                )
            if any("*" in str(r) for r in _as_list(statement.get("Resource"))):
                found.append(
                    finding(
                        "pass_role_wildcard_resource", "{0} grants iam:PassRole on a wildcard resource.".format(where)
                    )
                )
    return found


def usage_findings(usage, volumes_attached):
    found = []
    uses_volumes = [s["arn"] for s in usage["services"] if s["uses_volumes"]]
    if not volumes_attached and (usage["volumes"] or uses_volumes):
        what = [v["volume_id"] for v in usage["volumes"]] + uses_volumes
        found.append(
            finding(
                "volumes_policy_missing",
                "AmazonECSInfrastructureRolePolicyForVolumes is not attached, but ECS uses the role for EBS "
                "volumes: {0}.".format(", ".join(what)),
            )
        )
    for task in usage["tasks"]:
        found.append(
            finding(
                "task_deprovisioning",
                "Task {0} ({1}) is stuck: {2}.".format(task["arn"], task["region"], task["reason"]),
            )
        )
    for region in usage["unreadable_regions"]:
        found.append(
            finding(
                "usage_region_unreadable",
                "Region {0} could not be scanned for usage: {1}.".format(region["region"], region["error"]),
            )
        )
    return found
