# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import os
import re

import pytest

from ansible_collections.ecs_tools.iam.plugins.module_utils import _analysis
from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents

ROLE_ARN = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"
ECS = "ecs.amazonaws.com"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, **kw):
    return dict({"Effect": "Allow", "Action": action, "Resource": "*"}, **kw)


VOLUME = "arn:aws:ec2:*:*:volume/*"
INSTANCE = "arn:aws:ec2:*:*:instance/*"
NOWHERE = {"StringEquals": {"aws:RequestedRegion": "nowhere-1"}}


def deny(action, **kw):
    return dict({"Effect": "Deny", "Action": action, "Resource": "*"}, **kw)


@pytest.mark.parametrize(
    "documents,keeps",
    [
        # Wildcards in actions, Resource "*".
        ([doc(allow("ec2:*Volume*"))], True),
        ([doc(allow("ec2:*"))], True),
        ([doc(allow("*"))], True),
        ([doc(allow(["ec2:DetachVolume", "ec2:DeleteVolume"])), doc(allow("ec2:Describe*"))], True),
        ([doc(allow("EC2:detachvolume"), allow("ec2:deletevolume"), allow("ec2:describevolumes"))], True),
        ([doc(allow("ec2:*Volume?"))], False),  # DetachVolume has nothing after "Volume"
        ([doc(allow("ec2:Det*"), allow("ec2:Del*"))], False),
        ([doc(allow(["ec2:DetachVolume", "ec2:DeleteVolume"]))], False),
        ([], False),
        # NotAction.
        ([doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})], True),
        ([doc({"Effect": "Allow", "NotAction": "ec2:*", "Resource": "*"})], False),
        ([doc({"Effect": "Allow", "NotAction": "ec2:DeleteVolume", "Resource": "*"})], False),
        # Conditions: any condition makes an Allow not count (issue 10, case 6).
        ([doc(allow("ec2:*", Condition=NOWHERE))], False),
        ([doc(allow("ec2:*Volume*", Condition={"Bool": {"aws:SecureTransport": "true"}}))], False),
        ([doc(allow("ec2:*Volume*", Condition=NOWHERE), allow("ec2:*Volume*"))], True),
        # Resource scoping: every volume (and, for DetachVolume, every instance); DescribeVolumes only on *.
        (
            [doc(allow(["ec2:DetachVolume", "ec2:DeleteVolume"], Resource=[VOLUME, INSTANCE]), allow("ec2:Describe*"))],
            None,
        ),
        ([doc(allow(["ec2:DetachVolume", "ec2:DeleteVolume"], Resource=VOLUME), allow("ec2:Describe*"))], False),
        ([doc(allow("ec2:*Volume*", Resource=[VOLUME, INSTANCE]))], False),  # DescribeVolumes needs "*"
        ([doc(allow("ec2:*Volume*", Resource="arn:aws:ec2:*:*:volume/vol-0123"), allow("ec2:Describe*"))], False),
        ([doc(allow("ec2:*Volume*", Resource="arn:aws:ec2:eu-west-1:*:*"), allow("ec2:Describe*"))], False),
        ([doc(allow("ec2:*", Resource="arn:*:ec2:*:*:*"), allow("ec2:Describe*"))], True),
        ([doc({"Effect": "Allow", "Action": "ec2:*", "NotResource": "arn:aws:s3:::*"})], True),
        ([doc({"Effect": "Allow", "Action": "ec2:*", "NotResource": "arn:aws:ec2:*:*:volume/vol-0123"})], False),
        (
            [doc(allow("ec2:*Volume*", Resource="arn:aws:ec2:*:*:volume/${aws:username}"), allow("ec2:Describe*"))],
            False,
        ),
        # Deny: any Deny that may reach a volume takes the action away, with a condition too.
        ([doc(allow("ec2:*"), deny("ec2:DeleteVolume"))], False),
        ([doc(allow("ec2:*")), doc(deny("ec2:Detach*", Condition=NOWHERE))], False),
        ([doc(allow("ec2:*"), deny("ec2:*", Resource="arn:aws:ec2:*:*:instance/*"))], False),  # DetachVolume
        ([doc(allow("ec2:*"), deny("ec2:DeleteVolume", Resource="arn:aws:ec2:*:*:volume/vol-0123"))], False),
        ([doc(allow("ec2:*"), deny("ec2:DescribeVolumes"))], False),
        ([doc(allow("ec2:*"), deny("ec2:TerminateInstances"))], True),
        ([doc(allow("ec2:*"), deny("ec2:*", Resource="arn:aws:s3:::bucket/*"))], True),
        ([doc(allow("ec2:*"), {"Effect": "Deny", "NotAction": "ec2:*", "Resource": "*"})], True),
        ([doc(allow("ec2:*"), {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"})], False),
        (
            [doc(allow("ec2:*"), {"Effect": "Deny", "Action": "ec2:*", "NotResource": "arn:aws:ec2:*:*:volume/*"})],
            False,
        ),
        ([doc(allow("ec2:*"), {"Effect": "Deny", "Action": "ec2:*", "NotResource": "*"})], True),
    ],
)
def test_keeps_volume_actions(documents, keeps):
    """The role's own policies (no Volumes policy, no boundary): ``volume_blockers`` is empty exactly
    when they keep the three actions for ECS."""
    if keeps is None:
        # The partition-qualified wildcard counts in its partition only.
        assert volume_blockers(documents) == []
        assert volume_blockers(documents, partition="aws-cn") != []
    else:
        assert (volume_blockers(documents) == []) is keeps


def test_keeps_volume_actions_for_an_account():
    scoped = "arn:aws:ec2:*:123456789012:{0}/*"
    documents = [
        doc(
            allow("ec2:*Volume*", Resource=[scoped.format("volume"), scoped.format("instance")]),
            allow("ec2:DescribeVolumes"),
        )
    ]
    assert volume_blockers(documents) == []
    assert volume_blockers(documents, account_id="999999999999") != []


# ---------------------------------------------------------------- the in-use guard asks the evaluator

ACCOUNT = "123456789012"
VOLUMES_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
LATTICE_POLICY = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice"
BOUNDARY = "arn:aws:iam::123456789012:policy/Boundary"
DENIER = "arn:aws:iam::123456789012:policy/NoVolumeCleanup"
KEEPER = "arn:aws:iam::123456789012:policy/KeepVolumeCleanup"
ACTIONS = ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"]
MAY_DENY_ALL = (
    "policy arn:aws:iam::123456789012:policy/NoVolumeCleanup may deny {0} (under a condition or on resources "
    "the module cannot decide)".format(", ".join(ACTIONS))
)
ELSEWHERE = {"StringEquals": {"aws:PrincipalTag/team": "storage"}}
# AWS's own AmazonECSInfrastructureRolePolicyForVolumes (v5), as a security team would copy it into a
# boundary or a customer policy: its conditions on the volume's ECS tags hold for ECS's requests.
AWS_VOLUMES_COPY = doc(
    {"Effect": "Allow", "Action": ["ec2:DescribeVolumes", "ec2:DescribeAvailabilityZones"], "Resource": "*"},
    {
        "Effect": "Allow",
        "Action": ["ec2:AttachVolume", "ec2:DetachVolume"],
        "Resource": "arn:aws:ec2:*:*:volume/*",
        "Condition": {"StringEquals": {"aws:ResourceTag/AmazonECSManaged": "true"}},
    },
    {"Effect": "Allow", "Action": ["ec2:AttachVolume", "ec2:DetachVolume"], "Resource": "arn:aws:ec2:*:*:instance/*"},
    {
        "Effect": "Allow",
        "Action": "ec2:DeleteVolume",
        "Resource": "arn:aws:ec2:*:*:volume/*",
        "Condition": {
            "ArnLike": {"aws:ResourceTag/AmazonECSCreated": "arn:aws:ecs:*:*:task/*"},
            "StringEquals": {"aws:ResourceTag/AmazonECSManaged": "true"},
        },
    },
)
S3_ONLY = doc(allow("s3:*"))
UNDECIDED = " (under a condition or on resources the module cannot decide)"
NO_ECS_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})


