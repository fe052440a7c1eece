# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The capability catalog: the one table every other part derives from.

Pure data and pure functions; no boto3 import. The module's ``choices``, the role's
argument spec, the documentation and the tests are derived from (or checked against)
``CAPABILITIES``.
"""

from collections import namedtuple

# session_names: the CloudTrail roleSessionNames ECS uses for the capability, as AWS documents them, the
# current one first (empty where AWS documents none).
Capability = namedtuple("Capability", ["name", "policy_name", "policy_path", "session_names", "doc_url"])

_DOC = "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/{0}.html"

# Order matters only for display: the first three are the uses AWS's setup page names first.
# Paths are a known trap: VPC Lattice, load balancers and managed instances have NO service-role/ path.
CAPABILITIES = (
    Capability(
        "volumes",
        "AmazonECSInfrastructureRolePolicyForVolumes",
        "/service-role/",
        ("ECSTaskVolumesForEBS",),
        _DOC.format("AmazonECSInfrastructureRolePolicyForVolumes"),
    ),
    Capability(
        "service_connect_tls",
        "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
        "/service-role/",
        ("ECSServiceConnectForTLS",),
        _DOC.format("AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity"),
    ),
    Capability(
        "vpc_lattice",
        "AmazonECSInfrastructureRolePolicyForVpcLattice",
        "/",
        ("ECSNetworkingWithVPCLattice",),
        _DOC.format("AmazonECSInfrastructureRolePolicyForVpcLattice"),
    ),
    Capability(
        "load_balancers",
        "AmazonECSInfrastructureRolePolicyForLoadBalancers",
        "/",
        # Blue/green deployments: the current AWS guide names both (an older revision said
        # ECSDeploymentWithLoadBalancers).
        ("ECSNetworkingWithELB", "ecs-service-scheduler"),
        _DOC.format("AmazonECSInfrastructureRolePolicyForLoadBalancers"),
    ),
    Capability(
        "managed_instances",
        "AmazonECSInfrastructureRolePolicyForManagedInstances",
        "/",
        ("ECSManagedInstancesForCompute",),
        _DOC.format("AmazonECSInfrastructureRolePolicyForManagedInstances"),
    ),
    Capability(
        "express_gateway_services",
        "AmazonECSInfrastructureRoleforExpressGatewayServices",
        "/service-role/",
        (),
        _DOC.format("AmazonECSInfrastructureRoleforExpressGatewayServices"),
    ),
)

CAPABILITY_NAMES = tuple(c.name for c in CAPABILITIES)
_BY_NAME = {c.name: c for c in CAPABILITIES}

VOLUMES = "volumes"
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


def capability(name):
    return _BY_NAME[name]


def aws_managed_policy_arn(partition, policy_path, policy_name):
    return f"arn:{partition}:iam::aws:policy{policy_path}{policy_name}"


def capability_arn(name, partition):
    """The ARN of the AWS managed policy for one capability, in the caller's partition."""
    cap = capability(name)
    return aws_managed_policy_arn(partition, cap.policy_path, cap.policy_name)


def capability_arns(names, partition):
    return {name: capability_arn(name, partition) for name in names}


def capabilities_from_arns(arns, partition):
    """Capabilities whose managed policy is among ``arns``, sorted."""
    attached = set(arns)
    return sorted(name for name in CAPABILITY_NAMES if capability_arn(name, partition) in attached)


def session_names(capability_names):
    """capability -> the current CloudTrail roleSessionName, for the capabilities AWS documents one for."""
    return {name: names[0] for name, names in all_session_names(capability_names).items()}


def all_session_names(capability_names):
    """capability -> every CloudTrail roleSessionName AWS documents for it (a CloudTrail filter should
    match them all), for the capabilities AWS documents any for."""
    return {name: list(capability(name).session_names) for name in capability_names if capability(name).session_names}
