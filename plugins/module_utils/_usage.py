# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS calls of the usage scan: what, in which regions, still relies on the role.

IAM is global but ECS and EBS are regional, so the scan covers every region enabled for the
account (or the ones the user lists), concurrently: a small thread pool, one client per
region made beforehand (boto3 sessions are not thread-safe, clients are). A region that
cannot be read is reported, never treated as empty. Deciding what counts is ``_analysis``.
"""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.ecs_tools.iam.plugins.module_utils import _analysis

MAX_WORKERS = 4
_SERVICES_PER_DESCRIBE = 10  # DescribeServices limit
_TASKS_PER_DESCRIBE = 100  # DescribeTasks limit


def _batches(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


@AWSErrorHandler.common_error_handler("describe enabled regions")
@AWSRetry.jittered_backoff()
def enabled_regions(ec2):
    return sorted(r["RegionName"] for r in ec2.describe_regions()["Regions"])


@AWSErrorHandler.common_error_handler("list ECS clusters")
@AWSRetry.jittered_backoff()
def list_clusters(ecs):
    return ecs.get_paginator("list_clusters").paginate().build_full_result().get("clusterArns", [])


@AWSErrorHandler.common_error_handler("list ECS services")
@AWSRetry.jittered_backoff()
def list_services(ecs, cluster):
    pages = ecs.get_paginator("list_services").paginate(cluster=cluster).build_full_result()
    return pages.get("serviceArns", [])


@AWSErrorHandler.common_error_handler("describe ECS services")
@AWSRetry.jittered_backoff()
def describe_services(ecs, cluster, arns):
    return ecs.describe_services(cluster=cluster, services=arns).get("services", [])


@AWSErrorHandler.common_error_handler("list stopped ECS tasks")
@AWSRetry.jittered_backoff()
def list_stopped_tasks(ecs, cluster):
    # A task being deprovisioned already has desiredStatus STOPPED.
    pages = ecs.get_paginator("list_tasks").paginate(cluster=cluster, desiredStatus="STOPPED").build_full_result()
    return pages.get("taskArns", [])


@AWSErrorHandler.common_error_handler("describe ECS tasks")
@AWSRetry.jittered_backoff()
def describe_tasks(ecs, cluster, arns):
    return ecs.describe_tasks(cluster=cluster, tasks=arns).get("tasks", [])


@AWSErrorHandler.common_error_handler("describe ECS-managed EBS volumes")
@AWSRetry.jittered_backoff()
def attached_ecs_volumes(ec2):
    filters = [{"Name": "tag:AmazonECSManaged", "Values": ["true"]}, {"Name": "status", "Values": ["in-use"]}]
    return ec2.get_paginator("describe_volumes").paginate(Filters=filters).build_full_result().get("Volumes", [])


def scan_region(ecs, ec2, region, role_arn):
    usage = _analysis.empty_usage()
    for cluster in list_clusters(ecs):
        for batch in _batches(list_services(ecs, cluster), _SERVICES_PER_DESCRIBE):
            for service in describe_services(ecs, cluster, batch):
                references = _analysis.service_references(service, role_arn)
                if references:
                    usage["services"].append(_analysis.service_finding(service, region, references))
        for batch in _batches(list_stopped_tasks(ecs, cluster), _TASKS_PER_DESCRIBE):
            for task in describe_tasks(ecs, cluster, batch):
                if task.get("lastStatus") == "DEPROVISIONING":
                    usage["tasks"].append(_analysis.task_finding(task, region))
    for volume in attached_ecs_volumes(ec2):
        usage["volumes"].append(_analysis.volume_finding(volume, region))
    return usage


def _scan_one(args):
    region, ecs, ec2, role_arn = args
    try:
        return region, scan_region(ecs, ec2, region, role_arn), None
    except AnsibleAWSError as e:
        code = ""
        response = getattr(e.exception, "response", None) or {}
        if response.get("Error", {}).get("Code"):
            code = response["Error"]["Code"] + ": "
        return region, None, "{0} ({1}{2})".format(e.message, code, e.exception)


def scan_for_module(module, role_arn, usage_regions=None):
    """Scan ``usage_regions``, or every region EC2 DescribeRegions reports enabled for the account."""
    retry = AWSRetry.jittered_backoff()
    regions = usage_regions or enabled_regions(module.client("ec2", retry_decorator=retry))
    clients = {}
    for region in sorted(set(regions)):
        clients[region] = (module.client("ecs", region=region), module.client("ec2", region=region))
    return scan(clients, role_arn)


def scan(clients, role_arn, max_workers=MAX_WORKERS):
    """``clients``: region -> (ecs client, ec2 client). Returns the merged usage, sorted."""
    usage = _analysis.empty_usage()
    jobs = [(region, ecs, ec2, role_arn) for region, (ecs, ec2) in sorted(clients.items())]
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(jobs)))) as pool:
        for region, found, error in pool.map(_scan_one, jobs):
            usage["regions"].append(region)
            if error is not None:
                usage["unreadable_regions"].append({"region": region, "error": error})
                continue
            for key in ("services", "tasks", "volumes"):
                usage[key].extend(found[key])
    for key, sort_key in (("services", "arn"), ("tasks", "arn"), ("volumes", "volume_id")):
        usage[key].sort(key=lambda item, k=sort_key: (item["region"], item[k]))
    return usage
