# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's argument spec is the source of truth; defaults and the module must agree with it."""

import pathlib
import re

import yaml

from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.module_utils import _findings
from ansible_collections.ecs_tools.iam.plugins.modules import ecs_infrastructure_role

ROLE = pathlib.Path(__file__).resolve().parents[3] / "roles" / "infrastructure_role"
SPEC = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())

# contract name -> module option it maps to
MAPPED = {
    "name": "name",
    "state": "state",
    "path": "path",
    "description": "description",
    "permissions_boundary": "permissions_boundary",
    "max_session_duration": "max_session_duration",
    "capabilities": "capabilities",
    "managed_policies": "managed_policies",
    "purge_policies": "purge_policies",
    "tags": "tags",
    "purge_tags": "purge_tags",
    "force": "force",
    "trust_source_account": "trust_source_account",
    "usage_regions": "usage_regions",
}


def test_every_variable_carries_the_role_prefix():
    assert all(name.startswith("ecs_infrastructure_role_") for name in SPEC)
    assert all(name.startswith("ecs_infrastructure_role_") for name in DEFAULTS)


def test_defaults_mirror_the_argument_spec():
    with_default = {name: option["default"] for name, option in SPEC.items() if "default" in option}
    assert DEFAULTS == with_default  # variables without a default stay undefined: "leave it alone"
    for name, option in SPEC.items():
        assert option.get("description"), name


def test_types_and_choices_match_the_module():
    module_spec = ecs_infrastructure_role.argument_spec()
    for short, option in MAPPED.items():
        variable = SPEC["ecs_infrastructure_role_" + short]
        assert variable["type"] == module_spec[option]["type"], short
        if short != "capabilities":  # see test_capability_choices_derive_from_the_catalog
            assert variable.get("choices") == module_spec[option].get("choices"), short
        if "default" in module_spec[option] and option != "name":
            assert variable.get("default") == module_spec[option]["default"], short
    assert SPEC["ecs_infrastructure_role_name"]["default"] == module_spec["name"]["default"]
    pass_role = module_spec["pass_role"]["options"]
    for short in ("users", "groups", "roles", "mode", "policy_name", "purge"):
        variable = SPEC["ecs_infrastructure_role_pass_role_" + short]
        assert variable["type"] == pass_role[short]["type"], short
        assert variable.get("choices") == pass_role[short].get("choices"), short


def test_capability_choices_derive_from_the_catalog():
    # No `choices` in the argument spec: it would refuse a survey answer with one capability per line
    # (the spec's list type splits strings on commas only). The description names every capability,
    # and the module refuses any other before a change.
    variable = SPEC["ecs_infrastructure_role_capabilities"]
    assert "choices" not in variable
    description = " ".join(variable["description"])
    assert set(re.findall(r"V\((\w+)\)", description)) == set(_catalog.CAPABILITY_NAMES)


# Lists of strings; ecs_infrastructure_role_accepted_principals is a list of {arn, reason} (below).
LIST_VARIABLES = sorted(
    name for name, option in SPEC.items() if option["type"] == "list" and option.get("elements") != "dict"
)


def test_accepted_principals_are_checked_by_the_audits_filter_before_any_aws_call():
    tasks = TASKS["validate.yml"]
    assert (
        "ecs_infrastructure_role_accepted_principals | default(none) | ecs_tools.iam.audit_accepted_principals" in tasks
    )
    assert "ecs_tools.iam.audit_baseline(" in tasks
    spec = SPEC["ecs_infrastructure_role_accepted_principals"]
    assert spec["elements"] == "dict" and set(spec["options"]) == {"arn", "reason"}
    assert all(option["required"] for option in spec["options"].values())
    verify = TASKS["verify.yml"]
    assert "ecs_tools.iam.audit_findings(" in verify and "rejectattr('accepted')" in verify


def test_every_list_variable_goes_through_survey_list():
    # One parser for every list variable, and each one says it accepts survey answers.
    tasks = (ROLE / "tasks" / "validate.yml").read_text()
    assert len(LIST_VARIABLES) == 6
    for name in LIST_VARIABLES:
        assert f"{name} | default(None)\n" in tasks or f"{name} | default(None) " in tasks, name
        assert f"ecs_tools.iam.survey_list('{name}')" in tasks, name
        assert "one item per line" in " ".join(SPEC[name]["description"]) or name.endswith(("_groups", "_roles"))


