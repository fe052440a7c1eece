# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documents the tests expect, written out independently of plugins/ (a wrong table in plugins/
must not pass its own check)."""

import json

# The trust policy AWS documents for the infrastructure role (the AWS CLI example), which the
# module writes.
TRUST_ECS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowAccessToECSForInfrastructureManagement",
            "Effect": "Allow",
            "Principal": {"Service": "ecs.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}

# What another team's role trusts: a role that is not the infrastructure role.
TRUST_EC2 = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def passrole_grant(role_arn):
    """The one PassRole statement the collection writes, for ``role_arn``."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": role_arn,
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs.amazonaws.com"}},
            }
        ],
    }