def role(attached=(VOLUMES_POLICY,), boundary="", trust=None):
    return {
        "role_name": "ecsInfrastructureRole",
        "attached_policies": list(attached),
        "permissions_boundary": boundary,
        "assume_role_policy_document": trust or _documents.trust_policy(),
    }


def volume_blockers(documents, partition="aws", account_id=ACCOUNT):
    """The blockers of a role holding ``documents`` as customer managed policies, and nothing else."""
    arns = [f"arn:{partition}:iam::{ACCOUNT}:policy/P{i}" for i in range(len(documents))]
    state = role(arns)
    return _analysis.volume_blockers(state, dict(zip(arns, documents, strict=True)), [], partition, account_id)


def phrases(state, documents=None, inline=()):
    found = _analysis.volume_blockers(state, documents or {}, list(inline), "aws", ACCOUNT)
    return _analysis.describe_blockers(found)


@pytest.mark.parametrize(
    "state,documents,inline,expected",
    [
        # The Volumes policy counts by its ARN: its contents are AWS's, never read.
        (role(), {}, [], []),
        (role([VOLUMES_POLICY, LATTICE_POLICY]), {}, [], []),
        # A boundary without the volume actions, and one with them.
        (
            role(boundary=BOUNDARY),
            {BOUNDARY: S3_ONLY},
            [],
            ["permissions_boundary {0} allows none of {1}".format(BOUNDARY, ", ".join(ACTIONS))],
        ),
        (role(boundary=BOUNDARY), {BOUNDARY: doc(allow("ec2:*Volume*"))}, [], []),
        (role(boundary=BOUNDARY), {BOUNDARY: AWS_VOLUMES_COPY}, [], []),
        (role(boundary=VOLUMES_POLICY), {}, [], []),
        (
            role(boundary=BOUNDARY),
            {BOUNDARY: doc(allow("ec2:*", Condition=NOWHERE))},
            [],
            [
                "permissions_boundary {0} allows {1} only under conditions or on some volumes".format(
                    BOUNDARY, ", ".join(ACTIONS)
                )
            ],
        ),
        (
            role(boundary=BOUNDARY),
            {BOUNDARY: doc(allow("ec2:*"), deny("ec2:DeleteVolume"))},
            [],
            [f"permissions_boundary {BOUNDARY} denies ec2:DeleteVolume"],
        ),
        (
            role(boundary=BOUNDARY),
            {BOUNDARY: None},
            [],
            ["permissions_boundary {0} could not be read: it may take away {1}".format(BOUNDARY, ", ".join(ACTIONS))],
        ),
        # A managed policy that denies the actions, surely or maybe.
        (
            role([VOLUMES_POLICY, DENIER]),
            {DENIER: doc(deny(["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"]))},
            [],
            ["policy {0} denies {1}".format(DENIER, ", ".join(ACTIONS))],
        ),
        (
            role([VOLUMES_POLICY, DENIER]),
            {DENIER: doc(deny("ec2:DeleteVolume", Resource="arn:aws:ec2:*:*:volume/vol-0123"))},
            [],
            [f"policy {DENIER} may deny ec2:DeleteVolume{UNDECIDED}"],
        ),
        (
            role([VOLUMES_POLICY, DENIER]),
            {DENIER: doc(deny("ec2:*", Condition={"StringEquals": {"aws:ResourceTag/AmazonECSManaged": "true"}}))},
            [],
            [
                f"policy {DENIER} denies ec2:DetachVolume, ec2:DeleteVolume",
                f"policy {DENIER} may deny ec2:DescribeVolumes{UNDECIDED}",
            ],
        ),
        # A Deny on volumes ECS does not manage leaves ECS's volumes alone, but may reach the instance.
        (
            role([VOLUMES_POLICY, DENIER]),
            {
                DENIER: doc(
                    deny("ec2:*Volume", Condition={"StringNotEquals": {"aws:ResourceTag/AmazonECSManaged": "true"}})
                )
            },
            [],
            [f"policy {DENIER} may deny ec2:DetachVolume{UNDECIDED}"],
        ),
        (role([VOLUMES_POLICY, DENIER]), {DENIER: doc(deny("ec2:TerminateInstances"))}, [], []),
        # Inline policies of the role count too.
        (
            role(),
            {},
            [("lockdown", doc(deny("ec2:DetachVolume")))],
            ["inline policy lockdown denies ec2:DetachVolume"],
        ),
        # Without the Volumes policy: another policy keeps them, or nothing does.
        (role([KEEPER]), {KEEPER: doc(allow("ec2:*Volume*"))}, [], []),
        (role([KEEPER]), {KEEPER: AWS_VOLUMES_COPY}, [], []),
        (role([LATTICE_POLICY]), {}, [], ["no policy of the role allows " + ", ".join(ACTIONS)]),
        (
            role([KEEPER]),
            {KEEPER: doc(allow("ec2:*", Condition=NOWHERE))},
            [],
            ["the role's policies allow {0} only under conditions or on some volumes".format(", ".join(ACTIONS))],
        ),
        # The trust policy no longer lets ECS in.
        (role(trust=NO_ECS_TRUST), {}, [], ["the trust policy no longer lets ecs.amazonaws.com assume the role"]),
    ],
    ids=lambda value: None,
)
def test_volume_blockers(state, documents, inline, expected):
    assert phrases(state, documents, inline) == expected


