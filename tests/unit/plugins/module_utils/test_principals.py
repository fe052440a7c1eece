# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import pathlib
import re

from iam_shapes import POLICY
from iam_shapes import attached
from iam_shapes import details

from ansible_collections.ecs_tools.iam.plugins.module_utils import _principals

PLUGINS = pathlib.Path(__file__).resolve().parents[4] / "plugins"


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
    assert _principals.aws_managed_arns(account) == [aws + "AdministratorAccess", aws + "PowerUserAccess"]


def test_the_table_names_each_kind_consistently():
    assert [k.type for k in _principals.KINDS] == ["user", "group", "role"]
    assert _principals.LIST_NAMES == ("users", "groups", "roles")
    for kind in _principals.KINDS:
        noun = kind.type.capitalize()
        assert kind.list_name == kind.type + "s"
        assert (kind.name_key, kind.detail_list, kind.policy_list) == (
            noun + "Name",
            noun + "DetailList",
            noun + "PolicyList",
        )
        assert (kind.entities_key, kind.get_method, kind.result_key) == (
            "Policy" + noun + "s",
            "get_" + kind.type,
            noun,
        )
        assert kind.arn_resource == kind.type + "/"


def test_the_boto3_names_are_real_iam_client_methods_and_shapes():
    """Every name the table gives for a boto3 call or answer exists in botocore's IAM model."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("iam")
    details_shape = model.operation_model("GetAccountAuthorizationDetails").output_shape.members
    entities_shape = model.operation_model("ListEntitiesForPolicy").output_shape.members
    for kind in _principals.KINDS:
        operation = model.operation_model("Get" + kind.type.capitalize())
        assert kind.get_method == "get_" + kind.type
        assert kind.name_key in operation.input_shape.members
        assert kind.result_key in operation.output_shape.members
        assert kind.detail_list in details_shape
        assert kind.policy_list in details_shape[kind.detail_list].member.members
        assert kind.entities_key in entities_shape


def test_attached_to_and_default_document_read_the_details():
    mine = POLICY.format("Mine")
    account = details(
        users=[{"UserName": "bob", "AttachedManagedPolicies": attached("Mine")}, {"UserName": "al"}],
        groups=[{"GroupName": "ops", "AttachedManagedPolicies": attached("Other", "Mine")}],
        roles=[{"RoleName": "r", "AttachedManagedPolicies": attached("Other")}],
        policies=[
            {
                "Arn": mine,
                "DefaultVersionId": "v2",
                "PolicyVersionList": [
                    {"VersionId": "v1", "IsDefaultVersion": False, "Document": {"old": True}},
                    {"VersionId": "v2", "IsDefaultVersion": True, "Document": {"new": True}},
                ],
            }
        ],
    )
    assert _principals.attached_to(account, mine) == {"users": ["bob"], "groups": ["ops"], "roles": []}
    assert _principals.attached_to(account, POLICY.format("Nobody")) == {"users": [], "groups": [], "roles": []}
    assert _principals.default_document(account, mine) == {"new": True}
    assert _principals.default_document(account, POLICY.format("Other")) is None
    assert _principals.has_policy(account, mine) and not _principals.has_policy(account, POLICY.format("Other"))


def test_no_other_copy_of_the_principal_kinds_table_in_plugins():
    """The kinds are spelled out in _principals only: a tuple or dict of the three list names, or of the
    three name keys, anywhere else in plugins/ is a copy that could drift."""
    copies = re.compile(
        r"""["']users["']\s*[,:][^\n]*["']groups["']\s*[,:][^\n]*["']roles["']"""
        r"""|["']UserName["'][^\n]*["']GroupName["'][^\n]*["']RoleName["']"""
    )
    found = []
    for path in sorted(PLUGINS.rglob("*.py")):
        if path.name == "_principals.py":
            continue
        code = path.read_text()
        # DOCUMENTATION / RETURN samples show the lists to the user: only code counts.
        code = re.sub(r'(?s)(DOCUMENTATION|EXAMPLES|RETURN) = r?""".*?"""', "", code)
        found.extend(f"{path.relative_to(PLUGINS)}: {m.group(0)}" for m in copies.finditer(code))
    assert found == []
