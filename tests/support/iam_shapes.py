# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM data as AWS returns it, written short: policy documents and GetAccountAuthorizationDetails
answers, for the unit tests of the evaluation layers (exposure, PassRole, role findings, principals)."""

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole"
POLICY = f"arn:aws:iam::{ACCOUNT}:policy/{{0}}"  # POLICY.format(name)
ECS = "ecs.amazonaws.com"


def doc(*statements):
    """A policy document of ``statements``."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, **kw):
    """An Allow statement for ``action`` on every resource; ``kw`` adds or replaces keys."""
    return dict({"Effect": "Allow", "Action": action, "Resource": "*"}, **kw)


def attached(*names):
    """AttachedManagedPolicies entries for customer managed policies of this account."""
    return [{"PolicyName": n, "PolicyArn": POLICY.format(n)} for n in names]


def details(users=(), groups=(), roles=(), policies=()):
    """A GetAccountAuthorizationDetails answer."""
    return {
        "UserDetailList": list(users),
        "GroupDetailList": list(groups),
        "RoleDetailList": list(roles),
        "Policies": list(policies),
    }
