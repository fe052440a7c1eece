# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


from ansible_collections.ecs_tools.iam.plugins.module_utils import _usage_findings

ROLE_ARN = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"
ECS = "ecs.amazonaws.com"


def test_usage_findings_and_guard_message():
    usage = _usage_findings.empty_usage()
    usage["volumes"].append({"volume_id": "vol-1", "region": "eu-west-1", "reason": "attached"})
    usage["unreadable_regions"].append({"region": "ap-east-1", "error": "AuthFailure"})
    codes = [f["code"] for f in _usage_findings.usage_findings(usage, volumes_attached=False)]
    assert codes == ["volumes_policy_missing", "usage_region_unreadable"]
    assert [f["code"] for f in _usage_findings.usage_findings(usage, volumes_attached=True)] == [
        "usage_region_unreadable"
    ]
    assert _usage_findings.blocks(usage)
    message = _usage_findings.guard_message("r", "delete role", usage)
    assert "vol-1 (eu-west-1)" in message and "ap-east-1 could not be read" in message and "force: true" in message
    usage["volumes"] = []
    unreadable = _usage_findings.guard_message("r", "delete role", usage)
    assert "could not check whether ECS still uses it" in unreadable and "AuthFailure" in unreadable
    assert "guard.json" in unreadable and "ECS may still need it" not in unreadable


def test_service_references_need_an_exact_arn():
    svc = {"deployments": [{"vpcLatticeConfigurations": [{"roleArn": ROLE_ARN + "Old"}]}]}
    assert _usage_findings.service_references(svc, ROLE_ARN) == []
