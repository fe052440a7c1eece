# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/report.schema.json (JSON Schema draft 2020-12) describes report.json of ecs_tools.iam.audit:
it is a valid schema, the fixture (every field of the shared data contract) and the 50-account
report of the template tests validate against it, also with the next release's fields required,
and reports that break the contract do not. The integration test tests/integration/test_audit.py
validates a real audit's report.json against it too."""

import copy
import json
import os
import sys

import pytest

jsonschema = pytest.importorskip("jsonschema")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "support"))

import report_fixture  # noqa: E402

SCHEMA_PATH = os.path.join(REPO, "docs", "report.schema.json")
FIXTURE_PATH = os.path.join(HERE, "fixtures", "report.json")
# The fields of release 1.2.0 (accepted principals, baseline): a report of 1.1.0 lacks them.
NEW_IN_1_2 = {
    "": ["baseline"],
    "summary": ["accepted", "new"],
    "finding": ["principals", "accepted", "accepted_reason", "status"],
}


def load(path):
    with open(path) as f:
        return json.load(f)


def schema():
    return load(SCHEMA_PATH)


def errors(document):
    validator = jsonschema.Draft202012Validator(schema())
    return sorted(e.message for e in validator.iter_errors(document))


def test_schema_is_valid_draft_2020_12():
    document = schema()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)
    for where, names in NEW_IN_1_2.items():
        node = document if not where else document["$defs"][where]
        assert set(names) <= set(node["required"]) and set(names) <= set(node["properties"])


def test_fixtures_validate():
    fixture = load(FIXTURE_PATH)
    assert errors(fixture) == []
    assert errors(report_fixture.large_report()) == []
    # the fixture holds every case the contract describes
    rows = fixture["accounts"]
    findings = [f for row in rows for f in row["findings"]]
    assert fixture["baseline"]["source"] and fixture["regions"] == []
    assert {f["status"] for f in findings} == {"new", "known"}
    assert any(f["accepted"] and f["accepted_reason"] for f in findings) and any(f["principals"] for f in findings)
    assert {row["highest_severity"] for row in rows} >= {"error", "high", "medium", "none"}
    assert any(row["regions_unreadable"] for row in rows)
    assert fixture["summary"] == report_fixture.expected_counts(rows)


def test_a_report_of_release_1_1_lacks_the_new_fields():
    old = copy.deepcopy(load(FIXTURE_PATH))
    del old["baseline"]
    for key in ("accepted", "new"):
        del old["summary"][key]
    for row in old["accounts"]:
        row["findings"] = [{k: f[k] for k in ("code", "severity", "message")} for f in row["findings"]]
    findings = [f for row in old["accounts"] for f in row["findings"]]
    # one error per missing field: baseline, 2 in summary, 4 in each finding
    assert len(findings) >= 5 and len(errors(old)) == 1 + 2 + 4 * len(findings)


def broken(change):
    document = copy.deepcopy(load(FIXTURE_PATH))
    change(document)
    return document


@pytest.mark.parametrize(
    "change, message",
    [
        # the old shape of regions: a string instead of the list
        (lambda d: d.update(regions="every enabled region"), "'every enabled region' is not of type 'array'"),
        (lambda d: d["accounts"][4]["regions_unreadable"].__setitem__(0, "ap-southeast-2"), "is not of type 'object'"),
        (lambda d: d["accounts"][0]["findings"][0].update(severity="critical"), "'critical' is not one of"),
        (lambda d: d["accounts"][0]["findings"][0].update(status="old"), "'old' is not one of ['new', 'known']"),
        (lambda d: d["accounts"][0].update(highest_severity="ok"), "'ok' is not one of"),
        (lambda d: d["summary"]["findings"].pop("low"), "'low' is a required property"),
        (lambda d: d["accounts"][1].pop("error"), "'error' is a required property"),
        (lambda d: d["accounts"][1].update(extra=1), "Additional properties are not allowed ('extra' was unexpected)"),
        (lambda d: d.update(baseline={"source": "x"}), "is not valid under any of the given schemas"),
        (lambda d: d["summary"].update(accepted=-1), "-1 is less than the minimum of 0"),
        (lambda d: d.update(generated_at="yesterday"), "'yesterday' does not match"),
    ],
)
def test_contract_breaches_are_refused(change, message):
    found = errors(broken(change))
    assert found and any(message in e for e in found), found
