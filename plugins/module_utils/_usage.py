# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS calls of the usage scan: what, in which regions, still relies on the role.

IAM is global but ECS and EBS are regional, so the scan covers every region enabled for the
account (or the ones the user lists), concurrently, with the fewest calls a region allows
(ListClusters and one filtered DescribeVolumes when it has no cluster). A region that cannot be
read is reported, never treated as empty. Deciding what counts is ``_usage_findings``.

Clients: amazon.aws's ``module.client()`` builds a new boto3 session, so a new botocore loader
that parses the service model again and resolves the credentials again, for every client (about
0.2 s each; an all-region scan needs two per region). ``RegionalClients`` builds ONE session from
exactly what amazon.aws resolves for the module (``get_aws_connection_info``: region,
``endpoint_url``, profile, keys and session token, ``validate_certs``/``aws_ca_bundle``,
``aws_config``) with the same client config (``_boto3_conn``: the user agent naming this
collection, then ``_module.BOTOCORE_CONFIG``, then the user's ``aws_config``), and makes every
regional client of the run from it. A boto3 session is not thread-safe but its clients are: clients
are made under a lock, on first use, by the thread that scans the region.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

try:
    import boto3
    import botocore
    import botocore.session
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.botocore import _get_user_agent_string
from ansible_collections.amazon.aws.plugins.module_utils.botocore import _merge_botocore_config
from ansible_collections.amazon.aws.plugins.module_utils.botocore import enable_placebo
from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.ecs_tools.iam.plugins.module_utils import _usage_findings
from ansible_collections.ecs_tools.iam.plugins.module_utils._module import BOTOCORE_CONFIG

# Threads wait on the network (one region's calls are sequential), so the pool is sized to the
# regions scanned, up to this many: 16 covers today's commercial regions in two or three rounds.
MAX_WORKERS = 16
_SERVICES_PER_DESCRIBE = 10  # DescribeServices limit
_TASKS_PER_DESCRIBE = 100  # DescribeTasks limit


def _batches(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def known_regions(region=None):
    """``(partition, region names)``: the regions botocore's endpoint data lists for EC2 in the partition of
    ``region`` (the module's connection region; ``aws`` when unset or unknown). Reads files installed
    with botocore, no network. ``None`` when the data cannot be read (then only the name's shape is checked)."""
    try:
        session = botocore.session.get_session()
        try:
            partition = session.get_partition_for_region(region) if region else "aws"
        except Exception:  # botocore's UnknownRegionError for a region of no partition
            partition = "aws"
        names = session.get_available_regions("ec2", partition_name=partition)
    except Exception:  # pylint: disable=broad-except  # no botocore (reported by AnsibleAWSModule), old data
        return None
    return (partition, frozenset(names)) if names else None


@AWSErrorHandler.common_error_handler("describe enabled regions")
def enabled_regions(ec2):
    return sorted(r["RegionName"] for r in ec2.describe_regions()["Regions"])


@AWSErrorHandler.common_error_handler("list ECS clusters")
def list_clusters(ecs):
    return ecs.get_paginator("list_clusters").paginate().build_full_result().get("clusterArns", [])


@AWSErrorHandler.common_error_handler("list ECS services")
def list_services(ecs, cluster):
    pages = ecs.get_paginator("list_services").paginate(cluster=cluster).build_full_result()
    return pages.get("serviceArns", [])


@AWSErrorHandler.common_error_handler("describe ECS services")
def describe_services(ecs, cluster, arns):
    return ecs.describe_services(cluster=cluster, services=arns).get("services", [])


@AWSErrorHandler.common_error_handler("list stopped ECS tasks")
def list_stopped_tasks(ecs, cluster):
    # A task being deprovisioned already has desiredStatus STOPPED.
    pages = ecs.get_paginator("list_tasks").paginate(cluster=cluster, desiredStatus="STOPPED").build_full_result()
    return pages.get("taskArns", [])


@AWSErrorHandler.common_error_handler("describe ECS tasks")
def describe_tasks(ecs, cluster, arns):
    return ecs.describe_tasks(cluster=cluster, tasks=arns).get("tasks", [])


@AWSErrorHandler.common_error_handler("describe ECS-managed EBS volumes")
def attached_ecs_volumes(ec2):
    filters = [{"Name": "tag:AmazonECSManaged", "Values": ["true"]}, {"Name": "status", "Values": ["in-use"]}]
    return ec2.get_paginator("describe_volumes").paginate(Filters=filters).build_full_result().get("Volumes", [])


def scan_region(ecs, ec2, region, role_arn):
    usage = _usage_findings.empty_usage()
    for cluster in list_clusters(ecs):
        for batch in _batches(list_services(ecs, cluster), _SERVICES_PER_DESCRIBE):
            for service in describe_services(ecs, cluster, batch):
                references = _usage_findings.service_references(service, role_arn)
                if references:
                    usage["services"].append(_usage_findings.service_finding(service, region, references))
        for batch in _batches(list_stopped_tasks(ecs, cluster), _TASKS_PER_DESCRIBE):
            for task in describe_tasks(ecs, cluster, batch):
                if task.get("lastStatus") == "DEPROVISIONING":
                    usage["tasks"].append(_usage_findings.task_finding(task, region))
    for volume in attached_ecs_volumes(ec2):
        usage["volumes"].append(_usage_findings.volume_finding(volume, region))
    return usage


class RegionalClients:
    """Every regional client of one run, from one boto3 session: ``client(service, region)``.

    ``client_kwargs`` go to every ``session.client()`` call (``config``, ``endpoint_url``, keys,
    ``verify``); ``default_region`` is used when ``region`` is not given."""

    def __init__(self, session, default_region=None, **client_kwargs):
        self.session = session
        self.default_region = default_region
        self.client_kwargs = client_kwargs
        self._clients = {}
        self._lock = threading.Lock()

    @classmethod
    def for_module(cls, module, config=None):
        """What ``module.client()`` would use, resolved once. ``config``: the module's botocore
        config, merged (as amazon.aws does) after the user agent and before the user's ``aws_config``."""
        region, endpoint_url, params = get_aws_connection_info(module)
        profile = params.pop("profile_name", None)
        merged = botocore.config.Config(user_agent=_get_user_agent_string())
        for extra in (BOTOCORE_CONFIG if config is None else config, params.pop("aws_config", None)):
            merged = _merge_botocore_config(merged, extra)
        try:
            session = boto3.session.Session(profile_name=profile)
        except botocore.exceptions.BotoCoreError as e:
            raise AnsibleAWSError(message="Couldn't connect to AWS", exception=e) from e
        enable_placebo(session)
        return cls(session, region, config=merged, endpoint_url=endpoint_url, **params)

    def client(self, service, region=None):
        key = (service, region or self.default_region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._make(service, key[1])
            return self._clients[key]

    def _make(self, service, region):
        try:
            return self.session.client(service, region_name=region, **self.client_kwargs)
        except botocore.exceptions.NoRegionError as e:
            raise AnsibleAWSError(
                message="A region is needed to list the enabled regions and none was found in configuration, "
                "environment variables or module parameters: set region, or usage_regions",
                exception=e,
            ) from e
        except (ValueError, botocore.exceptions.BotoCoreError) as e:
            raise AnsibleAWSError(message="Couldn't connect to AWS", exception=e) from e


class PrebuiltClients:
    """Clients made elsewhere (unit tests with Stubber): region -> (ecs client, ec2 client)."""

    def __init__(self, pairs):
        self.pairs = pairs

    def client(self, service, region):
        return self.pairs[region][("ecs", "ec2").index(service)]


def _error_text(e):
    code = ""
    response = getattr(e.exception, "response", None) or {}
    if response.get("Error", {}).get("Code"):
        code = response["Error"]["Code"] + ": "
    return f"{e.message} ({code}{e.exception})"


def _scan_one(clients, region, role_arn):
    """(region, usage, None), or (region, None, error text) when the region cannot be read."""
    try:
        ecs, ec2 = clients.client("ecs", region), clients.client("ec2", region)
        return region, scan_region(ecs, ec2, region, role_arn), None
    except AnsibleAWSError as e:
        return region, None, _error_text(e)


def pool_size(regions, max_workers=MAX_WORKERS):
    return max(1, min(max_workers, regions))


def scan_for_module(module, role_arn, usage_regions=None):
    """Scan ``usage_regions``, or every region EC2 DescribeRegions reports enabled for the account."""
    clients = RegionalClients.for_module(module)
    regions = usage_regions or enabled_regions(clients.client("ec2"))
    return scan(clients, role_arn, regions)


def scan(clients, role_arn, regions=None, max_workers=MAX_WORKERS):
    """``clients``: a ``RegionalClients`` (then ``regions`` is required), or a dict region ->
    (ecs client, ec2 client) (then ``regions`` defaults to its keys). Returns the merged usage, sorted."""
    if isinstance(clients, dict):
        regions = sorted(clients) if regions is None else regions
        clients = PrebuiltClients(clients)
    regions = sorted(set(regions))
    usage = _usage_findings.empty_usage()
    with ThreadPoolExecutor(max_workers=pool_size(len(regions), max_workers)) as pool:
        for region, found, error in pool.map(lambda region: _scan_one(clients, region, role_arn), regions):
            usage["regions"].append(region)
            if error is not None:
                usage["unreadable_regions"].append({"region": region, "error": error})
                continue
            for key in ("services", "tasks", "volumes"):
                usage[key].extend(found[key])
    for key, sort_key in (("services", "arn"), ("tasks", "arn"), ("volumes", "volume_id")):
        usage[key].sort(key=lambda item, k=sort_key: (item["region"], item[k]))
    return usage
