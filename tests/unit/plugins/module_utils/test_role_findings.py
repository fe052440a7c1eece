# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


import pytest
from iam_shapes import ECS
from iam_shapes import ROLE_ARN
from iam_shapes import allow
from iam_shapes import doc

from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
from ansible_collections.ecs_tools.iam.plugins.module_utils import _findings
from ansible_collections.ecs_tools.iam.plugins.module_utils import _role_findings

ECS_STATEMENT = _documents.TRUST_POLICY["Statement"][0]


def trust(*extra):
    return doc(ECS_STATEMENT, *extra)


def trusted(principal, action="sts:AssumeRole", **kw):
    return dict({"Effect": "Allow", "Principal": principal, "Action": action}, **kw)


@pytest.mark.parametrize(
    "document,codes,named",
    [
        (_documents.TRUST_POLICY, [], []),
        (doc(dict(ECS_STATEMENT, Principal={"Service": [ECS]}, Action=["sts:assumerole"])), [], []),
        (doc(dict(ECS_STATEMENT, Condition={"StringEquals": {"aws:SourceAccount": "123456789012"}})), [], []),
        (
            doc(trusted({"Service": "ec2.amazonaws.com"})),
            ["trust_missing_ecs", "trust_extra_principal"],
            ["Service ec2.amazonaws.com", "sts:AssumeRole"],
        ),
        (trust(trusted({"AWS": "arn:aws:iam::999999999999:root"})), ["trust_extra_principal"], ["999999999999"]),
        (trust(trusted("*")), ["trust_extra_principal"], ["lets * into"]),
        (trust(trusted({"AWS": "*"})), ["trust_extra_principal"], ["lets * into"]),
        (
            trust(
                trusted(
                    {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
                    "sts:AssumeRoleWithWebIdentity",
                )
            ),
            ["trust_extra_principal"],
            ["Federated arn:aws:iam::123456789012:oidc-provider/", "sts:AssumeRoleWithWebIdentity"],
        ),
        (
            trust(trusted({"Federated": "arn:aws:iam::123456789012:saml-provider/idp"}, "sts:AssumeRoleWithSAML")),
            ["trust_extra_principal"],
            ["saml-provider/idp", "sts:AssumeRoleWithSAML"],
        ),
        (trust(trusted({"Service": "ecs-tasks.amazonaws.com"})), ["trust_extra_principal"], ["ecs-tasks"]),
        (
            doc(dict(ECS_STATEMENT, Principal={"Service": [ECS, "lambda.amazonaws.com"]})),
            ["trust_extra_principal"],
            ["Service lambda.amazonaws.com"],
        ),
        (trust(trusted({"Service": ECS}, "sts:TagSession")), ["trust_extra_action"], ["sts:TagSession"]),
        (trust(trusted({"Service": ECS}, "sts:SetSourceIdentity")), ["trust_extra_action"], ["sts:SetSourceIdentity"]),
        (doc(dict(ECS_STATEMENT, Action="sts:*")), ["trust_extra_action"], ["sts:*"]),
        (
            trust({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole"}),
            ["trust_extra_principal"],
            ["everyone except"],
        ),
        (
            trust({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "NotAction": "sts:TagSession"}),
            ["trust_extra_principal"],
            ["every action except sts:TagSession"],
        ),
        (trust({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}), ["trust_missing_ecs"], []),
        (trust({"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:*"}), [], []),
        (doc(), ["trust_missing_ecs"], []),
    ],
)
def test_trust_findings(document, codes, named):
    found = _role_findings.trust_findings(document)
    assert [f["code"] for f in found] == codes
    messages = " ".join(f["message"] for f in found)
    for text in named:
        assert text in messages
    for f in found:
        assert f["severity"] == _findings.SEVERITY[f["code"]]


@pytest.mark.parametrize(
    "document,principals",
    [
        (trust(trusted({"AWS": "arn:aws:iam::999999999999:root"})), [["arn:aws:iam::999999999999:root"]]),
        (
            doc(dict(ECS_STATEMENT, Principal={"Service": [ECS, "lambda.amazonaws.com"]})),
            [["lambda.amazonaws.com"]],
        ),
        (
            trust(trusted({"AWS": ["arn:aws:iam::1:role/b", "arn:aws:iam::1:role/a"], "Service": "ec2.amazonaws.com"})),
            [["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b", "ec2.amazonaws.com"]],
        ),
        (trust(trusted("*")), [["*"]]),
        # everyone but some: no principal that could be accepted by name
        (
            trust({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole"}),
            [["*"]],
        ),
        # about no principal
        (trust(trusted({"Service": ECS}, "sts:TagSession")), [[]]),
        (doc(), [[]]),
    ],
)
def test_trust_findings_name_their_principals(document, principals):
    assert [f["principals"] for f in _role_findings.trust_findings(document)] == principals


def test_trust_findings_one_per_statement():
    document = trust(trusted({"AWS": "arn:aws:iam::999999999999:root"}), trusted({"Service": "ec2.amazonaws.com"}))
    found = _role_findings.trust_findings(document)
    assert [f["code"] for f in found] == ["trust_extra_principal", "trust_extra_principal"]
    assert "statement 2" in found[0]["message"] and "statement 3" in found[1]["message"]


def test_attachment_findings_flag_other_aws_managed_policies_only():
    arns = [
        "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::123456789012:policy/Custom",
    ]
    found = _role_findings.attachment_findings(arns, "aws")
    assert [f["code"] for f in found] == ["overprivileged_managed_policy"]
    assert "AdministratorAccess" in found[0]["message"]


def test_grant_findings():
    assert _role_findings.grant_findings([_documents.passrole_document(ROLE_ARN)], "policy P") == []
    loose = doc(allow("iam:PassRole"))
    assert [f["code"] for f in _role_findings.grant_findings([loose], "policy P")] == [
        "pass_role_without_condition",
        "pass_role_wildcard_resource",
    ]


def denied(**kw):
    return dict({"Effect": "Deny", "Action": "sts:AssumeRole"}, **kw)


@pytest.mark.parametrize(
    "document,codes,named",
    [
        # Deny with NotPrincipal applies to everyone but the principals it names: ECS included
        (trust(denied(NotPrincipal={"AWS": "arn:aws:iam::1:root"})), ["trust_missing_ecs"], ["statement 2 denies"]),
        (trust(denied(NotPrincipal={"Service": "ec2.amazonaws.com"})), ["trust_missing_ecs"], []),
        (
            trust(denied(Sid="Lockout", NotPrincipal={"AWS": ["arn:aws:iam::1:root"]})),
            ["trust_missing_ecs"],
            ["'Lockout'"],
        ),
        (trust(denied(NotPrincipal={"Service": ECS})), [], []),
        (trust(denied(NotPrincipal={"Service": [ECS, "ec2.amazonaws.com"]})), [], []),
        (trust(denied(NotPrincipal={"AWS": "arn:aws:iam::1:root"}, Action="sts:TagSession")), [], []),
        (trust(denied(NotPrincipal={"AWS": "x"}, Condition={"Bool": {"aws:SecureTransport": "false"}})), [], []),
        (trust(denied(Principal={"Service": ECS})), ["trust_missing_ecs"], []),
        (trust(denied(Principal={"AWS": "*"}, Action="sts:*")), ["trust_missing_ecs"], []),
        (trust(denied(Principal={"Service": "ec2.amazonaws.com"})), [], []),
        # an Allow with NotPrincipal lets ECS in (and everyone else: one finding for that)
        (
            doc({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole"}),
            ["trust_extra_principal"],
            ["everyone except"],
        ),
    ],
)
def test_trust_deny_and_not_principal(document, codes, named):
    found = _role_findings.trust_findings(document)
    assert [f["code"] for f in found] == codes
    for text in named:
        assert text in " ".join(f["message"] for f in found)


ACCOUNT = "123456789012"


def ecs_when(condition):
    return doc(dict(ECS_STATEMENT, Condition=condition))


@pytest.mark.parametrize(
    "document,codes,hardened",
    [
        (_documents.TRUST_POLICY, [], False),
        (ecs_when({"StringEquals": {"aws:SourceAccount": ACCOUNT}}), [], True),
        (ecs_when({"ArnLike": {"aws:SourceArn": f"arn:aws:ecs:*:{ACCOUNT}:*"}}), [], True),
        (ecs_when({"StringEquals": {"aws:SourceAccount": "999999999999"}}), ["trust_missing_ecs"], False),
        (ecs_when({"ArnLike": {"aws:SourceArn": "arn:aws:ecs:*:999999999999:*"}}), ["trust_missing_ecs"], False),
        (ecs_when({"StringEquals": {"aws:PrincipalOrgID": "o-1"}}), [], False),
        # a second, unrestricted ECS statement still lets ECS in
        (
            doc(dict(ECS_STATEMENT, Condition={"StringEquals": {"aws:SourceAccount": "999999999999"}}), ECS_STATEMENT),
            [],
            False,
        ),
    ],
)
def test_trust_hardening_findings_and_flag(document, codes, hardened):
    found = _role_findings.trust_findings(document, "aws", ACCOUNT)
    assert [f["code"] for f in found] == codes
    assert _role_findings.trust_hardened(document, "aws", ACCOUNT) is hardened
    if codes:
        assert "999999999999" in found[0]["message"] and "does not name this account " + ACCOUNT in found[0]["message"]
        assert found[0]["severity"] == "high"
    # without the account the conditions only narrow the documented statement (as before)
    assert _role_findings.trust_findings(document) == []
