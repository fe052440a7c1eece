# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.ecs_tools.iam.plugins.module_utils import _analysis
from ansible_collections.ecs_tools.iam.plugins.module_utils import _documents

ROLE_ARN = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, **kw):
    return dict({"Effect": "Allow", "Action": action, "Resource": "*"}, **kw)


@pytest.mark.parametrize(
    "documents,keeps",
    [
        ([doc(allow("ec2:*Volume*"))], True),
        ([doc(allow("ec2:*"))], True),
        ([doc(allow("*"))], True),
        ([doc(allow(["ec2:DetachVolume", "ec2:DeleteVolume"])), doc(allow("ec2:Describe*"))], True),
        ([doc(allow(["ec2:DetachVolume", "ec2:DeleteVolume"]))], False),
        ([doc(allow("ec2:*"), {"Effect": "Deny", "Action": "ec2:DeleteVolume", "Resource": "*"})], False),
        ([doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})], True),
        ([doc({"Effect": "Allow", "NotAction": "ec2:*", "Resource": "*"})], False),
        ([doc(allow("EC2:detachvolume"), allow("ec2:deletevolume"), allow("ec2:describevolumes"))], True),
        ([], False),
    ],
)
def test_keeps_volume_actions(documents, keeps):
    assert _analysis.keeps_volume_actions(documents) is keeps


def test_trust_findings():
    assert _analysis.trust_findings(_documents.TRUST_POLICY) == []
    wrong = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    assert [f["code"] for f in _analysis.trust_findings(wrong)] == ["trust_missing_ecs", "trust_extra_principal"]
    extra = doc(
        _documents.TRUST_POLICY["Statement"][0],
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"},
    )
    found = _analysis.trust_findings(extra)
    assert [f["code"] for f in found] == ["trust_extra_principal"]
    assert "999999999999" in found[0]["message"]


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