def test_severity_threshold_choices_are_the_finding_severities():
    levels = list(_findings.SEVERITIES)
    assert levels == ["high", "medium", "low", "info"]
    assert SPEC["ecs_infrastructure_role_fail_on_severity"]["choices"] == levels
    assert SPEC["ecs_infrastructure_role_fail_on_severity"]["default"] == "high"


TASKS = {path.name: path.read_text() for path in sorted((ROLE / "tasks").glob("*.yml"))}


def test_one_way_to_omit_an_unset_value():
    # validate.yml keeps only what the user set in __ecs_infrastructure_role_args; every task omits
    # an option with "<that dict>.<option> | default(omit)", and in no other way.
    omits = [(name, line.strip()) for name, text in TASKS.items() for line in text.splitlines() if "omit" in line]
    code = [(name, line) for name, line in omits if not line.startswith("#")]
    assert len(code) >= 12, code
    for name, line in code:
        assert re.fullmatch(
            r'[a-z_]+: "\{\{ __ecs_infrastructure_role_args\.([a-z_]+) \| default\(omit\) \}\}"', line
        ), (
            name,
            line,
        )


def test_every_optional_module_option_the_role_maps_is_passed_the_same_way():
    for option in (
        "path",
        "description",
        "permissions_boundary",
        "max_session_duration",
        "capabilities",
        "managed_policies",
        "tags",
        "pass_role",
        "usage_regions",
    ):
        line = f'{option}: "{{{{ __ecs_infrastructure_role_args.{option} | default(omit) }}}}"'
        assert line in TASKS["ensure_present.yml"], option


def test_severities_not_finding_codes_decide_what_fails():
    verify = TASKS["verify.yml"]
    assert "selectattr('severity', 'in', __levels)" in verify
    for regex_test in ("'match'", "'search'", "'regex'", "regex_search"):
        assert regex_test not in verify, regex_test


def test_booleans_the_role_maps_are_passed_as_booleans():
    for option in ("purge_policies", "purge_tags", "force", "trust_source_account"):
        line = f'{option}: "{{{{ ecs_infrastructure_role_{option} | bool }}}}"'
        assert line in TASKS["ensure_present.yml"], option


# report_baseline is not a module option, but a survey may leave it blank too.
STRING_VARIABLES = ("path", "description", "permissions_boundary", "pass_role_policy_name", "report_baseline")


def test_every_string_variable_goes_through_survey_text():
    # A blank survey answer is "not set" for every string the role hands the module: validate.yml
    # reads each with ecs_tools.iam.survey_text (blank -> None -> dropped -> option omitted).
    tasks = TASKS["validate.yml"]
    for short in STRING_VARIABLES:
        name = "ecs_infrastructure_role_" + short
        assert SPEC[name]["type"] == "str", name
        assert f"{name} | default(None)\n" in tasks, name
        assert f"ecs_tools.iam.survey_text('{name}')" in tasks, name
    # Every str variable without a default (so without choices a survey must answer) is one of these.
    optional_strings = {
        name[len("ecs_infrastructure_role_") :]
        for name, option in SPEC.items()
        if option["type"] == "str" and "default" not in option
    }
    assert optional_strings == set(STRING_VARIABLES)


def test_only_the_explicit_variable_removes_the_permissions_boundary():
    tasks = TASKS["validate.yml"]
    # The one "" the role passes for the boundary comes from the explicit boolean.
    assert "'permissions_boundary': '' if ecs_infrastructure_role_remove_permissions_boundary | bool else\n" in tasks
    assert tasks.count("''") == 1
    remove = SPEC["ecs_infrastructure_role_remove_permissions_boundary"]
    assert remove["type"] == "bool" and remove["default"] is False
    boundary = " ".join(SPEC["ecs_infrastructure_role_permissions_boundary"]["description"])
    assert 'V("")' not in boundary and "O(ecs_infrastructure_role_remove_permissions_boundary)" in boundary
