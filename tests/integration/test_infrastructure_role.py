# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The infrastructure_role role through ansible-playbook: its messages and its verify threshold."""

import collections
import json

import playbook
from checks import authorization_snapshot
from expected import TRUST_EC2

ANY_SERVICE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}


def run_role(runner, tmp_path, variables):
    """One play applying the role with these variables; returns (rc, output, the ecs_infrastructure_role fact)."""
    fact = tmp_path / "fact.json"
    tasks = [
        {"name": "Apply the role", "ansible.builtin.include_role": {"name": "ecs_tools.iam.infrastructure_role"}},
        {
            "name": "Save the fact",
            "ansible.builtin.copy": {"content": "{{ ecs_infrastructure_role | to_json }}", "dest": str(fact)},
        },
    ]
    path = playbook.write_playbook(tmp_path / "play.yml", [playbook.play(tasks)])
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps(variables))
    proc = playbook.run(path, runner.env(), extra_vars="@" + str(extra))
    result = json.loads(fact.read_text()) if fact.exists() else None
    if fact.exists():
        fact.unlink()
    return proc.returncode, proc.stdout + proc.stderr, result


def test_a_wrong_name_is_the_only_thing_the_message_names(runner, tmp_path, server):
    with server.recording() as rec:
        rc, output, dummy = run_role(runner, tmp_path, {"ecs_infrastructure_role_name": "bad name!"})
    assert rc != 0
    assert "bad name!" in output
    for other in ("path", "max_session_duration", "got null"):
        assert other not in output.split("TASK [ecs_tools.iam.infrastructure_role : Ensure")[-1], other
    assert rec.writes == []


