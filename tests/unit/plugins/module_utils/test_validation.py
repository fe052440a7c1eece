# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One table per option set of _validation: each row is an input and what the messages must say
(None: valid, no message)."""

import pytest

from ansible_collections.ecs_tools.iam.plugins.module_utils import _validation
from ansible_collections.ecs_tools.iam.plugins.plugin_utils import _accounts

AWS_REGIONS = ("aws", ["eu-west-1", "us-east-1"])


def _check(errors, expected):
    if expected is None:
        assert errors == []
    else:
        assert len(errors) == 1 and expected in errors[0], errors


@pytest.mark.parametrize(
    "name,expected",
    [
        ("ecsInfrastructureRole", None),
        ("a+=,.@_-9", None),
        ("x" * 64, None),
        ("x" * 65, "may not exceed 64"),
        ("", "must match pattern"),
        ("a b", "must match pattern"),
        ("Role\n", "must match pattern"),
        ("R\u00f4le", "may only use ASCII letters"),  # Python's \w accepts it, IAM does not
        ("\u0665", "may only use ASCII letters"),  # an Arabic-Indic digit: \d and \w accept it
        (42, "a role name is text"),
    ],
)
def test_role_name(name, expected):
    problem = _validation.role_name_problem(name)
    assert problem is None if expected is None else expected in problem


@pytest.mark.parametrize(
    "regions,known,expected",
    [
        (None, None, None),
        ([], AWS_REGIONS, None),
        (["eu-west-1", "us-gov-west-1"], None, None),  # without botocore's list: the shape only
        (["eu-west-1"], AWS_REGIONS, None),
        (["mars-north"], None, "'mars-north': expected a region name such as eu-west-1"),
        (["mars-north-1"], AWS_REGIONS, "'mars-north-1': not a region of the aws partition"),
        (["EU-WEST-1"], None, "expected a region name"),
        ([""], None, "expected a region name"),
    ],
)
def test_usage_regions(regions, known, expected):
    _check(_validation.validate_usage_regions(regions, known), expected)


ROLE = {"name": "ecsInfrastructureRole", "state": "present"}


@pytest.mark.parametrize(
    "options,expected",
    [
        ({}, None),
        ({"name": "R\u00f4le"}, "Invalid role name 'R\u00f4le'"),
        ({"path": "/a/b/"}, None),
        ({"path": "a"}, "Invalid path 'a'"),
        ({"max_session_duration": 3599}, "Invalid max_session_duration 3599"),
        ({"max_session_duration": 43200}, None),
        ({"permissions_boundary": "Boundary"}, "Invalid permissions_boundary 'Boundary'"),
        ({"permissions_boundary": ""}, None),
        ({"managed_policies": ["Mine", "arn:aws:iam::aws:policy/X"]}, None),
        ({"managed_policies": ["no spaces"]}, "Invalid managed_policies entry 'no spaces'"),
        ({"wait_timeout": 0}, "Invalid wait_timeout 0"),
        ({"description": "\u2603"}, "Invalid description"),
        ({"tags": {"aws:x": "v"}}, "the aws: prefix is reserved"),
        ({"tags": {"k": None}}, "null is not a tag value"),
        ({"usage_regions": ["mars-north"]}, "Invalid usage_regions entry 'mars-north'"),
        ({"state": "absent", "path": "/a/"}, "only apply to state=present: path='/a/'"),
    ],
)
def test_role_options(options, expected):
    _check(_validation.validate_role_options(dict(ROLE, **options)), expected)


def test_role_options_check_regions_against_the_partition_when_known():
    errors = _validation.validate_role_options(dict(ROLE, usage_regions=["eu-west-9"]), AWS_REGIONS)
    _check(errors, "not a region of the aws partition")


@pytest.mark.parametrize(
    "options,expected",
    [
        ({}, None),
        ({"pass_role_policy_name": "MyGrant"}, None),
        ({"name": "bad name"}, "Invalid name 'bad name'"),
        ({"name": "R\u00f4le"}, "may only use ASCII letters"),
        ({"pass_role_policy_name": "bad name"}, "Invalid pass_role_policy_name 'bad name'"),
        ({"usage_regions": ["mars-north"]}, "Invalid usage_regions entry 'mars-north'"),
    ],
)
def test_info_options(options, expected):
    _check(_validation.validate_info_options(dict({"name": "ecsInfrastructureRole"}, **options)), expected)


@pytest.mark.parametrize(
    "assume_role_name,expected",
    [
        ("OrganizationAccountAccessRole", None),
        ("path/to/Role", None),
        ("/path/Role", None),
        ("R\u00f4le", "may only use ASCII letters"),
        ("a b", "'a b' is not a valid IAM role name"),
        ("p\u00f4/Role", "'p\u00f4' is not a valid IAM path"),
        ("", "a role name is required"),
    ],
)
def test_inventory_role_name_uses_the_modules_check(assume_role_name, expected):
    _check(_accounts.role_name_problems(assume_role_name), expected)
