# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``_exposure`` answers any "who can perform ACTION on RESOURCE, for which values of KEY": not only
iam:PassRole (``test_pass_role_exposure``), here sts:AssumeRole and iam:UpdateAssumeRolePolicy."""

from ansible_collections.ecs_tools.iam.plugins.module_utils import _exposure

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole"
POLICY = f"arn:aws:iam::{ACCOUNT}:policy/"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", condition=None):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(action, resource="*"):
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def user(name, *statements, groups=(), managed=()):
    return {
        "UserName": name,
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "UserPolicyList": [{"PolicyName": name + "-inline", "PolicyDocument": doc(*statements)}] if statements else [],
        "AttachedManagedPolicies": [{"PolicyName": m, "PolicyArn": POLICY + m} for m in managed],
        "GroupList": list(groups),
    }


def managed(name, *statements):
    version = {"VersionId": "v1", "IsDefaultVersion": True, "Document": doc(*statements)}
    return {"Arn": POLICY + name, "DefaultVersionId": "v1", "PolicyVersionList": [version]}


DETAILS = {
    "UserDetailList": [
        user("alice", allow("sts:AssumeRole", ROLE)),
        user("bob", allow("sts:AssumeRole", ROLE, {"StringEquals": {"aws:SourceAccount": ACCOUNT}})),
        user("carol", allow("iam:UpdateAssumeRolePolicy", ROLE)),
        user("dave", allow("sts:AssumeRole", ROLE, {"StringEquals": {"aws:PrincipalTag/team": "ops"}})),
        user("erin", allow("sts:*"), deny("sts:AssumeRole", ROLE)),
        user("frank", allow("iam:PassRole", ROLE)),
        user("grace", groups=["assumers"]),
        user("heidi", managed=["AssumeAny"]),
    ],
    "GroupDetailList": [
        {
            "GroupName": "assumers",
            "Arn": f"arn:aws:iam::{ACCOUNT}:group/assumers",
            "GroupPolicyList": [
                {
                    "PolicyName": "prefix",
                    "PolicyDocument": doc(allow("sts:Assume*", ROLE, {"StringLike": {"aws:SourceAccount": "1234*"}})),
                }
            ],
            "AttachedManagedPolicies": [],
        }
    ],
    "RoleDetailList": [],
    "Policies": [managed("AssumeAny", allow("sts:AssumeRole"))],
}


def answer(found):
    return {(p["type"], p["name"]): p["classification"] for p in found}


def test_who_can_assume_the_role_and_from_which_source_account():
    found = _exposure.principals(DETAILS, "sts:AssumeRole", ROLE, "aws:SourceAccount", ACCOUNT)
    assert answer(found) == {
        ("user", "alice"): _exposure.OTHER,  # no condition: from any account
        ("user", "bob"): _exposure.ONLY,
        ("user", "dave"): _exposure.CONDITIONAL,  # a tag the module cannot evaluate
        ("user", "grace"): _exposure.OTHER,  # through her group: 1234* names other accounts too
        ("group", "assumers"): _exposure.OTHER,
        ("user", "heidi"): _exposure.OTHER,  # an attached managed policy
    }
    dave = next(p for p in found if p["name"] == "dave")
    assert [(c["key"], c["values"]) for c in dave["conditions"]] == [("aws:PrincipalTag/team", ["ops"])]
    grace = next(p for p in found if p["name"] == "grace")
    assert grace["grants"] == [
        {"policy_name": "prefix", "policy_arn": None, "via": "group", "group": "assumers", "classification": "other"}
    ]
    assert all(p["reaches_other_values"] == (p["classification"] != _exposure.ONLY) for p in found)


def test_who_can_change_the_roles_trust():
    found = _exposure.principals(
        DETAILS, "iam:UpdateAssumeRolePolicy", ROLE, "aws:RequestedRegion", "us-east-1", lower_case=True
    )
    assert answer(found) == {("user", "carol"): _exposure.OTHER}
    assert found[0]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/carol"


def test_the_passrole_question_is_not_built_in():
    """frank can pass the role, and nothing else: asked about sts:AssumeRole he is nobody, asked about
    iam:PassRole he is the one who can."""
    found = _exposure.principals(DETAILS, "iam:PassRole", ROLE, "iam:PassedToService", "ecs.amazonaws.com")
    assert answer(found) == {("user", "frank"): _exposure.OTHER}
    assert ("user", "frank") not in answer(
        _exposure.principals(DETAILS, "sts:AssumeRole", ROLE, "aws:SourceAccount", ACCOUNT)
    )
