# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import os
import pathlib
import re

import pytest

from ansible_collections.ecs_tools.iam.plugins.module_utils import _findings


def test_every_finding_has_a_known_severity():
    assert set(_findings.SEVERITY.values()) <= set(_findings.SEVERITIES)
    found = [_findings.finding("pass_role_any_service", "m"), _findings.finding("trust_extra_action", "m")]
    assert [f["severity"] for f in found] == ["high", "low"]
    assert _findings.finding("volume_actions_blocked", "m", severity="medium")["severity"] == "medium"


def test_at_or_above_is_a_prefix_of_the_order():
    assert _findings.SEVERITIES == ("high", "medium", "low", "info")
    assert _findings.at_or_above("high") == ["high"]
    assert _findings.at_or_above("low") == ["high", "medium", "low"]
    assert _findings.at_or_above("info") == list(_findings.SEVERITIES)
    with pytest.raises(ValueError):
        _findings.at_or_above("critical")


GUIDE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "docs", "docsite", "rst", "guide_user.rst")


def test_the_user_guide_gives_every_finding_its_severity():
    """The findings table of the user guide (``* - ``code``  - severity``) is SEVERITY, row for row.
    A finding whose severity depends on the case shows its default first (``high / medium``)."""
    with open(GUIDE) as handle:
        text = handle.read()
    level = "(?:high|medium|low|info)"
    rows = rf"^   \* - ``([a-z_]+)``\n     - ({level})(?: / {level})?$"
    table = dict(re.findall(rows, text, re.MULTILINE))
    assert table == _findings.SEVERITY


def test_findings_about_no_principal_name_none():
    assert _findings.finding("overprivileged_managed_policy", "m")["principals"] == []
    assert _findings.finding("pass_role_any_service", "m", principals=["b", "a", "b", None])["principals"] == ["a", "b"]


ROOT = pathlib.Path(__file__).resolve().parents[5]


# A list of the severities written out: ['high', 'medium', ...], [high, medium, ...], ("high", "medium", ...),
# or a rank {'high': 1, 'medium': 2, ...}.
_COPY = re.compile(r"""["']?high["']?\s*(?::\s*\d+\s*)?,\s*["']?medium["']?\s*(?::\s*\d+\s*)?,\s*["']?low["']?""")


def _code(path):
    text = path.read_text()
    if path.suffix == ".py":  # documentation shows the choices to the user: only code counts
        text = re.sub(r'(?s)(DOCUMENTATION|EXAMPLES|RETURN) = r?""".*?"""', "", text)
    return text


def test_no_other_copy_of_the_severity_order():
    """_findings.SEVERITIES is the one order: the role, the playbooks, their templates and the plugins read
    it (the lookup, the audit filters). The role's argument_specs keep static choices (ansible-core reads
    them before any lookup); test_infrastructure_role checks they equal SEVERITIES."""
    places = [ROOT / "roles", ROOT / "playbooks", ROOT / "plugins"]
    found = []
    for place in places:
        for path in sorted(place.rglob("*")):
            if path.suffix not in (".py", ".yml", ".yaml", ".j2") or path.name == "_findings.py":
                continue
            if path.name == "argument_specs.yml":
                continue
            found.extend(f"{path.relative_to(ROOT)}: {m.group(0)}" for m in _COPY.finditer(_code(path)))
    assert found == []
