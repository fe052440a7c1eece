# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX survey specs shipped in extensions/awx/surveys pass AWX's survey validation, name only
variables the playbooks read, and are what playbooks/awx_setup.yml loads."""

import json
import pathlib
import re

import pytest
import yaml

from ansible_collections.ecs_tools.iam.plugins.module_utils import _catalog
from ansible_collections.ecs_tools.iam.plugins.module_utils import _findings

ROOT = pathlib.Path(__file__).resolve().parents[4]
SURVEYS = ROOT / "extensions" / "awx" / "surveys"
ROLE = ROOT / "roles" / "infrastructure_role"
ROLE_SPEC = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
SEVERITIES = list(_findings.SEVERITIES)
AUDIT_PLAYBOOK = (ROOT / "playbooks" / "audit.yml").read_text()

# AWX's survey question types (awx/api/views: JobTemplateSurveySpec) and what each default must be.
TEXT_TYPES = ("text", "textarea", "password")
CHOICE_TYPES = ("multiplechoice", "multiselect")
TYPES = TEXT_TYPES + CHOICE_TYPES + ("integer", "float")


def load(name):
    return json.loads((SURVEYS / name).read_text())


SPECS = {name: load(name) for name in ("manage.json", "audit.json")}


def choices_of(question):
    # AWX accepts choices as a list or as one newline-separated string.
    choices = question["choices"]
    return choices.split("\n") if isinstance(choices, str) else list(choices)


def awx_survey_errors(spec):
    """AWX's rules for a survey spec (what its API refuses), as a list of messages; empty when valid."""
    errors = []
    if not isinstance(spec, dict):
        return ["survey spec must be an object"]
    for key in ("name", "description", "spec"):
        if key not in spec:
            errors.append(f"'{key}' missing from survey spec")
    if not isinstance(spec.get("spec"), list) or not spec.get("spec"):
        return errors + ["'spec' must be a non-empty list of questions"]
    seen = set()
    for index, question in enumerate(spec["spec"]):
        where = f"question {index + 1}"
        if not isinstance(question, dict):
            errors.append(where + ": not an object")
            continue
        for key in ("question_name", "variable", "type", "required"):
            if key not in question:
                errors.append(f"{where}: '{key}' missing")
        variable = question.get("variable")
        if not isinstance(variable, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable or ""):
            errors.append(f"{where}: 'variable' {variable!r} is not a variable name")
        if variable in seen:
            errors.append(f"{where}: 'variable' {variable} duplicated")
        seen.add(variable)
        if not isinstance(question.get("required"), bool):
            errors.append(where + ": 'required' must be a boolean")
        qtype = question.get("type")
        if qtype not in TYPES:
            errors.append(f"{where}: 'type' {qtype!r} is not one of {TYPES}")
            continue
        for bound in ("min", "max"):
            if bound in question and (isinstance(question[bound], bool) or not isinstance(question[bound], int)):
                errors.append(f"{where}: '{bound}' must be an integer")
        has_default = "default" in question and question["default"] not in ("", None)
        default = question.get("default")
        if qtype in CHOICE_TYPES:
            if "choices" not in question or not isinstance(question["choices"], (list, str)):
                errors.append(where + ": 'choices' (a list or a newline-separated string) required")
                continue
            choices = choices_of(question)
            if not choices or not all(isinstance(c, str) and c for c in choices):
                errors.append(where + ": 'choices' must be non-empty strings")
            if has_default:
                picked = default.split("\n") if qtype == "multiselect" and isinstance(default, str) else default
                picked = picked if isinstance(picked, list) else [picked]
                for value in picked:
                    if value not in choices:
                        errors.append(f"{where}: default {value!r} not among the choices")
        elif "choices" in question:
            errors.append(where + ": 'choices' only for multiplechoice and multiselect")
        if qtype in TEXT_TYPES and "default" in question and not isinstance(default, str):
            errors.append(where + ": a text default must be a string")
        if qtype in TEXT_TYPES and has_default and isinstance(default, str):
            if len(default) < question.get("min", 0) or len(default) > question.get("max", 1024):
                errors.append(where + ": default length outside min/max")
        if qtype == "integer" and has_default:
            if isinstance(default, bool) or not isinstance(default, int):
                errors.append(where + ": an integer default must be an integer")
            elif not question.get("min", default) <= default <= question.get("max", default):
                errors.append(where + ": default outside min/max")
        if qtype == "float" and has_default and (isinstance(default, bool) or not isinstance(default, (int, float))):
            errors.append(where + ": a float default must be a number")
        if question.get("required") and qtype in CHOICE_TYPES and not has_default:
            errors.append(where + ": a required choice needs a default, or a scheduled job has no answer")
    return errors


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_survey_passes_awx_validation(name):
    assert awx_survey_errors(SPECS[name]) == []


