# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report outlives the job: ecs_tools.iam.audit with ecs_infrastructure_role_report_s3_bucket, through
the real ``ansible-playbook``, on a moto organization, uploads report.json and report.html to a moto S3
bucket (this audit's folder and latest/), encrypted, with their content types, bodies equal to the local
files, presigned links that work; a failing audit uploads too; check mode uploads nothing; bad settings
are refused before any account is read; an upload that fails names the bucket and the key."""

import itertools
import json
import os
import re
import sys
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

import playbook  # noqa: E402
from moto_server import MotoServer  # noqa: E402
from organization import build  # noqa: E402
from organization import create_role  # noqa: E402

ROLE = "ecsInfrastructureRole"
VOLUMES = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
BUCKET = "audit-reports"
NEVER_FAIL = {
    "ecs_infrastructure_role_audit_fail_on_severity": "none",
    "ecs_infrastructure_role_audit_fail_on_unreadable": False,
    "ecs_infrastructure_role_usage_regions": "us-east-1",
}
FILES = {"report.json": "application/json", "report.html": "text/html; charset=utf-8"}


@pytest.fixture(scope="module")
def server():
    """A moto server of this module's own (it overrides conftest's ``server``, so ``runner`` and ``aws``
    use it): the organization is built once and only read; each test writes only to a bucket of its own."""
    own = MotoServer().start()
    yield own
    own.stop()


@pytest.fixture(scope="module")
def organization(server):
    """Two member accounts: one with a sound role, one whose role ECS cannot assume (a high finding)."""
    org = build(server.env(), {"": ["acct-ok", "acct-bad"]})
    create_role(server.env(), org.account_id("acct-ok"), ["ecs.amazonaws.com"], [VOLUMES], role_name=ROLE)
    create_role(server.env(), org.account_id("acct-bad"), ["ec2.amazonaws.com"], [VOLUMES], role_name=ROLE)
    return org


@pytest.fixture
def fleet(organization, tmp_path):
    (tmp_path / "org.aws_accounts.yml").write_text("plugin: ecs_tools.iam.aws_accounts\n")
    return organization


BUCKETS = itertools.count(1)


@pytest.fixture
def bucket(aws):
    """A new bucket for each test (the server is the module's)."""
    name = f"{BUCKET}-{next(BUCKETS)}"
    aws("s3").create_bucket(Bucket=name)
    return name


def run_audit(runner, tmp_path, extra_vars, args=()):
    return playbook.run(
        "ecs_tools.iam.audit",
        runner.env(extra={"ANSIBLE_SHOW_CUSTOM_STATS": "true"}),
        cwd=tmp_path,
        inventory=[tmp_path / "org.aws_accounts.yml"],
        forks=2,
        extra_vars=dict({"ecs_infrastructure_role_usage_regions": "us-east-1"}, **extra_vars),
        args=args,
        results=True,
    )


def custom_stats(proc):
    """What set_stats published for the run (AWX's artifacts): the json callback's global_custom_stats."""
    return (proc.document or {}).get("global_custom_stats", {}).get("ecs_infrastructure_role_audit", {})


def messages(proc):
    """Every msg the play printed or failed with (the json callback's results)."""
    found = []
    for task in proc.tasks:
        for result in task["hosts"].values():
            for item in result.get("results", [result]):
                if isinstance(item, dict) and isinstance(item.get("msg"), str):
                    found.append(item["msg"])
    return found


def keys(aws, bucket):
    return sorted(o["Key"] for o in aws("s3").list_objects_v2(Bucket=bucket).get("Contents", []))


def stamp_of(report):
    return re.sub("[-:]", "", report["generated_at"])


def test_a_failing_audit_uploads_both_files_encrypted_with_links_then_the_next_replaces_latest(
    fleet, bucket, runner, server, aws, tmp_path
):
    report_dir = tmp_path / "ecs-infrastructure-role-report"
    with server.recording() as rec:
        proc = run_audit(
            runner,
            tmp_path,
            {
                "ecs_infrastructure_role_report_s3_bucket": bucket,
                "ecs_infrastructure_role_report_s3_prefix": "/fleet//audits//",  # normalised to fleet/audits/
                "ecs_infrastructure_role_report_s3_presign_seconds": "900",  # as an AWX survey sends it
            },
        )
    # acct-bad's high finding fails the job (the default threshold), after the upload.
    assert proc.returncode == 2, proc.describe()
    failed = [m for m in messages(proc) if "; failed: " in m]
    assert failed and failed[0].endswith("(ecs_infrastructure_role_audit_fail_on_severity)"), messages(proc)

    report = json.loads((report_dir / "report.json").read_text())
    stamp = stamp_of(report)
    assert re.fullmatch(r"\d{8}T\d{6}Z", stamp), stamp
    folder, latest = f"fleet/audits/{stamp}/", "fleet/audits/latest/"
    assert keys(aws, bucket) == sorted(folder + name for name in FILES) + sorted(latest + name for name in FILES)

    s3 = aws("s3")
    for key in keys(aws, bucket):
        name = key.rsplit("/", 1)[1]
        obj = s3.get_object(Bucket=bucket, Key=key)
        assert obj["ServerSideEncryption"] == "AES256", key
        assert obj["ContentType"] == FILES[name], key
        assert obj["Body"].read() == (report_dir / name).read_bytes(), key
        # No ACL asked for (that would need s3:PutObjectAcl): the owner's full control only.
        grants = s3.get_object_acl(Bucket=bucket, Key=key)["Grants"]
        assert [g["Permission"] for g in grants] == ["FULL_CONTROL"], grants

    # The accounts were only read (moto's recorder names no action for S3's REST calls: the objects
    # above are what S3 got).
    assert rec.writes == [], rec.writes
    assert "s3" in {c.service for c in rec.calls}

    stats = custom_stats(proc)
    assert stats["accounts"] == 2 and stats["findings"]["high"] >= 1, stats  # the counts are still there
    urls = stats["report_urls"]
    assert urls["html_s3"] == f"s3://{bucket}/{folder}report.html"
    assert urls["json_s3"] == f"s3://{bucket}/{folder}report.json"
    assert urls["latest_html_s3"] == f"s3://{bucket}/{latest}report.html"
    assert urls["latest_json_s3"] == f"s3://{bucket}/{latest}report.json"
    assert urls["html_url"] == f"{server.url}/{bucket}/{folder}report.html", urls
    assert stats["report_s3"] == {
        "bucket": bucket,
        "prefix": "fleet/audits/",
        "uploaded": True,
        "encryption": "AES256",
        "keys": [folder + "report.json", folder + "report.html", latest + "report.json", latest + "report.html"],
        "presign_seconds": 900,
    }
    for name, short in (("report.json", "json"), ("report.html", "html")):
        link = urls[short + "_presigned"]
        assert "Expires=" in link or "X-Amz-Expires=900" in link, link
        with urllib.request.urlopen(link, timeout=30) as response:  # no credentials: the link is the grant
            assert response.read() == (report_dir / name).read_bytes()

    line = [m for m in messages(proc) if m.startswith("ECS infrastructure role audit report in S3: ")]
    assert line == [
        "ECS infrastructure role audit report in S3: {0} ({1}) and report.json beside it; latest: {2}; "
        "presigned links valid 900 s: {3} {4}".format(
            urls["html_s3"], urls["html_url"], urls["latest_html_s3"], urls["html_presigned"], urls["json_presigned"]
        )
    ], messages(proc)
    print(line[0])
    print(keys(aws, bucket))

    # The next audit, with SSE-KMS (a customer managed key), no links and the thresholds off, into the
    # same prefix: it adds its own folder and replaces latest/; the first audit's folder stays as it was.
    key_arn = aws("kms").create_key(Description="audit reports")["KeyMetadata"]["Arn"]
    second_dir = tmp_path / "second"
    proc = run_audit(
        runner,
        tmp_path,
        dict(
            NEVER_FAIL,
            ecs_infrastructure_role_report_s3_bucket=bucket,
            ecs_infrastructure_role_report_s3_prefix="fleet/audits",
            ecs_infrastructure_role_report_s3_kms_key_id=key_arn,
            ecs_infrastructure_role_report_dir=str(second_dir),
        ),
    )
    assert proc.returncode == 0, proc.describe()
    second = stamp_of(json.loads((second_dir / "report.json").read_text()))
    stats = custom_stats(proc)
    assert stats["report_s3"]["encryption"] == "aws:kms" and stats["report_s3"]["uploaded"] is True, stats
    assert "html_presigned" not in stats["report_urls"]  # no presign_seconds, no links
    if second == stamp:
        pytest.skip("both audits ran within the same second")
    prefix = "fleet/audits/"
    assert keys(aws, bucket) == sorted(
        prefix + folder + "/" + name for folder in (stamp, second, "latest") for name in FILES
    )
    for key in keys(aws, bucket):
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head["ContentType"] == FILES[key.rsplit("/", 1)[1]], key
        if key.startswith(prefix + stamp):
            assert head["ServerSideEncryption"] == "AES256", key
        else:
            assert head["ServerSideEncryption"] == "aws:kms", key
            assert head["SSEKMSKeyId"] == key_arn, key
    for name in FILES:
        newest = s3.get_object(Bucket=bucket, Key=prefix + "latest/" + name)["Body"].read()
        assert newest == (second_dir / name).read_bytes()
        assert newest == s3.get_object(Bucket=bucket, Key=prefix + second + "/" + name)["Body"].read()
        first = s3.get_object(Bucket=bucket, Key=prefix + stamp + "/" + name)["Body"].read()
        assert first == (report_dir / name).read_bytes()


def test_check_mode_uploads_nothing_and_says_where_it_would(fleet, bucket, runner, server, aws, tmp_path):
    with server.recording() as rec:
        proc = run_audit(
            runner,
            tmp_path,
            dict(
                NEVER_FAIL,
                ecs_infrastructure_role_report_s3_bucket=bucket,
                ecs_infrastructure_role_report_s3_presign_seconds=60,
            ),
            args=("--check",),
        )
    assert proc.returncode == 0, proc.describe()
    assert proc.changed == 0, proc.stats
    assert keys(aws, bucket) == []
    assert "s3" not in {c.service for c in rec.calls}, rec.calls  # not even a look at the bucket
    report = json.loads((tmp_path / "ecs-infrastructure-role-report" / "report.json").read_text())
    folder = f"s3://{bucket}/ecs-infrastructure-role-report/"
    would = [m for m in messages(proc) if "not uploaded" in m]
    assert would == [
        "ECS infrastructure role audit report: check mode, not uploaded; would upload report.json and report.html "
        f"to {folder}{stamp_of(report)}/ and {folder}latest/ (AES256)"
    ], messages(proc)
    stats = custom_stats(proc)
    assert stats["report_s3"]["uploaded"] is False and stats["report_urls"] == {}, stats
    assert stats["accounts"] == 2


BAD_SETTINGS = [
    (
        {"ecs_infrastructure_role_report_s3_bucket": "s3://audit-reports"},
        "ecs_infrastructure_role_report_s3_bucket 's3://audit-reports' is not an S3 bucket name: 3 to 63",
    ),
    ({"ecs_infrastructure_role_report_s3_bucket": "Audit_Reports"}, "'Audit_Reports' is not an S3 bucket name"),
    ({"ecs_infrastructure_role_report_s3_bucket": "a..b"}, "'a..b' is not an S3 bucket name"),
    ({"ecs_infrastructure_role_report_s3_bucket": "192.168.1.1"}, "'192.168.1.1' is not an S3 bucket name"),
    (
        {"ecs_infrastructure_role_report_s3_bucket": BUCKET, "ecs_infrastructure_role_report_s3_presign_seconds": 0},
        "ecs_infrastructure_role_report_s3_presign_seconds must be a whole number of seconds from 1 to 604800"
        " (7 days, the longest a presigned link can be valid); got '0'",
    ),
    (
        {"ecs_infrastructure_role_report_s3_bucket": BUCKET, "ecs_infrastructure_role_report_s3_presign_seconds": "1h"},
        "got '1h'",
    ),
    (
        # Two problems at once, both named.
        {
            "ecs_infrastructure_role_report_s3_kms_key_id": "alias/reports",
            "ecs_infrastructure_role_report_s3_presign_seconds": "604801",
        },
        "got '604801'; ecs_infrastructure_role_report_s3_kms_key_id is set but ecs_infrastructure_role_report_s3_bucket"
        " is not: set the bucket to upload the report, or leave the key blank; "
        "ecs_infrastructure_role_report_s3_presign_seconds is set but ecs_infrastructure_role_report_s3_bucket is not",
    ),
    (
        {"ecs_infrastructure_role_report_s3_bucket": BUCKET, "ecs_infrastructure_role_report_s3_prefix": "x" * 901},
        "ecs_infrastructure_role_report_s3_prefix is 902 characters long; at most 900",
    ),
]


PLAYBOOKS = os.path.join(HERE, "..", "..", "playbooks")
GOOD_SETTINGS = {
    "ecs_infrastructure_role_report_s3_bucket": BUCKET,
    "ecs_infrastructure_role_report_s3_prefix": "x" * 899,  # 900 with the trailing "/"
    "ecs_infrastructure_role_report_s3_presign_seconds": "604800",
    "ecs_infrastructure_role_report_s3_kms_key_id": "alias/reports",
}


def test_the_settings_checks_name_every_problem(tmp_path):
    """The audit's checks of its S3 settings (playbooks/tasks/report_s3_checks.yml with
    playbooks/vars/report_s3.yml, as the audit loads them) for every bad setting above and one good
    set, in one ansible-playbook run: a play per case, whose rescue keeps the message. No AWS."""
    plays = []
    for index, (settings, dummy) in enumerate(BAD_SETTINGS + [(GOOD_SETTINGS, None)]):
        check = {
            "name": "The audit's checks",
            "ansible.builtin.import_tasks": f"{PLAYBOOKS}/tasks/report_s3_checks.yml",
        }
        keep = {
            "name": "Keep the message",
            "ansible.builtin.copy": {
                "content": "{{ ansible_failed_result.msg }}",
                "dest": str(tmp_path / f"{index}.txt"),
            },
        }
        case = playbook.play(
            [{"name": "Check", "block": [check], "rescue": [keep]}], name=f"case {index}", variables=settings
        )
        case["vars_files"] = [f"{PLAYBOOKS}/vars/report_s3.yml"]
        plays.append(case)
    book = playbook.write_playbook(tmp_path / "checks.yml", plays)
    proc = playbook.run(book, playbook.ansible_env(), cwd=tmp_path)
    assert proc.returncode == 0, proc.describe()
    for index, (settings, message) in enumerate(BAD_SETTINGS):
        kept = tmp_path / f"{index}.txt"
        assert kept.exists(), (settings, proc.describe())
        failure = kept.read_text()
        assert failure.endswith("; nothing was read and no report was written"), (settings, failure)
        assert message in failure, (settings, failure)
    good = tmp_path / f"{len(BAD_SETTINGS)}.txt"
    assert not good.exists(), "good settings refused: " + (good.read_text() if good.exists() else "")


def test_bad_settings_are_refused_before_any_account_is_read(runner, server, tmp_path):
    """Through the audit: one account host (a static inventory: no organization to read); a bad setting
    fails the play before the account's role is assumed, with every problem named; nothing in the
    bucket, no report. (Every bad setting: test_the_settings_checks_name_every_problem.)"""
    (tmp_path / "static.yml").write_text(
        "all:\n  hosts:\n    member:\n"
        "      ecs_infrastructure_role_assume_role_arn: arn:aws:iam::111111111111:role/OrganizationAccountAccessRole\n"
    )
    settings = {  # two problems at once, both named
        "ecs_infrastructure_role_report_s3_bucket": "refused..reports",
        "ecs_infrastructure_role_report_s3_presign_seconds": "604801",
    }
    with server.recording() as rec:
        proc = playbook.run(
            "ecs_tools.iam.audit",
            runner.env(),
            cwd=tmp_path,
            inventory=[tmp_path / "static.yml"],
            extra_vars=settings,
            results=True,
        )
    assert proc.returncode == 2, (settings, proc.describe())
    failures = [m for m in messages(proc) if m.endswith("; nothing was read and no report was written")]
    assert len(failures) == 1, messages(proc)
    assert "'refused..reports' is not an S3 bucket name" in failures[0] and "got '604801'" in failures[0], failures
    assert rec.calls == [], rec.calls  # not even AssumeRole
    assert not (tmp_path / "ecs-infrastructure-role-report").exists()
    print(failures[0])


def test_a_failed_upload_names_the_bucket_and_key_after_the_local_report(fleet, runner, aws, tmp_path):
    proc = run_audit(runner, tmp_path, dict(NEVER_FAIL, ecs_infrastructure_role_report_s3_bucket="no-such-bucket"))
    assert proc.returncode == 2, proc.describe()
    report_dir = tmp_path / "ecs-infrastructure-role-report"
    report = json.loads((report_dir / "report.json").read_text())  # written before the upload
    failed = [m for m in messages(proc) if "could not be uploaded" in m]
    assert len(failed) == 1, messages(proc)
    assert failed[0].startswith("ECS infrastructure role audit: 2 accounts, 2 read, 0 not readable;"), failed[0]
    expected = (
        "; failed: the report could not be uploaded to "
        f"s3://no-such-bucket/ecs-infrastructure-role-report/{stamp_of(report)}/report.json (Put the "
        "report files in the bucket): "
    )
    assert expected in failed[0], failed[0]
    assert "NoSuchBucket" in failed[0], failed[0]
    assert failed[0].endswith(f"; the local report is in {report_dir}"), failed[0]
    print(failed[0])
