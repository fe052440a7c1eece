# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""State read back with boto3 and checks on module results, shared by the integration tests."""

import json

ROLE = "ecsInfrastructureRole"


def attached(iam, role=ROLE):
    """The ARNs of the managed policies attached to ``role``, sorted."""
    return sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"])


def assert_four_steps(results):
    """amazon.aws's pattern (check mode, apply, check mode, apply): no step failed, the first two
    report a change and the last two none."""
    for r in results:
        assert not r.get("failed"), r.get("msg")
    assert [r["changed"] for r in results] == [True, True, False, False]


def authorization_snapshot(iam):
    """Everything IAM holds for the account's principals (roles with their boundaries, trust, inline and
    attached policies) and customer managed policies, as text: equal before and after a run that must
    change nothing."""
    details = iam.get_account_authorization_details(Filter=["User", "Group", "Role", "LocalManagedPolicy"])
    details.pop("ResponseMetadata", None)
    return json.dumps(details, sort_keys=True, default=str)