@pytest.mark.parametrize(
    "broken, message",
    [
        (lambda s: s.pop("description"), "'description' missing"),
        (lambda s: s.pop("name"), "'name' missing"),
        (lambda s: s["spec"][0].pop("required"), "'required' missing"),
        (lambda s: s["spec"][0].pop("question_name"), "'question_name' missing"),
        (lambda s: s["spec"][0].update(type="dropdown"), "is not one of"),
        (lambda s: s["spec"][1].pop("choices"), "'choices' (a list"),
        (lambda s: s["spec"][1].update(default="maybe"), "not among the choices"),
        (lambda s: s["spec"][1].update(required="yes"), "'required' must be a boolean"),
        (lambda s: s["spec"].append(dict(s["spec"][0])), "duplicated"),
        (lambda s: s["spec"][0].update(default=12), "a text default must be a string"),
    ],
)
def test_the_rules_refuse_what_awx_refuses(broken, message):
    # The checker is not a rubber stamp: each rule refuses a survey that breaks it.
    spec = load("manage.json")
    broken(spec)
    assert any(message in error for error in awx_survey_errors(spec)), awx_survey_errors(spec)


def test_choices_as_a_newline_separated_string_are_accepted():
    spec = load("manage.json")
    question = next(q for q in spec["spec"] if q["type"] == "multiselect")
    question["choices"] = "\n".join(question["choices"])
    assert awx_survey_errors(spec) == []


def test_manage_survey_variables_are_role_variables_with_their_choices():
    for question in SPECS["manage.json"]["spec"]:
        option = ROLE_SPEC.get(question["variable"])
        assert option is not None, question["variable"]
        if question["type"] == "integer":
            assert option["type"] == "int", question["variable"]
        if option["type"] == "bool":
            # A survey answers "true"/"false"; the role reads every boolean with | bool.
            assert question["type"] == "multiplechoice" and sorted(choices_of(question)) == ["false", "true"]
            assert question["default"] == str(option["default"]).lower(), question["variable"]
        elif "choices" in option:
            assert question["type"] == "multiplechoice" and choices_of(question) == option["choices"]
            assert question["default"] == option["default"]
        if option["type"] == "list":
            assert question["type"] in ("text", "textarea", "multiselect"), question["variable"]
        if "default" in option and option["type"] == "str":
            assert question["default"] == option["default"] and question["required"], question["variable"]
        if "default" not in option and option["type"] in ("str", "list") and question["type"] in TEXT_TYPES:
            # Blank means "not set" in the role: an optional text answer must be allowed to be blank.
            assert question["required"] is False, question["variable"]


def test_capability_choices_are_the_catalog():
    question = next(q for q in SPECS["manage.json"]["spec"] if q["variable"] == "ecs_infrastructure_role_capabilities")
    assert choices_of(question) == list(_catalog.CAPABILITY_NAMES)


def test_the_boundary_question_and_its_explicit_removal():
    questions = {q["variable"]: q for q in SPECS["manage.json"]["spec"]}
    boundary = questions["ecs_infrastructure_role_permissions_boundary"]
    assert boundary["required"] is False and "never removes" in boundary["question_description"]
    remove = questions["ecs_infrastructure_role_remove_permissions_boundary"]
    assert remove["default"] == "false"


