# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import json
import pathlib

import pytest
import yaml
from moto.iam.aws_managed_policies import aws_managed_policies_data

from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.modules import ecs_infrastructure_role

REPO = pathlib.Path(__file__).resolve().parents[4]
MOTO_POLICIES = json.loads(aws_managed_policies_data)


def test_six_capabilities_in_the_documented_order():
    assert _catalog.CAPABILITY_NAMES == (
        "volumes",
        "service_connect_tls",
        "vpc_lattice",
        "load_balancers",
        "managed_instances",
        "express_gateway_services",
    )


@pytest.mark.parametrize("name", _catalog.CAPABILITY_NAMES)
def test_every_arn_is_an_aws_managed_policy_moto_ships_with_that_path(name):
    cap = _catalog.capability(name)
    assert cap.policy_name in MOTO_POLICIES, cap.policy_name
    assert MOTO_POLICIES[cap.policy_name]["Path"] == cap.policy_path
    assert _catalog.capability_arn(name, "aws") == "arn:aws:iam::aws:policy{0}{1}".format(
        MOTO_POLICIES[cap.policy_name]["Path"], cap.policy_name
    )


def test_vpc_lattice_has_no_service_role_path():
    assert _catalog.capability_arn("vpc_lattice", "aws") == (
        "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice"
    )


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_arns_follow_the_partition(partition):
    for arn in _catalog.capability_arns(_catalog.CAPABILITY_NAMES, partition).values():
        assert arn.startswith(f"arn:{partition}:iam::aws:policy/")


def test_capabilities_from_arns_round_trip_and_ignore_other_partitions():
    arns = list(_catalog.capability_arns(["volumes", "vpc_lattice"], "aws-cn").values())
    arns.append("arn:aws-cn:iam::aws:policy/ReadOnlyAccess")
    assert _catalog.capabilities_from_arns(arns, "aws-cn") == ["volumes", "vpc_lattice"]
    assert _catalog.capabilities_from_arns(arns, "aws") == []


def test_session_names_only_where_aws_documents_one():
    assert _catalog.session_names(_catalog.CAPABILITY_NAMES) == {
        "volumes": "ECSTaskVolumesForEBS",
        "service_connect_tls": "ECSServiceConnectForTLS",
        "vpc_lattice": "ECSNetworkingWithVPCLattice",
        "load_balancers": "ECSNetworkingWithELB",
        "managed_instances": "ECSManagedInstancesForCompute",
    }


def test_every_session_name_aws_documents_for_load_balancers():
    names = _catalog.all_session_names(["load_balancers", "volumes", "express_gateway_services"])
    assert names == {
        "load_balancers": ["ECSNetworkingWithELB", "ecs-service-scheduler"],
        "volumes": ["ECSTaskVolumesForEBS"],
    }


def test_module_choices_and_docs_derive_from_the_table():
    spec = ecs_infrastructure_role.argument_spec()
    assert tuple(spec["capabilities"]["choices"]) == _catalog.CAPABILITY_NAMES
    doc = yaml.safe_load(ecs_infrastructure_role.DOCUMENTATION)
    option = doc["options"]["capabilities"]
    assert tuple(option["choices"]) == _catalog.CAPABILITY_NAMES
    text = " ".join(option["description"])
    for cap in _catalog.CAPABILITIES:
        shown = cap.policy_path.lstrip("/") + cap.policy_name
        assert f"C({shown})" in text, shown


def test_role_argument_spec_choices_derive_from_the_table():
    specs = REPO / "roles" / "infrastructure_role" / "meta" / "argument_specs.yml"
    if not specs.exists():
        pytest.skip("the infrastructure_role role is not in this checkout yet")
    data = yaml.safe_load(specs.read_text())
    options = data["argument_specs"]["main"]["options"]
    # The role lists the capabilities in the description, not as `choices` (which would refuse a survey
    # answer with one capability per line); tests/unit/roles checks the same.
    description = " ".join(options["ecs_infrastructure_role_capabilities"]["description"])
    assert all(f"V({name})" in description for name in _catalog.CAPABILITY_NAMES)