def test_volume_blockers_decide_the_ecs_tags_exactly():
    def boundary(condition):
        statement = allow(["ec2:DetachVolume", "ec2:DeleteVolume"], Resource=VOLUME, Condition=condition)
        document = doc(statement, allow("ec2:DetachVolume", Resource=INSTANCE), allow("ec2:DescribeVolumes"))
        return phrases(role(boundary=BOUNDARY), {BOUNDARY: document})

    tag = "aws:ResourceTag/AmazonECSManaged"
    created = "aws:ResourceTag/AmazonECSCreated"
    assert boundary({"StringEquals": {tag: "true"}}) == []
    assert boundary({"StringEqualsIgnoreCase": {tag: "TRUE"}}) == []
    assert boundary({"StringLike": {tag: "t*"}}) == []
    assert boundary({"ForAnyValue:StringEquals": {tag: ["false", "true"]}}) == []
    assert boundary({"StringEqualsIfExists": {tag: "true"}}) == []
    assert boundary({"Null": {tag: "false"}}) == []
    assert boundary({"ArnLike": {created: "arn:aws:ecs:*:123456789012:task/*"}}) == []
    assert boundary({"StringNotEquals": {tag: "false"}}) == []
    never = f"permissions_boundary {BOUNDARY} allows none of ec2:DetachVolume, ec2:DeleteVolume"
    some = "permissions_boundary {0} allows ec2:DetachVolume, ec2:DeleteVolume only under conditions or on some volumes"
    assert boundary({"StringEquals": {tag: "false"}}) == [some.format(BOUNDARY)]
    assert boundary({"Null": {tag: "true"}}) == [some.format(BOUNDARY)]
    assert boundary({"ArnLike": {created: "arn:aws:ecs:*:999999999999:task/*"}}) == [some.format(BOUNDARY)]
    assert boundary({"StringEquals": {created: "arn:aws:ecs:us-east-1:123456789012:task/one"}}) == [
        some.format(BOUNDARY)
    ]
    assert boundary({"StringEquals": {tag: "${aws:username}"}}) == [some.format(BOUNDARY)]
    assert never != some


