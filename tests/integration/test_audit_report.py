# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's report.html template, rendered by the real ``ansible.builtin.template`` (through
``ansible-playbook``, as the audit renders it) from report.json data: a 50-account organization with
60-character names (tests/support/report_fixture.py) and a report of today's shape (no accepted,
status or baseline fields). Checks the structure (cards and their counts, the "new since" section,
accepted findings muted, unreadable regions readable, sort buttons) and, in headless Chromium when
it is installed (tests/support/install_chromium.sh), the layout at 1,280 px and the sort buttons."""

import copy
import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

import playbook  # noqa: E402
import report_fixture  # noqa: E402

TEMPLATE = os.path.join(REPO, "playbooks", "templates", "audit_report.html.j2")
LOAD = "{{ lookup('ansible.builtin.file', item ~ '.json') | from_json }}"


def render(tmp_path, reports):
    """reports: name -> report dict. Renders each with the audit's template; returns name -> HTML."""
    for name, report in reports.items():
        (tmp_path / (name + ".json")).write_text(json.dumps(report))
    book = playbook.write_playbook(
        tmp_path / "render.yml",
        [
            playbook.play(
                [
                    {
                        "name": "Render the report",
                        "loop": sorted(reports),
                        "vars": {"__ecs_audit_report": LOAD},
                        "ansible.builtin.template": {"src": TEMPLATE, "dest": "{{ item }}.html", "mode": "0644"},
                    }
                ]
            )
        ],
    )
    proc = playbook.run(book, playbook.ansible_env(), cwd=tmp_path)
    assert proc.returncode == 0, proc.describe()
    return {name: (tmp_path / (name + ".html")).read_text() for name in reports}


