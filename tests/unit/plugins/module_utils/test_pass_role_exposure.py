# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


import pytest
from iam_shapes import ECS
from iam_shapes import POLICY
from iam_shapes import ROLE_ARN
from iam_shapes import allow
from iam_shapes import attached
from iam_shapes import details
from iam_shapes import doc

from ansible_collections.ecs_tools.iam.plugins.module_utils import _pass_role_exposure
from ansible_collections.ecs_tools.iam.plugins.module_utils import _role_findings

NOWHERE = {"StringEquals": {"aws:RequestedRegion": "nowhere-1"}}


def deny(action, **kw):
    return dict({"Effect": "Deny", "Action": action, "Resource": "*"}, **kw)


# ---------------------------------------------------------------- who can pass the role

TO_ECS = {"StringEquals": {"iam:PassedToService": ECS}}


def managed(name, *statements):
    return {
        "Arn": POLICY.format(name),
        "DefaultVersionId": "v2",
        "PolicyVersionList": [
            {"VersionId": "v1", "IsDefaultVersion": False, "Document": doc(allow("*"))},
            {"VersionId": "v2", "IsDefaultVersion": True, "Document": doc(*statements)},
        ],
    }


def inline(name, *statements):
    return {"PolicyName": name, "PolicyDocument": doc(*statements)}


def user(name, policies=(), managed_names=(), groups=(), boundary=None):
    detail = {
        "UserName": name,
        "Arn": "arn:aws:iam::123456789012:user/" + name,
        "UserPolicyList": list(policies),
        "AttachedManagedPolicies": attached(*managed_names),
        "GroupList": list(groups),
    }
    if boundary:
        detail["PermissionsBoundary"] = {"PermissionsBoundaryArn": POLICY.format(boundary)}
    return detail


def classified(found):
    return [(p["type"], p["name"], p["classification"]) for p in found]