def test_verify_fails_at_or_above_the_severity_threshold(runner, aws, tmp_path):
    iam = aws("iam")
    iam.create_user(UserName="deployer")  # may pass any role to any service: high
    iam.put_user_policy(UserName="deployer", PolicyName="pass-anything", PolicyDocument=json.dumps(ANY_SERVICE))
    base = {"ecs_infrastructure_role_capabilities": "volumes", "ecs_infrastructure_role_usage_regions": "us-east-1"}

    # The first run creates the role, so the verify phase runs.
    rc, output, dummy = run_role(runner, tmp_path, base)
    assert rc != 0
    assert "at or above severity high" in output and "pass_role_any_service" in output and "deployer" in output

    # A converged run skips it (no API call beyond the module's), unless asked to verify always.
    rc, output, fact = run_role(runner, tmp_path, base)
    assert rc == 0, output
    assert fact["changed"] is False and fact["verified"] is False and fact["findings"] == []
    base["ecs_infrastructure_role_verify_always"] = True

    rc, output, fact = run_role(runner, tmp_path, dict(base, ecs_infrastructure_role_fail_on_findings=False))
    assert rc == 0, output
    assert [f["code"] for f in fact["findings"] if f["severity"] == "high"] == ["pass_role_any_service"]

    # Without the high finding, the administrators (one low finding) pass "medium" (so the default "high"
    # too: the role's levels are a slice of the severity order) but not "low".
    iam.delete_user_policy(UserName="deployer", PolicyName="pass-anything")
    iam.attach_user_policy(UserName="deployer", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    rc, output, fact = run_role(runner, tmp_path, dict(base, ecs_infrastructure_role_fail_on_severity="medium"))
    assert rc == 0, output
    assert "pass_role_administrators" in [f["code"] for f in fact["findings"]]
    rc, output, dummy = run_role(runner, tmp_path, dict(base, ecs_infrastructure_role_fail_on_severity="low"))
    assert rc != 0
    assert "at or above severity low" in output and "[low]" in output and "pass_role_administrators" in output


def test_verify_accepts_principals_and_marks_what_is_new_since_a_baseline(runner, server, aws, tmp_path):
    """The audit's accepted principals and baseline in the verify phase (the same filter): an accepted
    high finding stays in the fact but does not fail; a finding the baseline lacks is new."""
    iam = aws("iam")
    iam.create_user(UserName="deployer")
    iam.put_user_policy(UserName="deployer", PolicyName="pass-anything", PolicyDocument=json.dumps(ANY_SERVICE))
    deployer = "arn:aws:iam::123456789012:user/deployer"
    accepted = [{"arn": "arn:aws:iam::123456789012:user/deploy*", "reason": "the deployment pipeline"}]
    base = {
        "ecs_infrastructure_role_capabilities": "volumes",
        "ecs_infrastructure_role_verify_always": True,
        "ecs_infrastructure_role_accepted_principals": accepted,
    }

    # Accepted: the high finding does not fail the verify phase; it is in the fact, marked.
    rc, output, fact = run_role(runner, tmp_path, base)
    assert rc == 0, output
    [finding] = [f for f in fact["findings"] if f["code"] == "pass_role_any_service"]
    assert finding["principals"] == [deployer]
    assert (finding["accepted"], finding["accepted_reason"], finding["status"]) == (
        True,
        "the deployment pipeline",
        "new",
    )

    # That run's findings as an earlier report.json: all known; then a second grant by hand is new and fails.
    baseline = tmp_path / "report.json"
    baseline.write_text(json.dumps({"accounts": [{"account_id": "123456789012", "findings": fact["findings"]}]}))
    iam.create_user(UserName="intern")
    iam.put_user_policy(UserName="intern", PolicyName="pass-anything", PolicyDocument=json.dumps(ANY_SERVICE))
    rc, output, dummy = run_role(runner, tmp_path, dict(base, ecs_infrastructure_role_report_baseline=str(baseline)))
    assert rc != 0
    assert "1 finding(s) at or above severity high" in output and "user intern" in output
    rc, output, fact = run_role(
        runner,
        tmp_path,
        dict(
            base, ecs_infrastructure_role_report_baseline=str(baseline), ecs_infrastructure_role_fail_on_findings=False
        ),
    )
    assert rc == 0, output
    marks = sorted((f["principals"], f["status"], f["accepted"]) for f in fact["findings"])
    assert marks == [([deployer], "known", True), (["arn:aws:iam::123456789012:user/intern"], "new", False)]

    # Bad input: refused before any AWS call to the role.
    for variables, message in (
        (
            {"ecs_infrastructure_role_report_baseline": "missing.json"},
            "ecs_infrastructure_role_report_baseline: cannot read missing.json",
        ),
        (
            {"ecs_infrastructure_role_accepted_principals": [{"arn": "deployer", "reason": "x"}]},
            "ecs_infrastructure_role_accepted_principals[0]: arn 'deployer' is not an ARN pattern",
        ),
    ):
        with server.recording() as rec:
            rc, output, dummy = run_role(runner, tmp_path, dict(base, **variables))
        assert rc != 0 and message in output, output
        assert rec.calls == [], rec.calls


def role_and_module_converged_calls(runner, server, tmp_path, variables, module_args):
    """Apply the role, then count the API calls of a converged role run and of a converged module run
    with the same inputs; both must change nothing."""
    rc, output, fact = run_role(runner, tmp_path, variables)
    assert rc == 0 and fact["changed"] is True and fact["verified"] is True, output
    with server.recording() as role_calls:
        rc, output, fact = run_role(runner, tmp_path, variables)
    assert rc == 0 and fact["changed"] is False and fact["verified"] is False, output
    with server.recording() as module_calls:
        result = runner.one(**module_args)
    assert result["changed"] is False, result  # the same inputs: the module finds nothing to do either
    assert role_calls.writes == [] and module_calls.writes == []
    return role_calls.actions(), module_calls.actions()


CONVERGED = {
    # What the AWX guide's survey sends: a textarea for roles, a blank text field for users.
    "survey": (
        {"ecs_infrastructure_role_pass_role_roles": "pipeline-a\n", "ecs_infrastructure_role_pass_role_users": ""},
        {"pass_role": {"roles": ["pipeline-a"]}},
    ),
    "all lists": (
        {
            "ecs_infrastructure_role_pass_role_users": ["alice"],
            "ecs_infrastructure_role_pass_role_groups": [],
            "ecs_infrastructure_role_pass_role_roles": ["pipeline-a"],
        },
        {"pass_role": {"users": ["alice"], "roles": ["pipeline-a"]}},
    ),
    "no grants": ({}, {}),
}


def test_a_converged_role_run_makes_no_more_calls_than_the_module(runner, server, aws, tmp_path):
    iam = aws("iam")
    common = {"capabilities": ["volumes", "service_connect_tls"], "tags": {"team": "platform"}, "description": "d"}
    counts = {}
    for case, (variables, module_args) in sorted(CONVERGED.items()):
        server.reset()
        iam.create_user(UserName="alice")
        iam.create_role(RoleName="pipeline-a", AssumeRolePolicyDocument=TRUST_EC2)
        role_vars = {"ecs_infrastructure_role_" + k: v for k, v in common.items()}
        role, module = role_and_module_converged_calls(
            runner, server, tmp_path, dict(role_vars, **variables), dict(common, **module_args)
        )
        counts[case] = (len(role), len(module))
        print(f"converged API calls, {case}: role {len(role)} {role}; module {len(module)} {module}")
        # No more calls than the module, and none it does not make (a multiset inclusion).
        assert not collections.Counter(role) - collections.Counter(module), (role, module)
        assert len(role) <= len(module)
    assert counts["survey"][1] == 5 and counts["no grants"][1] == 2


def holders(iam, policy_arn="arn:aws:iam::123456789012:policy/ecsInfrastructureRolePassRole"):
    found = iam.list_entities_for_policy(PolicyArn=policy_arn)
    return {
        "users": sorted(u["UserName"] for u in found["PolicyUsers"]),
        "roles": sorted(r["RoleName"] for r in found["PolicyRoles"]),
    }


def test_a_listed_kind_is_exact_and_an_unset_kind_keeps_its_holders(runner, server, aws, tmp_path):
    iam = aws("iam")
    for user in ("alice", "bob"):
        iam.create_user(UserName=user)
    iam.create_role(RoleName="pipeline-a", AssumeRolePolicyDocument=TRUST_EC2)
    first = {
        "ecs_infrastructure_role_pass_role_users": "alice\nbob",
        "ecs_infrastructure_role_pass_role_roles": "pipeline-a",
    }
    rc, output, dummy = run_role(runner, tmp_path, first)
    assert rc == 0, output
    assert holders(iam) == {"users": ["alice", "bob"], "roles": ["pipeline-a"]}

    # Users listed without bob, roles left blank: bob's grant goes in a second module call (the first
    # grants and revokes nobody), pipeline-a keeps its grant. (Check mode: test_awx_job_template.py.)
    survey = {"ecs_infrastructure_role_pass_role_users": "alice", "ecs_infrastructure_role_pass_role_roles": " "}
    with server.recording() as rec:
        rc, output, fact = run_role(runner, tmp_path, survey)
    assert rc == 0, output
    assert fact["changed"] is True and fact["pass_role"]["users"] == ["alice"]
    assert fact["pass_role"]["roles"] == ["pipeline-a"]
    assert [c.action for c in rec.writes] == ["DetachUserPolicy"]
    assert rec.actions().count("GetRole") >= 2  # two module calls, then the verify phase
    assert holders(iam) == {"users": ["alice"], "roles": ["pipeline-a"]}

    # An explicit empty list revokes a kind; the blank one still keeps its holders.
    rc, output, fact = run_role(runner, tmp_path, {"ecs_infrastructure_role_pass_role_roles": []})
    assert rc == 0, output
    assert holders(iam) == {"users": ["alice"], "roles": []}


BOUNDARY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["ec2:*", "ecs:*", "elasticloadbalancing:*"], "Resource": "*"}],
}