def known_report():
    """A small report whose findings are all known, against a baseline without a date."""
    report = report_fixture.large_report(count=4)
    report["baseline"]["generated_at"] = None
    for row in report["accounts"]:
        for f in row["findings"]:
            f["status"] = "known"
    report["summary"] = report_fixture.expected_counts(report["accounts"])
    return report


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every report the tests look at, rendered by one ansible-playbook run (a process is the cost):
    name -> (report, HTML)."""
    large = report_fixture.large_report()
    reports = {"large": large, "today": today_shape(large), "known": known_report()}
    pages = render(tmp_path_factory.mktemp("rendered"), reports)
    return {name: (reports[name], pages[name]) for name in reports}


class Page(HTMLParser):
    """What the tests look at: cards (data-card -> number), header cells, rows of each table, list
    items by class, the "new since" heading."""

    def __init__(self, text):
        HTMLParser.__init__(self)
        self.cards, self.headers, self.rows, self.items = {}, [], {}, []
        self.stack, self.table, self.card, self.text, self.h2 = [], None, None, [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.stack.append((tag, attrs))
        if tag == "table":
            self.table = attrs.get("id")
            self.rows.setdefault(self.table, [])
        elif tag == "tr" and self.stack[-2][0] == "tbody":
            self.rows[self.table].append(attrs)
        elif tag == "th" and self.table == "accounts":
            self.headers.append(dict(attrs, button=None))
        elif tag == "button" and self.headers and self.stack[-2][0] == "th":
            self.headers[-1]["button"] = attrs.get("type")
        elif tag == "div" and "data-card" in attrs:
            self.card = attrs["data-card"]
        elif tag == "li":
            self.items.append([attrs.get("class"), ""])
        if tag in ("b", "h2"):
            self.text = []

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass
        if tag == "b" and self.card and self.card not in self.cards:
            self.cards[self.card] = int("".join(self.text))
        elif tag == "div":
            self.card = None
        elif tag == "h2":
            self.h2 = "".join(self.text).strip()

    def handle_data(self, data):
        self.text.append(data)
        for item in self.items[-1:]:
            if any(entry[0] == "li" for entry in self.stack):
                item[1] += data


def open_counts(report):
    findings = [f for row in report["accounts"] for f in row["findings"] if not f.get("accepted")]
    return {s: len([f for f in findings if f["severity"] == s]) for s in report_fixture.SEVERITIES}


def today_shape(report):
    """The report as the audit wrote it before accepted principals and baselines: findings are
    {code, severity, message} only, no baseline, no summary.accepted/new."""
    old = copy.deepcopy(report)
    del old["baseline"]
    for key in ("accepted", "new"):
        del old["summary"][key]
    for row in old["accounts"]:
        row["findings"] = [{k: f[k] for k in ("code", "severity", "message")} for f in row["findings"]]
    return old


def test_large_report_structure(rendered):
    report, text = rendered["large"]
    pages = {"today": rendered["today"][1]}
    page = Page(text)
    summary = report["summary"]
    # the fixture holds every case: the counts below cannot be trivially zero
    assert summary["accepted"] and summary["new"] and summary["errors"] and summary["with_unreadable_regions"]
    assert all(open_counts(report).values())

    assert page.cards == dict(
        open_counts(report),
        accounts=50,
        role_present=summary["role_present"],
        role_missing=summary["role_missing"],
        with_findings=summary["with_findings"],
        accepted=summary["accepted"],
        new=summary["new"],
        errors=summary["errors"],
        with_unreadable_regions=summary["with_unreadable_regions"],
    )
    # accepted findings are not in the coloured count: the low card says how many it leaves out
    assert open_counts(report)["low"] == summary["findings"]["low"] - summary["accepted"]
    assert "+{0} accepted".format(summary["accepted"]) in text

    # every account, a row each, coloured by its worst finding not accepted
    rows = page.rows["accounts"]
    assert [r["class"] for r in rows] == ["sev-" + row["highest_severity"] for row in report["accounts"]]
    for row in report["accounts"]:
        assert html.escape(row["account_name"]) in text
        assert len(row["account_name"]) == 60

    # "New since": the report opens with the new findings (account, severity, code, message)
    new = [(row, f) for row in report["accounts"] for f in row["findings"] if f["status"] == "new"]
    assert page.h2 == f"New since 2026-11-27T22:00:00Z: {len(new)} findings"
    assert text.index('id="new"') < text.index('id="cards"') < text.index('id="accounts"')
    assert len(page.rows["new-findings"]) == len(new)
    section = text[text.index('id="new"') : text.index("</section>")]
    for row, f in new:
        assert row["account_id"] in section and f["code"] in section
    assert "pass_role_administrators" not in section  # known, not new

    # accepted: muted, with the reason; new ones tagged
    accepted = [item for item in page.items if item[0] == "accepted"]
    assert len(accepted) == summary["accepted"]
    assert all("(accepted: AWS SSO administrators (platform team))" in item[1] for item in accepted)
    assert text.count('<span class="tag-new">new</span>') == summary["new"]

    # unreadable regions: region and error, readable; no Python repr anywhere
    # (the error once: in the usage_region_unreadable finding, or in the Regions cell when there is none)
    unreadable = [row for row in report["accounts"] if row["regions_unreadable"]]
    said = [row for row in unreadable if any(f["code"] == "usage_region_unreadable" for f in row["findings"])]
    assert 0 < len(said) < len(unreadable)
    assert text.count('">ap-southeast-2</code></li>') == len(said)
    spelled = '">ap-southeast-2</code>: <span title="Failed to list ECS clusters'
    assert text.count(spelled) == len(unreadable) - len(said)
    table = text[text.index('id="accounts"') :]
    assert table.count("when calling the ListClusters operation") == len(unreadable) * 2  # message, tooltip
    assert "{'" not in text and "u'" not in text and "': " not in text
    assert "regions: every enabled region;" in text  # regions [] in report.json

    # sortable from the keyboard: a button in every heading, aria-sort on each
    assert len(page.headers) == 9
    assert all(h["button"] == "button" for h in page.headers), page.headers
    assert [h["aria-sort"] for h in page.headers].count("ascending") == 1
    assert {h["aria-sort"] for h in page.headers} == {"ascending", "none"}
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "external asset"

    # today's report.json (no accepted/status/baseline) renders: every finding counted, no "new" section
    old_page = Page(pages["today"])
    assert 'id="new"' not in pages["today"] and "new" not in old_page.cards
    assert old_page.cards["accepted"] == 0
    for severity in report_fixture.SEVERITIES:
        assert old_page.cards[severity] == summary["findings"][severity]
    assert "{'" not in pages["today"]


def test_baseline_without_date_and_nothing_new(rendered):
    page = Page(rendered["known"][1])
    assert page.h2 == "New since the baseline: 0 findings"
    assert page.cards["new"] == 0
    assert "new-findings" not in page.rows


PROBE = """<script>
(function () {
  var table = document.getElementById("accounts"), th = table.tHead.rows[0].cells;
  var root = document.documentElement, findings = th[7].getBoundingClientRect();
  var result = {viewport: root.clientWidth, page: root.scrollWidth, findingsLeft: findings.left,
                findingsRight: findings.right, nameWidth: th[1].getBoundingClientRect().width, focusable: 0};
  for (var i = 0; i < th.length; i++) {
    var button = th[i].querySelector("button");
    button.focus();
    if (document.activeElement === button) { result.focusable++; }
  }
  var account = th[0].querySelector("button");
  account.click();
  result.first = [th[0].getAttribute("aria-sort"), table.tBodies[0].rows[0].cells[0].getAttribute("data-sort")];
  account.click();
  result.second = [th[0].getAttribute("aria-sort"), table.tBodies[0].rows[0].cells[0].getAttribute("data-sort")];
  result.worst = th[3].getAttribute("aria-sort");
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
})();
</script>
</body>"""


def browser():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(not browser(), reason="chromium is not installed (tests/support/install_chromium.sh)")
def test_layout_at_1280_px_and_sort_buttons_in_chromium(rendered, tmp_path):
    report, text = rendered["large"]
    page = tmp_path / "probe.html"
    page.write_text(text.replace("</body>", PROBE, 1))
    command = [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"]
    command += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    command += ["--user-data-dir=" + str(tmp_path / "profile"), "--window-size=1280,800", "--dump-dom"]
    run = subprocess.run(command + ["file://" + str(page)], capture_output=True, text=True, timeout=120, check=False)
    dom = run.stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom)
    assert found, dom[-2000:]
    result = json.loads(html.unescape(found.group(1)))
    assert result["viewport"] == 1280, result
    # the whole table fits: no horizontal scrolling, the Findings column on screen and wide enough
    assert result["page"] <= 1280, result
    assert result["findingsRight"] <= 1280 and result["findingsRight"] - result["findingsLeft"] >= 250, result
    assert result["nameWidth"] < 300, result  # 60-character names wrap
    assert result["focusable"] == 9, result
    ids = sorted(row["account_id"] for row in report["accounts"])
    assert result["first"] == ["ascending", ids[0]], result
    assert result["second"] == ["descending", ids[-1]], result
    assert result["worst"] == "none", result
