# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Options and attributes both modules share (``_module.role_options`` is their argument spec)."""

    DOCUMENTATION = r"""
options:
  name:
    description:
      - Name of the IAM role. 1 to 64 ASCII characters of letters, digits and C(+=,.@_-).
    type: str
    default: ecsInfrastructureRole
    aliases: [role_name]
  usage_regions:
    description:
      - Regions scanned for ECS and EBS use of the role (the in-use guard of M(ecs_tools.iam.ecs_infrastructure_role),
        the usage report of M(ecs_tools.iam.ecs_infrastructure_role_info)). When not set, every region enabled
        for the account (EC2 C(DescribeRegions)).
      - Each entry must be a region of the partition of the connection region (O(region); C(aws) when not set), as
        listed by the endpoint data of the installed botocore (no network call). Any other name, such as
        C(mars-north) or C(xx-nowhere-1), fails the task before any AWS call, naming it and listing the known
        regions. A region newer than the installed botocore needs a newer botocore.
    type: list
    elements: str
attributes:
  action_group:
    description:
      - Use C(group/ecs_tools.iam.aws) or C(group/amazon.aws.aws) in C(module_defaults) to set connection options.
    support: full
    membership:
      - ecs_tools.iam.aws
      - amazon.aws.aws
"""
