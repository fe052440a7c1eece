# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's scenarios: the state every approach reaches, the three playbooks, the inventory of
accounts, seeding the users and checking the end state.

The state: the role ``ecsInfrastructureRole`` with the volumes, service_connect_tls and vpc_lattice
policies, and ``iam:PassRole`` on it granted to N existing IAM users through the customer managed
policy ``ecsInfrastructureRolePassRole``, in 1 or more accounts (STS AssumeRole into 1000000000NN).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
if os.path.join(REPO, "tests", "support") not in sys.path:
    sys.path.insert(0, os.path.join(REPO, "tests", "support"))

from collection_link import collections_path  # noqa: E402
from expected import TRUST_ECS  # noqa: E402
from expected import passrole_grant  # noqa: E402
from organization import account_client  # noqa: E402

APPROACHES = ("module", "role", "composition")
DESCRIPTIONS = {
    "module": "(a) one task: module ecs_tools.iam.ecs_infrastructure_role",
    "role": "(b) role ecs_tools.iam.infrastructure_role (validate, apply, verify, report)",
    "composition": "(c) amazon.aws.iam_role + amazon.aws.iam_managed_policy + amazon.aws.iam_user per user (loop)",
}

ROLE_NAME = "ecsInfrastructureRole"
GRANT_POLICY = ROLE_NAME + "PassRole"
ACCOUNT_ROLE = "OrganizationAccountAccessRole"
CAPABILITIES = ["volumes", "service_connect_tls", "vpc_lattice"]
CAPABILITY_POLICY_ARNS = [
    "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
    "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
    "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice",
]
# The harness's own call, made once per account by every playbook before the approach runs.
PREAMBLE_CALL = ("sts", "AssumeRole")


class RunFailed(Exception):
    pass


def account_ids(count):
    return [f"1000000000{i + 1:02d}" for i in range(count)]


def user_names(count):
    return [f"bench-user-{i + 1:03d}" for i in range(count)]


def _documents():
    """The collection's own document comparison (plugins/module_utils/_documents.py)."""
    if collections_path() not in sys.path:
        sys.path.insert(0, collections_path())
    from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents

    return _documents


# --- playbooks ------------------------------------------------------------------------------


def approach_tasks(approach):
    if approach == "module":
        return [
            {
                "name": "ECS infrastructure role and who may pass it to ECS",
                "ecs_tools.iam.ecs_infrastructure_role": {
                    "name": ROLE_NAME,
                    "capabilities": CAPABILITIES,
                    "pass_role": {"users": "{{ bench_users }}"},
                },
            }
        ]
    if approach == "role":
        return [
            {
                "name": "ECS infrastructure role with the collection's role",
                "ansible.builtin.include_role": {"name": "ecs_tools.iam.infrastructure_role"},
                "vars": {
                    "ecs_infrastructure_role_name": ROLE_NAME,
                    "ecs_infrastructure_role_capabilities": CAPABILITIES,
                    "ecs_infrastructure_role_pass_role_users": "{{ bench_users }}",
                    "ecs_infrastructure_role_usage_regions": ["us-east-1"],
                },
            }
        ]
    if approach == "composition":
        return [
            {
                "name": "ECS infrastructure role",
                "amazon.aws.iam_role": {
                    "name": ROLE_NAME,
                    "assume_role_policy_document": TRUST_ECS,
                    "managed_policies": CAPABILITY_POLICY_ARNS,
                    "create_instance_profile": False,
                },
                "register": "bench_role",
            },
            {
                "name": "Managed policy allowing iam:PassRole on it to ECS",
                "amazon.aws.iam_managed_policy": {
                    "name": GRANT_POLICY,
                    "policy": passrole_grant("{{ bench_role.iam_role.arn }}"),
                },
                "register": "bench_grant",
            },
            {
                "name": "Attach it to each user who may pass the role",
                "amazon.aws.iam_user": {
                    "name": "{{ item }}",
                    "state": "present",
                    "managed_policies": ["{{ bench_grant.policy.arn }}"],
                    "purge_policies": False,
                },
                "loop": "{{ bench_users }}",
            },
        ]
    raise ValueError(approach)


def plays(approach):
    """One play over the accounts: assume the account's role, then the approach with its credentials."""
    group = "group/amazon.aws.aws" if approach == "composition" else "group/ecs_tools.iam.aws"
    credentials = {
        key: f"{{{{ bench_assumed.sts_creds.{key} }}}}" for key in ("access_key", "secret_key", "session_token")
    }
    return [
        {
            "name": "Benchmark: " + DESCRIPTIONS[approach],
            "hosts": "all",
            "gather_facts": False,
            "tasks": [
                {
                    "name": "Assume the account's role",
                    "amazon.aws.sts_assume_role": {
                        "role_arn": "{{ bench_assume_role_arn }}",
                        "role_session_name": "bench",
                    },
                    "register": "bench_assumed",
                    "changed_when": False,
                },
                {
                    "name": "Reach the state in the account",
                    "module_defaults": {group: credentials},
                    "block": approach_tasks(approach),
                },
            ],
        }
    ]


def inventory(accounts, users):
    return {
        "all": {
            "vars": {
                "ansible_connection": "local",
                "ansible_python_interpreter": sys.executable,
                "bench_users": users,
            },
            "hosts": {
                "account_" + account: {
                    "bench_assume_role_arn": f"arn:aws:iam::{account}:role/{ACCOUNT_ROLE}",
                }
                for account in accounts
            },
        }
    }


# --- moto state -----------------------------------------------------------------------------


class Accounts:
    """boto3 IAM clients for accounts on the moto server, through STS AssumeRole (as the playbooks)."""

    def __init__(self, server):
        self.env = server.env()

    def iam(self, account):
        return account_client(self.env, account, "iam", ACCOUNT_ROLE)

    def create_users(self, accounts, users):
        for account in accounts:
            iam = self.iam(account)
            for user in users:
                iam.create_user(UserName=user)

    def check_state(self, accounts, users):
        """Raise RunFailed unless every account holds exactly the target state."""
        documents = _documents()
        for account in accounts:
            iam = self.iam(account)
            role = iam.get_role(RoleName=ROLE_NAME)["Role"]
            role_arn = f"arn:aws:iam::{account}:role/{ROLE_NAME}"
            problems = []
            if role["Arn"] != role_arn:
                problems.append("role ARN {0}".format(role["Arn"]))
            if documents.documents_differ(role["AssumeRolePolicyDocument"], TRUST_ECS):
                problems.append("trust policy {0}".format(role["AssumeRolePolicyDocument"]))
            attached = iam.list_attached_role_policies(RoleName=ROLE_NAME)["AttachedPolicies"]
            if sorted(p["PolicyArn"] for p in attached) != sorted(CAPABILITY_POLICY_ARNS):
                problems.append(f"attached {attached}")
            grant_arn = f"arn:aws:iam::{account}:policy/{GRANT_POLICY}"
            version = iam.get_policy(PolicyArn=grant_arn)["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=grant_arn, VersionId=version)["PolicyVersion"]["Document"]
            if documents.documents_differ(document, passrole_grant(role_arn)):
                problems.append(f"grant document {document}")
            entities = iam.list_entities_for_policy(PolicyArn=grant_arn, EntityFilter="User", MaxItems=1000)
            if sorted(u["UserName"] for u in entities["PolicyUsers"]) != sorted(users):
                problems.append("grantees {0}".format(entities["PolicyUsers"]))
            if problems:
                raise RunFailed("account {0}: wrong end state: {1}".format(account, "; ".join(problems)))
