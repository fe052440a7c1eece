# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Upgrade from release 1.0.0: what 1.0.0 created converges on the first run of this release.

Release 1.0.0 itself (taken from this repository's history with ``git archive``) creates a role with
managed-policy grants and a role with inline grants on a real moto_server; then this checkout runs
the same tasks. Its first run only adds the ownership mark to 1.0.0's grant policy (shown in the
diff), the next reports no change, and nothing else is written (both in one recorded run).
"""

import os
import subprocess
import tarfile

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RELEASE_1_0_0 = "ec1b2a6"  # "Release notes for 1.0.0 (antsibull-changelog release)"
MARK = "ecs_tools.iam:role-arn"
MANAGED = {"capabilities": ["volumes"], "pass_role": {"users": ["alice"], "groups": ["platform"]}}
INLINE = {"name": "infraInline", "capabilities": ["vpc_lattice"], "pass_role": {"users": ["bob"], "mode": "inline"}}


@pytest.fixture(scope="module")
def release_1_0_0(tmp_path_factory):
    """A collections path holding ecs_tools.iam as released in 1.0.0 (amazon.aws comes from site-packages)."""
    root = tmp_path_factory.mktemp("release-1.0.0")
    archive = root / "iam.tar"
    with open(archive, "wb") as out:
        subprocess.run(["git", "-C", REPO, "archive", RELEASE_1_0_0], stdout=out, check=True)
    target = root / "ansible_collections" / "ecs_tools" / "iam"
    target.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        # The archive is this repository's own history. The "data" filter arrived in Python 3.11.4
        # (PEP 706); Debian 12's python3.11 is 3.11.2, which has no filter argument.
        if hasattr(tarfile, "data_filter"):
            tar.extractall(target, filter="data")
        else:
            tar.extractall(target)
    assert "version: 1.0.0" in (target / "galaxy.yml").read_text()
    return str(root)


def test_what_1_0_0_created_converges_with_only_the_mark_added(runner, server, aws, release_1_0_0):
    iam = aws("iam")
    for user in ("alice", "bob"):
        iam.create_user(UserName=user)
    iam.create_group(GroupName="platform")
    old = runner.run([MANAGED, INLINE], extra_env={"ANSIBLE_COLLECTIONS_PATH": release_1_0_0})
    for result in old:
        assert result["changed"] is True and not result.get("failed"), result.get("msg")
    grant_arn = old[0]["pass_role"]["policy_arn"]
    assert iam.get_policy(PolicyArn=grant_arn)["Policy"].get("Tags", []) == []  # 1.0.0 did not mark it

    # This release's first run and its second, in one recorded playbook run: the only write is the mark.
    with server.recording() as rec:
        results = runner.run([dict(MANAGED, _diff=True), dict(INLINE, _diff=True), MANAGED, INLINE])
    first, second = results[:2], results[2:]
    for result in results:
        assert not result.get("failed"), result.get("msg")
    assert [r["changed"] for r in first] == [True, False]
    assert [r["changed"] for r in second] == [False, False]
    assert [c.action for c in rec.writes] == ["TagPolicy"]
    diff = first[0]["diff"]
    assert diff["before"]["pass_role"]["mark"] is None
    assert diff["after"]["pass_role"]["mark"] == first[0]["role"]["arn"]
    assert diff["before"]["pass_role"]["users"] == diff["after"]["pass_role"]["users"] == ["alice"]
    tags = iam.get_policy(PolicyArn=grant_arn)["Policy"]["Tags"]
    assert tags == [{"Key": MARK, "Value": first[0]["role"]["arn"]}]
    assert first[1]["pass_role"]["users"] == ["bob"]