def test_audit_survey_variables_are_the_audit_playbook_s():
    for question in SPECS["audit.json"]["spec"]:
        variable = question["variable"]
        # A question the playbook does not read would be a field that does nothing.
        assert variable in AUDIT_PLAYBOOK, variable
    questions = {q["variable"]: q for q in SPECS["audit.json"]["spec"]}
    # fail_on_severity: the finding severities, most severe first, and "none".
    assert choices_of(questions["ecs_infrastructure_role_audit_fail_on_severity"]) == SEVERITIES + ["none"]
    assert questions["ecs_infrastructure_role_audit_fail_on_severity"]["default"] == "high"
    assert questions["ecs_infrastructure_role_audit_fail_on_unreadable"]["default"] == "true"


SETUP = yaml.safe_load((ROOT / "playbooks" / "awx_setup.yml").read_text())


def setup_tasks(module):
    return [task for play in SETUP for task in play["tasks"] if module in task]


def test_the_setup_playbook_loads_the_shipped_surveys():
    play = SETUP[0]
    (job_templates,) = setup_tasks("awx.awx.job_template")
    lookup = job_templates["awx.awx.job_template"]["survey_spec"]
    assert lookup == "{{ lookup('ansible.builtin.file', __awx_surveys ~ '/' ~ item.survey) | from_json }}"
    assert job_templates["awx.awx.job_template"]["survey_enabled"] is True
    # playbook_dir is playbooks/, in the repository and in the installed collection alike.
    assert play["vars"]["__awx_surveys"] == "{{ playbook_dir }}/../extensions/awx/surveys"
    surveys = {item["name"]: item["survey"] for item in job_templates["loop"]}
    assert surveys == {"manage": "manage.json", "audit": "audit.json"}
    for survey in surveys.values():
        assert (ROOT / "playbooks" / ".." / "extensions" / "awx" / "surveys" / survey).is_file()


def test_the_setup_playbook_creates_everything_the_guide_names():
    for module in ("notification_template", "inventory", "inventory_source", "job_template", "schedule"):
        assert setup_tasks("awx.awx." + module), module
    (source,) = setup_tasks("awx.awx.inventory_source")
    assert source["awx.awx.inventory_source"]["source"] == "scm"
    assert "aws_accounts.yml" in source["awx.awx.inventory_source"]["source_path"]
    (schedule,) = setup_tasks("awx.awx.schedule")
    assert schedule["awx.awx.schedule"]["unified_job_template"].endswith(": audit")
    (notification,) = setup_tasks("awx.awx.notification_template")
    name = notification["awx.awx.notification_template"]["name"]
    for task in setup_tasks("awx.awx.job_template") + setup_tasks("awx.awx.inventory_source"):
        module = [key for key in task if key.startswith("awx.awx.")][0]
        assert task[module]["notification_templates_error"] == [name]


def test_audit_s3_questions_are_optional_and_read_by_the_upload():
    """Blank means "no upload": every S3 question may be left empty, each names a variable that the
    upload's settings file reads, and the survey's presign bounds are the ones the play checks."""
    settings = (ROOT / "playbooks" / "vars" / "report_s3.yml").read_text()
    checks = (ROOT / "playbooks" / "tasks" / "report_s3_checks.yml").read_text()
    questions = {q["variable"]: q for q in SPECS["audit.json"]["spec"]}
    s3 = [name for name in questions if name.startswith("ecs_infrastructure_role_report_s3_")]
    assert sorted(s3) == sorted(
        "ecs_infrastructure_role_report_s3_" + suffix
        for suffix in ("bucket", "prefix", "kms_key_id", "presign_seconds")
    )
    for name in s3:
        assert questions[name]["required"] is False, name
        assert questions[name].get("default", "") == "", name
        assert "{{ " + name in settings or "if " + name in settings, name
    presign = questions["ecs_infrastructure_role_report_s3_presign_seconds"]
    assert (presign["type"], presign["min"], presign["max"]) == ("integer", 1, 604800)
    assert "1 <= __ecs_audit_s3_presign_raw | int <= 604800" in checks
    assert questions["ecs_infrastructure_role_report_s3_bucket"]["max"] == 63