@pytest.mark.parametrize(
    "before,after,documents,lost",
    [
        # Detaching the Volumes policy while another policy keeps the actions: nothing lost.
        (role([VOLUMES_POLICY, KEEPER]), role([KEEPER, LATTICE_POLICY]), {KEEPER: doc(allow("ec2:*Volume*"))}, []),
        # ... while nothing does: all three.
        (role(), role([LATTICE_POLICY]), {}, ["no policy of the role allows " + ", ".join(ACTIONS)]),
        # A boundary without the actions set on a role that had them.
        (
            role(),
            role(boundary=BOUNDARY),
            {BOUNDARY: S3_ONLY},
            ["permissions_boundary {0} allows none of {1}".format(BOUNDARY, ", ".join(ACTIONS))],
        ),
        # One boundary without them replaced by another: the role had lost them already.
        (role(boundary=DENIER), role(boundary=BOUNDARY), {BOUNDARY: S3_ONLY, DENIER: S3_ONLY}, []),
        # A policy denying one action attached: that action only.
        (
            role(),
            role([VOLUMES_POLICY, DENIER]),
            {DENIER: doc(deny("ec2:DeleteVolume"))},
            [f"policy {DENIER} denies ec2:DeleteVolume"],
        ),
        # A trust that drops ECS.
        (role(), role(trust=NO_ECS_TRUST), {}, ["the trust policy no longer lets ecs.amazonaws.com assume the role"]),
        # A role that never had the actions loses nothing.
        (role([LATTICE_POLICY]), role([LATTICE_POLICY], boundary=BOUNDARY), {BOUNDARY: S3_ONLY}, []),
        # A Deny under an undecided condition, there before and after: the role only may have the actions,
        # so a change is scanned (refused only when in use) rather than trusted ...
        (
            role([VOLUMES_POLICY, DENIER]),
            role([VOLUMES_POLICY, DENIER, LATTICE_POLICY]),
            {DENIER: doc(deny("ec2:*", Condition=NOWHERE))},
            [MAY_DENY_ALL],
        ),
        # ... and it does not hide what a change takes away.
        (
            role([VOLUMES_POLICY, DENIER]),
            role([DENIER, LATTICE_POLICY]),
            {DENIER: doc(deny("ec2:*", Condition=NOWHERE))},
            [MAY_DENY_ALL, "no policy of the role allows " + ", ".join(ACTIONS)],
        ),
        # Two conditional policies, the one that works detached: the same uncertainty before and after,
        # still a change that may take the actions away (the reviewer's side door).
        (
            role([KEEPER, DENIER]),
            role([DENIER]),
            {KEEPER: doc(allow("ec2:*", Condition=NOWHERE)), DENIER: doc(allow("ec2:*", Condition=ELSEWHERE))},
            ["the role's policies allow {0} only under conditions or on some volumes".format(", ".join(ACTIONS))],
        ),
        # A boundary that allowed them only under a condition replaced by one that allows none.
        (
            role(boundary=DENIER),
            role(boundary=BOUNDARY),
            {DENIER: doc(allow("ec2:*", Condition=NOWHERE)), BOUNDARY: S3_ONLY},
            ["permissions_boundary {0} allows none of {1}".format(BOUNDARY, ", ".join(ACTIONS))],
        ),
    ],
)
def test_lost_volume_actions(before, after, documents, lost):
    found = [_analysis.volume_blockers(state, documents, [], "aws", ACCOUNT) for state in (before, after)]
    assert _analysis.describe_blockers(_analysis.lost_volume_actions(*found)) == lost


