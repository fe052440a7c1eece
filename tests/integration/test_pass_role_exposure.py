# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who can assume the role and who can pass it, through ecs_infrastructure_role_info on a real
moto_server: the account of issue 11 (a GitHub OIDC and a SAML way into the trust policy; a user
with PassRole on *, a group allowed iam:Pass* on every role and its member, an administrator) and
their scoped counterparts (an ECS-only user, an explicitly denied group, a role held to ECS by its
permissions boundary, a user allowed only under a region condition)."""

import json

from expected import TRUST_ECS

INFO = "ecs_tools.iam.ecs_infrastructure_role_info"
MODULE = "ecs_tools.iam.ecs_infrastructure_role"
ROLE = "ecsInfrastructureRole"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ECS = "ecs.amazonaws.com"
OIDC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
SAML = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp-idp"

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        # The documented statement, narrowed to this account: not a finding.
        dict(TRUST_ECS["Statement"][0], Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}}),
        {
            "Sid": "GitHubActions",
            "Effect": "Allow",
            "Principal": {"Federated": OIDC},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:example/*"}},
        },
        {
            "Effect": "Allow",
            "Principal": {"Federated": SAML},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        },
    ],
}


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action="iam:PassRole", resource="*", **kw):
    return dict({"Effect": "Allow", "Action": action, "Resource": resource}, **kw)


def build_account(iam):
    """The principals of issue 11, and their scoped counterparts."""
    # Any service: an inline PassRole on * with no condition.
    iam.create_user(UserName="ci-inline")
    iam.put_user_policy(UserName="ci-inline", PolicyName="passrole-anything", PolicyDocument=document(allow()))
    # Any service through a group: a managed policy allowing iam:Pass* on every role of the account.
    pass_all = iam.create_policy(
        PolicyName="PassEveryRole",
        PolicyDocument=document(allow("iam:Pass*", f"arn:aws:iam::{ACCOUNT}:role/*")),
    )["Policy"]["Arn"]
    iam.create_group(GroupName="deployers")
    iam.attach_group_policy(GroupName="deployers", PolicyArn=pass_all)
    iam.create_user(UserName="dave")
    iam.add_user_to_group(GroupName="deployers", UserName="dave")
    # An administrator.
    iam.create_user(UserName="admin")
    iam.attach_user_policy(UserName="admin", PolicyArn=ADMIN)
    # ECS only: the documented condition.
    iam.create_user(UserName="ecs-deployer")
    iam.put_user_policy(
        UserName="ecs-deployer",
        PolicyName="pass-infra-role-to-ecs",
        PolicyDocument=document(allow(resource=ROLE_ARN, Condition={"StringEquals": {"iam:PassedToService": ECS}})),
    )
    # Denied explicitly: a group of administrators with a Deny on iam:PassRole, and its member.
    iam.create_group(GroupName="no-passrole")
    iam.attach_group_policy(GroupName="no-passrole", PolicyArn=ADMIN)
    iam.put_group_policy(
        GroupName="no-passrole",
        PolicyName="deny-passrole",
        PolicyDocument=document({"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}),
    )
    iam.create_user(UserName="eve")
    iam.add_user_to_group(GroupName="no-passrole", UserName="eve")
    # A role allowed everything, held to ECS by its permissions boundary.
    boundary = iam.create_policy(
        PolicyName="PassOnlyToEcs",
        PolicyDocument=document(
            allow("s3:*"), allow(Condition={"StringEquals": {"iam:PassedToService": ECS}}, resource=ROLE_ARN)
        ),
    )["Policy"]["Arn"]
    iam.create_role(
        RoleName="bounded-pipeline",
        AssumeRolePolicyDocument=document(
            {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
        PermissionsBoundary=boundary,
    )
    iam.attach_role_policy(RoleName="bounded-pipeline", PolicyArn=ADMIN)
    # Conditional: a condition the evaluator cannot decide.
    iam.create_user(UserName="regional")
    iam.put_user_policy(
        UserName="regional",
        PolicyName="passrole-in-eu",
        PolicyDocument=document(
            allow(resource=ROLE_ARN, Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})
        ),
    )
    # Nothing to do with PassRole.
    iam.create_user(UserName="reader")
    iam.attach_user_policy(UserName="reader", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")


VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"


def existing_role(iam, trust=None):
    """The infrastructure role as an account already holds it (the info module audits whatever is there),
    trusting ``trust`` (the documented trust policy by default): made with boto3, not with a module run
    of its own, which would cost an ansible-playbook start."""
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust or TRUST_ECS))
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=VOLUMES)


def by_name(result):
    return {p["name"]: p for p in result["pass_role_principals"]}


def test_issue_11_account(runner, aws, server):
    iam = aws("iam")
    existing_role(iam, TRUST)
    build_account(iam)
    with server.recording() as rec:
        result = runner.one(_module=INFO, check_usage=False)
    assert result.get("failed") is not True, result.get("msg")
    print("pass_role_principals:\n" + json.dumps(result["pass_role_principals"], indent=1, sort_keys=True))
    print("findings:\n" + json.dumps(result["findings"], indent=1, sort_keys=True))

    # One paginated authorization read, no write; the inline-grant scan reuses it.
    assert rec.writes == []
    assert rec.actions("iam").count("GetAccountAuthorizationDetails") == 1

    principals = by_name(result)
    assert [(p["type"], p["name"]) for p in result["pass_role_principals"]] == [
        ("group", "deployers"),
        ("role", "bounded-pipeline"),
        ("user", "admin"),
        ("user", "ci-inline"),
        ("user", "dave"),
        ("user", "ecs-deployer"),
        ("user", "regional"),
    ]
    assert {n: p["classification"] for n, p in principals.items()} == {
        "deployers": "any_service",
        "bounded-pipeline": "ecs_only",
        "admin": "any_service",
        "ci-inline": "any_service",
        "dave": "any_service",
        "ecs-deployer": "ecs_only",
        "regional": "conditional",
    }
    # AdministratorAccess held to ECS by a permissions boundary is not an administrator (issue 18).
    assert [n for n, p in principals.items() if p["administrator"]] == ["admin"]
    assert principals["ci-inline"]["grants"] == [
        {"policy_name": "passrole-anything", "policy_arn": None, "via": "inline", "classification": "any_service"}
    ]
    assert principals["dave"]["grants"] == [
        {
            "policy_name": "PassEveryRole",
            "policy_arn": f"arn:aws:iam::{ACCOUNT}:policy/PassEveryRole",
            "via": "group",
            "group": "deployers",
            "classification": "any_service",
        }
    ]
    assert principals["deployers"]["grants"][0]["via"] == "managed"
    assert principals["admin"]["grants"][0]["policy_arn"] == ADMIN
    assert principals["admin"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/admin"
    assert [(c["operator"], c["key"], c["values"]) for c in principals["regional"]["conditions"]] == [
        ("StringEquals", "aws:RequestedRegion", ["eu-west-1"])
    ]
    assert "eve" not in principals and "no-passrole" not in principals and "reader" not in principals

    findings = sorted((f["code"], f["severity"]) for f in result["findings"])
    assert findings == [
        ("pass_role_administrators", "low"),
        ("pass_role_any_service", "high"),
        ("pass_role_any_service", "high"),
        ("pass_role_any_service", "high"),
        ("pass_role_conditional", "medium"),
        ("trust_extra_principal", "high"),
        ("trust_extra_principal", "high"),
    ]
    messages = [f["message"] for f in result["findings"]]
    trust = [m for m in messages if m.startswith("Trust policy")]
    assert OIDC in trust[0] and "sts:AssumeRoleWithWebIdentity" in trust[0]
    assert SAML in trust[1] and "sts:AssumeRoleWithSAML" in trust[1] and "sts:TagSession" in trust[1]
    assert any("user ci-inline" in m and "inline policy passrole-anything of user ci-inline" in m for m in messages)
    assert any("user dave" in m and "PassEveryRole of group deployers" in m for m in messages)
    assert (
        "1 administrator of the account can pass role ecsInfrastructureRole to any service, as administrators "
        "can (an unconditional Allow of * on *, not held back by a boundary or a Deny): user admin (managed "
        f"policy {ADMIN}). Check that each should administer the account."
    ) in messages
    assert not any("ecs-deployer" in m or "bounded-pipeline" in m for m in messages)


def build_issue_18_account(iam):
    """Administrators as real accounts have them, and principals that can pass the role in other shapes."""
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=ADMIN)  # the infrastructure role itself
    iam.create_role(
        RoleName="OrganizationAccountAccessRole",
        AssumeRolePolicyDocument=document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ),
    )
    iam.attach_role_policy(RoleName="OrganizationAccountAccessRole", PolicyArn=ADMIN)
    iam.create_user(UserName="admin")
    iam.attach_user_policy(UserName="admin", PolicyArn=ADMIN)
    iam.create_group(GroupName="platform-admins")
    iam.put_group_policy(GroupName="platform-admins", PolicyName="everything", PolicyDocument=document(allow("*:*")))
    # Not administrators, and each can pass the role to any service: high, whatever the shape.
    shapes = {
        "iam-star": allow("iam:*"),
        "pass-star": allow("iam:Pass*"),
        "not-action": {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
        "star-on-role": allow("*", ROLE_ARN),
    }
    for name, statement in shapes.items():
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="shape", PolicyDocument=document(statement))
    # ECS only, written in ways release 1.1.0 got wrong: upper case with IgnoreCase; 16 patterns.
    iam.create_user(UserName="upper-case")
    iam.put_user_policy(
        UserName="upper-case",
        PolicyName="to-ecs",
        PolicyDocument=document(
            allow(Condition={"StringEqualsIgnoreCase": {"iam:PassedToService": "ECS.AMAZONAWS.COM"}})
        ),
    )
    allowed = [ECS] + [f"svc{i}?x*" for i in range(8)] + [f"*.team{i}.c?m" for i in range(7)]
    denied = [f"svc{i}?*" for i in range(8)] + [f"*team{i}*" for i in range(8)]
    iam.create_user(UserName="many-patterns")
    iam.put_user_policy(
        UserName="many-patterns",
        PolicyName="patterns",
        PolicyDocument=document(
            allow(Condition={"StringLike": {"iam:PassedToService": allowed}}),
            {
                "Effect": "Deny",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringLike": {"iam:PassedToService": denied}},
            },
        ),
    )
    return sorted(shapes)


def test_issue_18_administrators_are_one_low_finding_and_every_other_shape_is_high(runner, aws, server):
    iam = aws("iam")
    existing_role(iam)
    shapes = build_issue_18_account(iam)
    before = iam.get_account_authorization_details()
    with server.recording() as rec:
        result = runner.one(_module=INFO, check_usage=False)
    assert result.get("failed") is not True, result.get("msg")
    print("findings:\n" + json.dumps(result["findings"], indent=1, sort_keys=True))
    assert rec.writes == []
    after = iam.get_account_authorization_details()
    assert [before[k] for k in sorted(before) if k != "ResponseMetadata"] == [
        after[k] for k in sorted(after) if k != "ResponseMetadata"
    ]

    principals = by_name(result)
    assert {n: (p["classification"], p["administrator"]) for n, p in principals.items()} == {
        "platform-admins": ("any_service", True),
        ROLE: ("any_service", True),
        "OrganizationAccountAccessRole": ("any_service", True),
        "admin": ("any_service", True),
        "iam-star": ("any_service", False),
        "not-action": ("any_service", False),
        "pass-star": ("any_service", False),
        "star-on-role": ("any_service", False),
        "upper-case": ("ecs_only", False),
        "many-patterns": ("ecs_only", False),
    }
    findings = [(f["code"], f["severity"]) for f in result["findings"]]
    # AdministratorAccess on the role itself: one finding (overprivileged_managed_policy), not two.
    assert sorted(findings) == sorted(
        [("overprivileged_managed_policy", "medium"), ("pass_role_administrators", "low")]
        + [("pass_role_any_service", "high")] * len(shapes)
    )
    high = [f["message"] for f in result["findings"] if f["code"] == "pass_role_any_service"]
    assert [m.split(" can pass")[0] for m in high] == ["user " + name for name in shapes]
    (administrators,) = [f["message"] for f in result["findings"] if f["code"] == "pass_role_administrators"]
    assert administrators == (
        "3 administrators of the account can pass role ecsInfrastructureRole to any service, as administrators "
        "can (an unconditional Allow of * on *, not held back by a boundary or a Deny): group platform-admins "
        "(inline policy everything of group platform-admins); role OrganizationAccountAccessRole (managed "
        f"policy {ADMIN}); user admin (managed policy {ADMIN}). Check that each should administer the account."
    )
    assert not any("upper-case" in m or "many-patterns" in m for m in high + [administrators])


def test_the_documented_setup_has_no_exposure_finding_and_converging_does_not_read_it(keyed, aws):
    """The documented setup (the module's own ECS-only grant to a user and a group): the info module
    finds nothing and lists both as ecs_only; a converged module run does not pay for the exposure
    read (no GetAccountAuthorizationDetails: five reads at most)."""
    iam = aws("iam")
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="ops")
    args = dict(_module=MODULE, capabilities=["volumes"], pass_role={"users": ["alice"], "groups": ["ops"]})
    first = keyed.run([dict(args, _name="create")]).results["create"]
    assert first["changed"] is True and not first.get("failed"), first.get("msg")
    run = keyed.run(
        [dict(args, _name="converge"), {"_name": "info", "_module": INFO, "check_usage": False}], record=True
    )

    converged = run.results["converge"]
    assert converged["changed"] is False and not converged.get("failed"), converged.get("msg")
    calls = run.actions("converge")
    print(f"converged run calls: {calls}")
    assert "GetAccountAuthorizationDetails" not in calls
    assert len(calls) <= 5
    assert "GetAccountAuthorizationDetails" in run.actions("info")  # the exposure read is the info module's

    result = run.results["info"]
    assert not result.get("failed"), result.get("msg")
    assert result["findings"] == []
    assert [(p["type"], p["name"], p["classification"]) for p in result["pass_role_principals"]] == [
        ("group", "ops", "ecs_only"),
        ("user", "alice", "ecs_only"),
    ]
    assert result["pass_role"]["users"] == ["alice"] and result["pass_role"]["groups"] == ["ops"]
