# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


import pytest

from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents
from ansible_collections.ecs_tools.iam.plugins.module_utils import _usage_findings
from ansible_collections.ecs_tools.iam.plugins.module_utils import _volume_access

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
    return _volume_access.volume_blockers(state, dict(zip(arns, documents, strict=True)), [], partition, account_id)


def phrases(state, documents=None, inline=()):
    found = _volume_access.volume_blockers(state, documents or {}, list(inline), "aws", ACCOUNT)
    return _volume_access.describe_blockers(found)


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
    found = [_volume_access.volume_blockers(state, documents, [], "aws", ACCOUNT) for state in (before, after)]
    assert _volume_access.describe_blockers(_volume_access.lost_volume_actions(*found)) == lost


def test_volume_documents_needed_skip_the_ecs_policies():
    state = role([VOLUMES_POLICY, LATTICE_POLICY, KEEPER], boundary=BOUNDARY)
    assert _volume_access.volume_documents_needed(state, "aws") == [BOUNDARY, KEEPER]
    assert _volume_access.volume_documents_needed(role(boundary=VOLUMES_POLICY), "aws") == []


def test_volume_findings_and_volumes_policy_missing_never_share_a_cause():
    usage = _usage_findings.empty_usage()
    usage["volumes"].append({"volume_id": "vol-1", "region": "eu-west-1", "reason": "attached"})
    blocked = _volume_access.volume_blockers(role(boundary=BOUNDARY), {BOUNDARY: S3_ONLY}, [], "aws", ACCOUNT)
    found = _volume_access.volume_findings(blocked, usage, volumes_attached=True)
    assert [(f["code"], f["severity"]) for f in found] == [("volume_actions_blocked", "high")]
    assert BOUNDARY in found[0]["message"] and "ec2:DetachVolume" in found[0]["message"]
    assert _usage_findings.usage_findings(usage, True, blocked) == []
    # Not in use (or not scanned): medium.
    assert [f["severity"] for f in _volume_access.volume_findings(blocked, _usage_findings.empty_usage(), True)] == [
        "medium"
    ]
    assert [f["severity"] for f in _volume_access.volume_findings(blocked, None, True)] == ["medium"]
    # A role ECS does not use for volumes and that has no Volumes policy: nothing to report.
    lattice = _volume_access.volume_blockers(role([LATTICE_POLICY], BOUNDARY), {BOUNDARY: S3_ONLY}, [], "aws", ACCOUNT)
    assert _volume_access.volume_findings(lattice, None, False) == []
    # What the role's policies lack is volumes_policy_missing alone; the boundary is a second cause.
    assert [f["code"] for f in _usage_findings.usage_findings(usage, False, lattice)] == ["volumes_policy_missing"]
    assert [f["code"] for f in _volume_access.volume_findings(lattice, usage, False)] == ["volume_actions_blocked"]
    assert "no policy of the role" not in _volume_access.volume_findings(lattice, usage, False)[0]["message"]
    # Another policy keeps the actions: the Volumes policy is not missing.
    kept = _volume_access.volume_blockers(role([KEEPER]), {KEEPER: doc(allow("ec2:*Volume*"))}, [], "aws", ACCOUNT)
    assert _usage_findings.usage_findings(usage, False, kept) == []
    # A trust without ECS is trust_missing_ecs, not this.
    untrusted = _volume_access.volume_blockers(role(trust=NO_ECS_TRUST), {}, [], "aws", ACCOUNT)
    assert _volume_access.volume_findings(untrusted, usage, True) == []