def test_volume_documents_needed_skip_the_ecs_policies():
    state = role([VOLUMES_POLICY, LATTICE_POLICY, KEEPER], boundary=BOUNDARY)
    assert _analysis.volume_documents_needed(state, "aws") == [BOUNDARY, KEEPER]
    assert _analysis.volume_documents_needed(role(boundary=VOLUMES_POLICY), "aws") == []


def test_volume_findings_and_volumes_policy_missing_never_share_a_cause():
    usage = _analysis.empty_usage()
    usage["volumes"].append({"volume_id": "vol-1", "region": "eu-west-1", "reason": "attached"})
    blocked = _analysis.volume_blockers(role(boundary=BOUNDARY), {BOUNDARY: S3_ONLY}, [], "aws", ACCOUNT)
    found = _analysis.volume_findings(blocked, usage, volumes_attached=True)
    assert [(f["code"], f["severity"]) for f in found] == [("volume_actions_blocked", "high")]
    assert BOUNDARY in found[0]["message"] and "ec2:DetachVolume" in found[0]["message"]
    assert _analysis.usage_findings(usage, True, blocked) == []
    # Not in use (or not scanned): medium.
    assert [f["severity"] for f in _analysis.volume_findings(blocked, _analysis.empty_usage(), True)] == ["medium"]
    assert [f["severity"] for f in _analysis.volume_findings(blocked, None, True)] == ["medium"]
    # A role ECS does not use for volumes and that has no Volumes policy: nothing to report.
    lattice = _analysis.volume_blockers(role([LATTICE_POLICY], BOUNDARY), {BOUNDARY: S3_ONLY}, [], "aws", ACCOUNT)
    assert _analysis.volume_findings(lattice, None, False) == []
    # What the role's policies lack is volumes_policy_missing alone; the boundary is a second cause.
    assert [f["code"] for f in _analysis.usage_findings(usage, False, lattice)] == ["volumes_policy_missing"]
    assert [f["code"] for f in _analysis.volume_findings(lattice, usage, False)] == ["volume_actions_blocked"]
    assert "no policy of the role" not in _analysis.volume_findings(lattice, usage, False)[0]["message"]
    # Another policy keeps the actions: the Volumes policy is not missing.
    kept = _analysis.volume_blockers(role([KEEPER]), {KEEPER: doc(allow("ec2:*Volume*"))}, [], "aws", ACCOUNT)
    assert _analysis.usage_findings(usage, False, kept) == []
    # A trust without ECS is trust_missing_ecs, not this.
    untrusted = _analysis.volume_blockers(role(trust=NO_ECS_TRUST), {}, [], "aws", ACCOUNT)
    assert _analysis.volume_findings(untrusted, usage, True) == []


