# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The infrastructure_role role through ansible-playbook: its messages and its verify threshold."""

import json
import os
import subprocess
import sys

import yaml

ANY_SERVICE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}


def run_role(runner, tmp_path, variables):
    """One play applying the role with these variables; returns (rc, output, the ecs_infrastructure_role fact)."""
    fact = tmp_path / "fact.json"
    play = {
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "vars": {"ansible_python_interpreter": sys.executable},
        "tasks": [
            {"name": "Apply the role", "ansible.builtin.include_role": {"name": "ecs_tools.iam.infrastructure_role"}},
            {
                "name": "Save the fact",
                "ansible.builtin.copy": {"content": "{{ ecs_infrastructure_role | to_json }}", "dest": str(fact)},
            },
        ],
    }
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([play]))
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps(variables))
    proc = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
            "-i",
            "localhost,",
            str(playbook),
            "-e",
            "@" + str(extra),
        ],
        env=runner.env(),
        capture_output=True,
        text=True,
        check=False,
    )
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

    rc, output, dummy = run_role(runner, tmp_path, base)
    assert rc != 0
    assert "at or above severity high" in output and "pass_role_any_service" in output and "deployer" in output

    rc, output, fact = run_role(runner, tmp_path, dict(base, ecs_infrastructure_role_fail_on_findings=False))
    assert rc == 0, output
    assert [f["code"] for f in fact["findings"] if f["severity"] == "high"] == ["pass_role_any_service"]

    # Without the high finding, an administrator (medium) passes the default threshold but not "medium".
    iam.delete_user_policy(UserName="deployer", PolicyName="pass-anything")
    iam.attach_user_policy(UserName="deployer", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    rc, output, fact = run_role(runner, tmp_path, base)
    assert rc == 0, output
    assert "pass_role_administrator" in [f["code"] for f in fact["findings"]]
    rc, output, dummy = run_role(runner, tmp_path, dict(base, ecs_infrastructure_role_fail_on_severity="medium"))
    assert rc != 0
    assert "at or above severity medium" in output and "[medium]" in output and "pass_role_administrator" in output