def test_pass_role_principals_classify_every_way_to_hold_it():
    account = details(
        users=[
            user("anything", [inline("i", allow("iam:PassRole"))]),
            user("scoped", [inline("i", allow("iam:PassRole", Resource=ROLE_ARN, Condition=TO_ECS))]),
            user("member", groups=["wide"]),
            user("denied-member", managed_names=["Admin"], groups=["denied"]),
            user("bounded", managed_names=["Admin"], boundary="EcsOnlyBoundary"),
            user("unknown-boundary", managed_names=["Admin"], boundary="Missing"),
            user("other-role", [inline("i", allow("iam:PassRole", Resource=ROLE_ARN + "Old"))]),
            user("old-version", managed_names=["Changed"]),
            user("nothing"),
        ],
        groups=[
            {"GroupName": "wide", "Arn": "g", "GroupPolicyList": [], "AttachedManagedPolicies": attached("PassAll")},
            {
                "GroupName": "denied",
                "Arn": "g2",
                "GroupPolicyList": [inline("no", {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"})],
                "AttachedManagedPolicies": [],
            },
        ],
        policies=[
            managed("PassAll", allow("iam:Pass*", Resource="arn:aws:iam::123456789012:role/*")),
            managed("Admin", allow("*")),
            managed("EcsOnlyBoundary", allow("s3:*"), allow("iam:PassRole", Condition=TO_ECS)),
            managed("Changed", allow("s3:*")),
        ],
    )
    found = _pass_role_exposure.pass_role_principals(account, ROLE_ARN)
    assert classified(found) == [
        ("group", "wide", "any_service"),
        ("user", "anything", "any_service"),
        ("user", "bounded", "ecs_only"),
        ("user", "member", "any_service"),
        ("user", "scoped", "ecs_only"),
        ("user", "unknown-boundary", "conditional"),
    ]
    by_name = {p["name"]: p for p in found}
    assert by_name["member"]["grants"] == [
        {
            "policy_name": "PassAll",
            "policy_arn": POLICY.format("PassAll"),
            "via": "group",
            "group": "wide",
            "classification": "any_service",
        }
    ]
    # AdministratorAccess held to ECS by a boundary: not an administrator (issue 18), and no finding.
    assert not by_name["bounded"]["administrator"] and by_name["bounded"]["grants"][0]["classification"] == "ecs_only"
    assert [p["name"] for p in found if p["administrator"]] == []
    assert by_name["unknown-boundary"]["conditions"][0]["operator"] == "PermissionsBoundary"
    codes = [(f["code"], f["severity"]) for f in _pass_role_exposure.exposure_findings(found, "ecsInfrastructureRole")]
    assert codes == [
        ("pass_role_any_service", "high"),
        ("pass_role_any_service", "high"),
        ("pass_role_any_service", "high"),
        ("pass_role_conditional", "medium"),
    ]


def test_an_unreturned_managed_policy_is_reported_not_ignored():
    found = _pass_role_exposure.pass_role_principals(details(users=[user("u", managed_names=["Gone"])]), ROLE_ARN)
    assert classified(found) == [("user", "u", "conditional")]
    assert found[0]["conditions"][0]["key"] == "document not returned"
    assert found[0]["conditions"][0]["policy_arn"] == POLICY.format("Gone")


ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
NOT_ECS = {"StringNotEquals": {"iam:PassedToService": ECS}}


def aws_managed(arn, *statements):
    return dict(managed("x", *statements), Arn=arn)


@pytest.mark.parametrize(
    "statements,boundary,expected",
    [
        # Whatever the shape of the statement, passing the role to another service is high (issue 18).
        ([allow("iam:PassRole")], None, ("any_service", False, [("pass_role_any_service", "high")])),
        ([allow("iam:Pass*")], None, ("any_service", False, [("pass_role_any_service", "high")])),
        ([allow("iam:*")], None, ("any_service", False, [("pass_role_any_service", "high")])),
        (
            [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}],
            None,
            ("any_service", False, [("pass_role_any_service", "high")]),
        ),
        # Action "*" on the role's ARN alone: not an administrator, high.
        ([allow("*", Resource=ROLE_ARN)], None, ("any_service", False, [("pass_role_any_service", "high")])),
        (
            [allow("*", Resource="arn:aws:iam::123456789012:role/*")],
            None,
            ("any_service", False, [("pass_role_any_service", "high")]),
        ),
        # Action "*" on "*", unconditional, unbounded: an administrator, summarised at low.
        ([allow("*")], None, ("any_service", True, [("pass_role_administrators", "low")])),
        ([allow("*:*")], None, ("any_service", True, [("pass_role_administrators", "low")])),
        ([allow("*"), deny("s3:DeleteBucket")], None, ("any_service", True, [("pass_role_administrators", "low")])),
        # A routine MFA or TLS Deny is the caller's to dodge: still an administrator, still one low finding;
        # and such a condition cannot buy an any-service grant a lower severity.
        (
            [allow("*"), deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})],
            None,
            ("any_service", True, [("pass_role_administrators", "low")]),
        ),
        (
            [allow("iam:PassRole"), deny("*", Condition={"Bool": {"aws:SecureTransport": "false"}})],
            None,
            ("any_service", False, [("pass_role_any_service", "high")]),
        ),
        (
            [allow("iam:PassRole", Condition={"Bool": {"aws:SecureTransport": "true"}})],
            None,
            ("any_service", False, [("pass_role_any_service", "high")]),
        ),
        # ... but not under a condition (undecided: conditional, medium).
        (
            [allow("*", Condition=NOWHERE)],
            None,
            ("conditional", False, [("pass_role_conditional", "medium")]),
        ),
        # An administrator's boundary: held to ECS, nothing; only iam:*, high; "*" on "*", still one.
        ([allow("*")], [allow("s3:*"), allow("iam:PassRole", Condition=TO_ECS)], ("ecs_only", False, [])),
        ([allow("*")], [allow("iam:*")], ("any_service", False, [("pass_role_any_service", "high")])),
        ([allow("*")], [allow("*")], ("any_service", True, [("pass_role_administrators", "low")])),
        # An administrator's Deny: all of PassRole, not listed; all but ECS, ecs_only; one service, high.
        ([allow("*"), deny("iam:PassRole")], None, None),
        ([allow("*"), deny("iam:PassRole", Condition=NOT_ECS)], None, ("ecs_only", False, [])),
        (
            [
                allow("*"),
                deny("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}),
            ],
            None,
            ("any_service", False, [("pass_role_any_service", "high")]),
        ),
    ],
)
def test_severity_follows_what_the_principal_can_do(statements, boundary, expected):
    policies = [managed("P", *statements)]
    if boundary is not None:
        policies.append(managed("B", *boundary))
    account = details(users=[user("u", managed_names=["P"], boundary="B" if boundary else None)], policies=policies)
    found = _pass_role_exposure.pass_role_principals(account, ROLE_ARN)
    findings = _pass_role_exposure.exposure_findings(found, "ecsInfrastructureRole")
    if expected is None:
        assert found == [] and findings == []
        return
    classification, administrator, codes = expected
    assert [(p["classification"], p["administrator"]) for p in found] == [(classification, administrator)]
    assert [(f["code"], f["severity"]) for f in findings] == codes


def test_administrators_are_one_low_finding_naming_them_all():
    account = details(
        users=[user("alice", managed_names=["Admin"]), user("ci", [inline("i", allow("iam:PassRole"))])],
        groups=[{"GroupName": "admins", "Arn": "g", "GroupPolicyList": [inline("all", allow("*"))]}],
        roles=[
            {
                "RoleName": "OrganizationAccountAccessRole",
                "Arn": "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole",
                "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN_ARN}],
            }
        ],
        policies=[managed("Admin", allow("*")), aws_managed(ADMIN_ARN, allow("*"))],
    )
    found = _pass_role_exposure.pass_role_principals(account, ROLE_ARN)
    assert [(p["name"], p["administrator"]) for p in found] == [
        ("admins", True),
        ("OrganizationAccountAccessRole", True),
        ("alice", True),
        ("ci", False),
    ]
    findings = _pass_role_exposure.exposure_findings(found, "ecsInfrastructureRole")
    assert [(f["code"], f["severity"]) for f in findings] == [
        ("pass_role_any_service", "high"),
        ("pass_role_administrators", "low"),
    ]
    assert findings[0]["message"] == (
        "user ci can pass role ecsInfrastructureRole to services other than ecs.amazonaws.com: "
        "inline policy i of user ci."
    )
    # The principals each finding is about, by ARN: what accepted principals and baselines match on.
    assert findings[0]["principals"] == ["arn:aws:iam::123456789012:user/ci"]
    assert findings[1]["principals"] == [
        "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole",
        "arn:aws:iam::123456789012:user/alice",
        "g",
    ]
    assert findings[1]["message"] == (
        "3 administrators of the account can pass role ecsInfrastructureRole to any service, as administrators "
        "can (an unconditional Allow of * on *, not held back by a boundary or a Deny): group admins (inline "
        "policy all of group admins); role OrganizationAccountAccessRole (managed policy "
        + ADMIN_ARN
        + "); user alice "
        "(managed policy " + POLICY.format("Admin") + "). Check that each should administer the account."
    )


@pytest.mark.parametrize(
    "role_policies,attached_arns,codes",
    [
        # AdministratorAccess on the infrastructure role: overprivileged_managed_policy, once (issue 18).
        (
            {"AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN_ARN}]},
            [ADMIN_ARN],
            ["overprivileged_managed_policy"],
        ),
        # Administrator through its own inline policy: no attachment finding, so the summary names it.
        ({"RolePolicyList": [inline("all", allow("*"))]}, [], ["pass_role_administrators"]),
        ({"RolePolicyList": [inline("pass", allow("iam:PassRole"))]}, [], ["pass_role_any_service"]),
    ],
)
def test_the_infrastructure_role_itself_is_one_finding(role_policies, attached_arns, codes):
    role = dict({"RoleName": "ecsInfrastructureRole", "Arn": ROLE_ARN}, **role_policies)
    account = details(roles=[role], policies=[aws_managed(ADMIN_ARN, allow("*"))])
    found = _pass_role_exposure.pass_role_principals(account, ROLE_ARN)
    assert [p["name"] for p in found] == ["ecsInfrastructureRole"]
    findings = _role_findings.attachment_findings(attached_arns, "aws")
    findings += _pass_role_exposure.exposure_findings(found, "ecsInfrastructureRole")
    assert [f["code"] for f in findings] == codes