def test_every_finding_has_a_known_severity():
    assert set(_analysis.SEVERITY.values()) <= set(_analysis.SEVERITIES)
    found = [_analysis.finding("pass_role_any_service", "m"), _analysis.finding("trust_extra_action", "m")]
    assert [f["severity"] for f in found] == ["high", "low"]
    assert _analysis.at_or_above(found, "high") == found[:1]
    assert _analysis.at_or_above(found, "low") == found


GUIDE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "docs", "docsite", "rst", "guide_user.rst")


def test_the_user_guide_gives_every_finding_its_severity():
    """The findings table of the user guide (``* - ``code``  - severity``) is SEVERITY, row for row.
    A finding whose severity depends on the case shows its default first (``high / medium``)."""
    with open(GUIDE) as handle:
        text = handle.read()
    level = "(?:high|medium|low|info)"
    rows = rf"^   \* - ``([a-z_]+)``\n     - ({level})(?: / {level})?$"
    table = dict(re.findall(rows, text, re.MULTILINE))
    assert table == _analysis.SEVERITY


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
    found = _analysis.trust_findings(document)
    assert [f["code"] for f in found] == codes
    messages = " ".join(f["message"] for f in found)
    for text in named:
        assert text in messages
    for f in found:
        assert f["severity"] == _analysis.SEVERITY[f["code"]]


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
    assert [f["principals"] for f in _analysis.trust_findings(document)] == principals


def test_findings_about_no_principal_name_none():
    assert _analysis.finding("overprivileged_managed_policy", "m")["principals"] == []
    assert _analysis.finding("pass_role_any_service", "m", principals=["b", "a", "b", None])["principals"] == ["a", "b"]


def test_trust_findings_one_per_statement():
    document = trust(trusted({"AWS": "arn:aws:iam::999999999999:root"}), trusted({"Service": "ec2.amazonaws.com"}))
    found = _analysis.trust_findings(document)
    assert [f["code"] for f in found] == ["trust_extra_principal", "trust_extra_principal"]
    assert "statement 2" in found[0]["message"] and "statement 3" in found[1]["message"]


def test_attachment_findings_flag_other_aws_managed_policies_only():
    arns = [
        "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::123456789012:policy/Custom",
    ]
    found = _analysis.attachment_findings(arns, "aws")
    assert [f["code"] for f in found] == ["overprivileged_managed_policy"]
    assert "AdministratorAccess" in found[0]["message"]


def test_grant_findings():
    assert _analysis.grant_findings([_documents.passrole_document(ROLE_ARN)], "policy P") == []
    loose = doc(allow("iam:PassRole"))
    assert [f["code"] for f in _analysis.grant_findings([loose], "policy P")] == [
        "pass_role_without_condition",
        "pass_role_wildcard_resource",
    ]