def test_a_blank_survey_answer_keeps_the_boundary_and_only_the_explicit_variable_removes_it(
    runner, server, aws, tmp_path
):
    # An AWX survey sends a field left empty as "": that must never remove the permissions boundary.
    iam = aws("iam")
    boundary = iam.create_policy(PolicyName="Boundary", PolicyDocument=json.dumps(BOUNDARY))["Policy"]["Arn"]
    base = {
        "ecs_infrastructure_role_usage_regions": "us-east-1",
        "ecs_infrastructure_role_description": "Used by ECS",
        "ecs_infrastructure_role_verify": False,
    }
    rc, output, fact = run_role(runner, tmp_path, dict(base, ecs_infrastructure_role_permissions_boundary=boundary))
    assert rc == 0, output
    role = iam.get_role(RoleName="ecsInfrastructureRole")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary

    # Blank answers (what a survey sends) for every string variable: nothing is written, the boundary and the
    # description stay.
    before = authorization_snapshot(iam)
    blanks = {
        "ecs_infrastructure_role_permissions_boundary": "",
        "ecs_infrastructure_role_description": "  ",
        "ecs_infrastructure_role_path": "",
        "ecs_infrastructure_role_pass_role_policy_name": " \n",
        "ecs_infrastructure_role_usage_regions": "us-east-1",
        "ecs_infrastructure_role_verify": False,
    }
    with server.recording() as rec:
        rc, output, fact = run_role(runner, tmp_path, blanks)
    assert rc == 0, output
    assert fact["changed"] is False
    assert rec.writes == []
    assert authorization_snapshot(iam) == before
    role = iam.get_role(RoleName="ecsInfrastructureRole")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    assert role["Description"] == "Used by ECS"

    # Asking to set a boundary and to remove it at once fails before any write.
    with server.recording() as rec:
        rc, output, fact = run_role(
            runner,
            tmp_path,
            dict(
                base,
                ecs_infrastructure_role_permissions_boundary=boundary,
                ecs_infrastructure_role_remove_permissions_boundary=True,
            ),
        )
    assert rc != 0
    assert "ecs_infrastructure_role_remove_permissions_boundary is true and" in output
    assert rec.writes == []
    assert authorization_snapshot(iam) == before

    # The explicit variable (as a survey's "true" answer) removes it, next to a blank boundary answer.
    rc, output, fact = run_role(
        runner,
        tmp_path,
        dict(
            base,
            ecs_infrastructure_role_permissions_boundary="",
            ecs_infrastructure_role_remove_permissions_boundary="true",
        ),
    )
    assert rc == 0, output
    assert fact["changed"] is True
    assert "PermissionsBoundary" not in iam.get_role(RoleName="ecsInfrastructureRole")["Role"]
