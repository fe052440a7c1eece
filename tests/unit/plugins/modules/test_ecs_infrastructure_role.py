# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""main() in-process against moto.mock_aws."""

import boto3

from ansible_collections.ecs_tools.iam.plugins.module_utils import _service
from ansible_collections.ecs_tools.iam.plugins.modules import ecs_infrastructure_role as module

VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
TLS = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity"


def test_check_mode_create_writes_nothing_and_predicts_the_arn(run_main):
    result = run_main(module, {"capabilities": ["volumes"], "path": "/ecs/"}, check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["role"]["arn"] == "arn:aws:iam::123456789012:role/ecs/ecsInfrastructureRole"
    assert result["attached_policies"] == [VOLUMES]
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["attached_policies"] == [VOLUMES]
    assert boto3.client("iam").list_roles()["Roles"] == []


def test_create_then_converge(run_main):
    args = {"capabilities": ["service_connect_tls", "volumes"], "tags": {"team": "platform"}}
    created = run_main(module, args)
    assert created["changed"] is True
    assert created["capabilities"] == ["service_connect_tls", "volumes"]
    assert created["cloudtrail_session_names"] == {
        "service_connect_tls": "ECSServiceConnectForTLS",
        "volumes": "ECSTaskVolumesForEBS",
    }
    role = boto3.client("iam").get_role(RoleName="ecsInfrastructureRole")["Role"]
    assert created["role"]["role_id"] == role["RoleId"]
    assert created["role"]["tags"] == {"team": "platform"}
    again = run_main(module, args)
    assert again["changed"] is False
    assert again["attached_policies"] == sorted([TLS, VOLUMES])


def test_unknown_capability_lists_the_valid_ones(run_main):
    result = run_main(module, {"capabilities": ["ebs"]})
    assert result["failed"] is True
    for name in ("volumes", "service_connect_tls", "vpc_lattice", "load_balancers", "managed_instances"):
        assert name in result["msg"]


def test_every_validation_problem_is_reported_at_once(run_main):
    result = run_main(module, {"name": "a b", "path": "x", "max_session_duration": 10})
    assert result["failed"] is True
    assert "'a b'" in result["msg"] and "'x'" in result["msg"] and "10" in result["msg"]


def test_absent_in_check_mode_keeps_the_role(run_main):
    run_main(module, {"capabilities": ["volumes"]})
    result = run_main(module, {"state": "absent", "usage_regions": ["us-east-1"]}, check_mode=True)
    assert result["changed"] is True
    assert result["role"] == {}
    assert boto3.client("iam").get_role(RoleName="ecsInfrastructureRole")["Role"]
    assert run_main(module, {"state": "absent", "usage_regions": ["us-east-1"]})["changed"] is True
    assert run_main(module, {"state": "absent", "usage_regions": ["us-east-1"]})["changed"] is False


def test_a_concurrent_detach_between_write_and_read_back_fails_the_run(run_main, monkeypatch):
    """Another writer detaches a policy right after this run attached it: the run must not succeed."""
    monkeypatch.setattr(_service, "READ_BACK_PAUSES", ())
    real_apply = _service.RoleService.apply

    def apply_then_interfere(service, plan):
        real_apply(service, plan)
        boto3.client("iam").detach_role_policy(RoleName="ecsInfrastructureRole", PolicyArn=TLS)

    monkeypatch.setattr(_service.RoleService, "apply", apply_then_interfere)
    result = run_main(module, {"capabilities": ["volumes", "service_connect_tls"]})
    assert result["failed"] is True
    assert "changed concurrently by another writer" in result["msg"] and "attached policies are" in result["msg"]
    assert result["differences"]