def test_usage_findings_and_guard_message():
    usage = _analysis.empty_usage()
    usage["volumes"].append({"volume_id": "vol-1", "region": "eu-west-1", "reason": "attached"})
    usage["unreadable_regions"].append({"region": "ap-east-1", "error": "AuthFailure"})
    codes = [f["code"] for f in _analysis.usage_findings(usage, volumes_attached=False)]
    assert codes == ["volumes_policy_missing", "usage_region_unreadable"]
    assert [f["code"] for f in _analysis.usage_findings(usage, volumes_attached=True)] == ["usage_region_unreadable"]
    assert _analysis.blocks(usage)
    message = _analysis.guard_message("r", "delete role", usage)
    assert "vol-1 (eu-west-1)" in message and "ap-east-1 could not be read" in message and "force: true" in message
    usage["volumes"] = []
    unreadable = _analysis.guard_message("r", "delete role", usage)
    assert "could not check whether ECS still uses it" in unreadable and "AuthFailure" in unreadable
    assert "guard.json" in unreadable and "ECS may still need it" not in unreadable


def test_service_references_need_an_exact_arn():
    svc = {"deployments": [{"vpcLatticeConfigurations": [{"roleArn": ROLE_ARN + "Old"}]}]}
    assert _analysis.service_references(svc, ROLE_ARN) == []


# ---------------------------------------------------------------- who can pass the role

POLICY = "arn:aws:iam::123456789012:policy/{0}"
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


def attached(*names):
    return [{"PolicyName": n, "PolicyArn": POLICY.format(n)} for n in names]


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


def details(users=(), groups=(), roles=(), policies=()):
    return {
        "UserDetailList": list(users),
        "GroupDetailList": list(groups),
        "RoleDetailList": list(roles),
        "Policies": list(policies),
    }


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
    found = _analysis.pass_role_principals(account, ROLE_ARN)
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
    codes = [(f["code"], f["severity"]) for f in _analysis.exposure_findings(found, "ecsInfrastructureRole")]
    assert codes == [
        ("pass_role_any_service", "high"),
        ("pass_role_any_service", "high"),
        ("pass_role_any_service", "high"),
        ("pass_role_conditional", "medium"),
    ]


def test_an_unreturned_managed_policy_is_reported_not_ignored():
    found = _analysis.pass_role_principals(details(users=[user("u", managed_names=["Gone"])]), ROLE_ARN)
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
    found = _analysis.pass_role_principals(account, ROLE_ARN)
    findings = _analysis.exposure_findings(found, "ecsInfrastructureRole")
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
    found = _analysis.pass_role_principals(account, ROLE_ARN)
    assert [(p["name"], p["administrator"]) for p in found] == [
        ("admins", True),
        ("OrganizationAccountAccessRole", True),
        ("alice", True),
        ("ci", False),
    ]
    findings = _analysis.exposure_findings(found, "ecsInfrastructureRole")
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
    found = _analysis.pass_role_principals(account, ROLE_ARN)
    assert [p["name"] for p in found] == ["ecsInfrastructureRole"]
    findings = _analysis.attachment_findings(attached_arns, "aws")
    findings += _analysis.exposure_findings(found, "ecsInfrastructureRole")
    assert [f["code"] for f in findings] == codes


def test_aws_managed_arns_are_those_attached_or_used_as_a_boundary():
    aws = "arn:aws:iam::aws:policy/"
    account = details(
        users=[
            {"UserName": "a", "AttachedManagedPolicies": [{"PolicyArn": aws + "AdministratorAccess"}]},
            {"UserName": "b", "PermissionsBoundary": {"PermissionsBoundaryArn": aws + "PowerUserAccess"}},
        ],
        roles=[{"RoleName": "r", "AttachedManagedPolicies": [{"PolicyArn": aws + "AdministratorAccess"}]}],
        groups=[{"GroupName": "g", "AttachedManagedPolicies": attached("Mine")}],
    )
    assert _analysis.aws_managed_arns(account) == [aws + "AdministratorAccess", aws + "PowerUserAccess"]


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
    found = _analysis.trust_findings(document)
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
    found = _analysis.trust_findings(document, "aws", ACCOUNT)
    assert [f["code"] for f in found] == codes
    assert _analysis.trust_hardened(document, "aws", ACCOUNT) is hardened
    if codes:
        assert "999999999999" in found[0]["message"] and "does not name this account " + ACCOUNT in found[0]["message"]
        assert found[0]["severity"] == "high"
    # without the account the conditions only narrow the documented statement (as before)
    assert _analysis.trust_findings(document) == []
