# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Least privilege: the policies of docs/iam-policies/ are enough, and every action in them is needed.

A separate moto_server (not the shared session one) enforces IAM authorization: it answers the
first ``INITIAL_NO_AUTH_ACTION_COUNT`` requests without checking them, then checks every request
against the caller's IAM policies. Each test re-arms that counter (``POST /moto-api/reset-auth``,
what moto's own ``set_initial_no_auth_action_count`` does in server mode) and spends it on exactly
``ROOT_CALLS`` calls with the default credentials, which create an ``admin`` user allowed
everything. The admin then sets the account up (principals, boundaries, a drifted PassRole
policy, an ECS cluster with a service and a stopped task) and creates one ``deployer-<step>`` user
per step, each holding only the policy under test. The whole lifecycle runs through ansible-playbook
with its deployer's keys (the user's path); the one out-of-band step (someone editing the role by
hand) uses the admin's.

The proof that each action is needed denies one action at a time and runs the lifecycle up to the
step that first needs it. It runs the same modules' own ``main()`` in this process
(``Account.run_in_process``: argument spec, service layer, boto3 against the enforcing moto_server),
not one ansible-playbook per action: what is proved is the modules' calls, and the executor adds
only its start-up time (44 playbooks took some 990 s of the suite).

The lifecycle exercises every path that makes an AWS call: create with a boundary, tags and
a PassRole grant whose (marked) policy already exists with a drifted document and five versions;
converge; hand edits (trust policy, an inline policy, an instance profile, the grant's mark removed);
update every setting (adopting the unmarked grant); switch
the grants to inline mode and back; the info module on us-east-1, then on every region EC2
DescribeRegions lists; drop the Volumes capability (in-use guard); delete. moto's recorder names
each request's access key, hence its step, which gives ``FIRST_USE``: where each action is first
needed.
"""

import contextlib
import importlib
import io
import json
import os
import subprocess
import sys
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
POLICIES = os.path.join(REPO, "docs", "iam-policies")
SUPPORT = os.path.join(REPO, "tests", "support")
if SUPPORT not in sys.path:
    sys.path.insert(0, SUPPORT)

import playbook  # noqa: E402
from collection_link import make_importable  # noqa: E402
from moto_server import MotoServer  # noqa: E402
from moto_server import parse_call  # noqa: E402

make_importable()  # the modules run in this process too (run_module)

from ansible.module_utils.testing import patch_module_args  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"
MODULE = "ecs_tools.iam.ecs_infrastructure_role"
INFO_MODULE = "ecs_tools.iam.ecs_infrastructure_role_info"
ROLE = "ecsInfrastructureRole"
GRANT_POLICY = ROLE + "PassRole"
GRANT_POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{GRANT_POLICY}"
BOUNDARY_V1 = f"arn:aws:iam::{ACCOUNT}:policy/EcsInfraBoundaryV1"
BOUNDARY_V2 = f"arn:aws:iam::{ACCOUNT}:policy/EcsInfraBoundaryV2"
PROFILE = "ecs-infra-profile"
HAND_MADE = "hand-made"

# The requests moto answers without authorization in each test: the admin's CreateUser,
# PutUserPolicy and CreateAccessKey.
ROOT_CALLS = 3
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
TRUST_DRIFTED = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
    ],
}
UNRELATED = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
}


# The finding the account's admin gives the info step (the one the info_findings step lets through).
ADMIN_FINDING = "pass_role_administrators"


def drifted_grant(resource):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": resource}],
    }


# ---------------------------------------------------------------- the policies


def load_policy(name):
    with open(os.path.join(POLICIES, name + ".json")) as f:
        return json.load(f)


def actions_of(document):
    return [action for statement in document["Statement"] for action in statement["Action"]]


FEATURES = ("role", "pass_role", "guard", "info")
ALL_ACTIONS = actions_of(load_policy("all"))


def without(document, removed):
    document = json.loads(json.dumps(document))
    for statement in document["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != removed]
    return document


# ---------------------------------------------------------------- the lifecycle

CAPABILITIES = ["volumes", "service_connect_tls"]
CREATE = dict(
    capabilities=CAPABILITIES,
    description="ECS infrastructure role",
    max_session_duration=3600,
    permissions_boundary=BOUNDARY_V1,
    tags={"team": "platform", "stage": "dev"},
    pass_role={"users": ["alice"]},
)
UPDATE = dict(
    CREATE,
    description="ECS infrastructure role, production",
    max_session_duration=7200,
    permissions_boundary=BOUNDARY_V2,
    tags={"team": "platform", "owner": "ops"},
    pass_role={"users": ["alice", "bob"], "groups": ["platform"], "roles": ["deploy"]},
)
INLINE = dict(UPDATE, permissions_boundary="", pass_role=dict(UPDATE["pass_role"], mode="inline"))
MANAGED = dict(INLINE, pass_role={"users": ["alice"]})
DROP_VOLUMES = dict(capabilities=["service_connect_tls"], usage_regions=[REGION])
ABSENT = dict(state="absent", usage_regions=[REGION])

# Hand edits between two runs, made with the admin's keys.
DRIFT_SCRIPT = """
import json, sys
import boto3
role, trust, profile, name, document, grant = sys.argv[1:]
iam = boto3.client("iam")
iam.update_assume_role_policy(RoleName=role, PolicyDocument=trust)
# The grant (where there is one) loses its mark, as one made by release 1.0.0 or by hand: the next
# run adopts it.
try:
    iam.untag_policy(PolicyArn=grant, TagKeys=["ecs_tools.iam:role-arn"])
except iam.exceptions.NoSuchEntityException:
    pass
iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=document)
iam.create_instance_profile(InstanceProfileName=profile)
iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
"""

STEPS = (
    "create",
    "converge",
    "drift",
    "update",
    "inline",
    "info",
    "info_findings",
    "regions",
    "managed",
    "drop_volumes",
    "absent",
)
CHANGED = dict(
    create=True,
    converge=False,
    drift=True,
    update=True,
    inline=True,
    info=False,
    info_findings=False,
    regions=False,
    managed=True,
    drop_volumes=True,
    absent=True,
)
# Steps that change nothing (-> the steps to run when an action is first needed there). A run that
# shows an action is needed skips them before the step that first needs it: the scan of every
# region (``regions``) alone takes half a minute.
READ_ONLY = {
    "converge": ("converge",),
    "info": ("info", "info_findings"),
    "info_findings": (),
    "regions": ("regions",),
}

# Where the lifecycle first needs each action (checked against moto's recorder by
# test_lifecycle_with_all_json). Missing an action makes exactly that step fail.
FIRST_USE = {
    "sts:GetCallerIdentity": "create",
    "iam:GetRole": "create",
    "iam:GetPolicy": "create",
    "iam:GetPolicyVersion": "create",
    "iam:ListEntitiesForPolicy": "create",
    "iam:GetUser": "create",
    "iam:CreateRole": "create",
    "iam:AttachRolePolicy": "create",
    "iam:ListPolicyVersions": "create",
    "iam:DeletePolicyVersion": "create",
    "iam:CreatePolicyVersion": "create",
    "iam:AttachUserPolicy": "create",
    "iam:ListAttachedRolePolicies": "create",
    "iam:UpdateAssumeRolePolicy": "update",
    "iam:UpdateRole": "update",
    "iam:PutRolePermissionsBoundary": "update",
    "iam:UntagRole": "update",
    "iam:TagRole": "update",
    "iam:TagPolicy": "update",
    "iam:GetGroup": "update",
    "iam:AttachGroupPolicy": "update",
    "iam:DeleteRolePermissionsBoundary": "inline",
    "iam:GetAccountAuthorizationDetails": "inline",
    "iam:PutUserPolicy": "inline",
    "iam:PutGroupPolicy": "inline",
    "iam:PutRolePolicy": "inline",
    "iam:DetachUserPolicy": "inline",
    "iam:DetachGroupPolicy": "inline",
    "iam:DetachRolePolicy": "inline",
    "iam:DeletePolicy": "inline",
    "ec2:DescribeRegions": "regions",
    "ec2:DescribeVolumes": "info",
    "ecs:ListClusters": "info",
    "ecs:ListServices": "info",
    "ecs:DescribeServices": "info",
    "ecs:ListTasks": "info",
    "ecs:DescribeTasks": "info",
    "iam:CreatePolicy": "managed",
    "iam:UntagPolicy": "managed",
    "iam:DeleteUserPolicy": "managed",
    "iam:DeleteGroupPolicy": "managed",
    "iam:DeleteRolePolicy": "managed",
    # The in-use guard evaluates the role's policies before the boundary changes (issue 18).
    "iam:ListRolePolicies": "update",
    "iam:GetRolePolicy": "update",
    "iam:ListInstanceProfilesForRole": "absent",
    "iam:RemoveRoleFromInstanceProfile": "absent",
    "iam:DeleteRole": "absent",
}

# moto lets sts:GetCallerIdentity through whatever the policy says (moto/iam/access_control.py,
# check_action_permitted), as AWS does: "No permissions are required to perform this operation".
NEVER_DENIED = ("sts:GetCallerIdentity",)

# The info module reports a region it cannot scan as a finding (usage_region_unreadable), not as
# a failure: the lifecycle asserts that there is none (info_findings), as the README recommends.
# DescribeRegions comes before any region is scanned: without it the module fails.
SCAN_ACTIONS = [a for a in actions_of(load_policy("guard")) if a != "ec2:DescribeRegions"]


def steps_needing(action, admin_env):
    """The lifecycle up to the step that first needs ``action`` (and the assertion on its result),
    without the read-only steps before it."""
    first = FIRST_USE[action]
    wanted = READ_ONLY.get(first, (first,))
    steps = lifecycle(admin_env)[: STEPS.index(wanted[-1]) + 1]
    return [step for step in steps if step[0] not in READ_ONLY or step[0] in wanted]


def lifecycle(admin_env):
    """The steps, in order: (name, module, args, extra environment)."""
    drift = {
        "argv": [
            sys.executable,
            "-c",
            DRIFT_SCRIPT,
            ROLE,
            json.dumps(TRUST_DRIFTED),
            PROFILE,
            HAND_MADE,
            json.dumps(UNRELATED),
            GRANT_POLICY_ARN,
        ]
    }
    # The account's admin (Allow * on *) can pass the role: the one finding expected, low, naming the admins.
    findings = {
        "that": [f"lp_info.findings | rejectattr('code', 'equalto', {ADMIN_FINDING!r}) | list | length == 0"],
        "fail_msg": "{{ lp_info.findings | map(attribute='message') | join('; ') }}",
        "quiet": True,
    }
    steps = dict(
        create=(MODULE, CREATE, {}),
        converge=(MODULE, CREATE, {}),
        drift=("ansible.builtin.command", drift, admin_env),
        update=(MODULE, UPDATE, {}),
        inline=(MODULE, INLINE, {}),
        info=(INFO_MODULE, {"usage_regions": [REGION]}, {}),
        info_findings=("ansible.builtin.assert", findings, {}),
        regions=(INFO_MODULE, {}, {}),  # no usage_regions: every region EC2 DescribeRegions lists
        managed=(MODULE, MANAGED, {}),
        drop_volumes=(MODULE, DROP_VOLUMES, {}),
        absent=(MODULE, ABSENT, {}),
    )
    return [(name,) + steps[name] for name in STEPS]


# ---------------------------------------------------------------- harness


def unexpected_findings(info):
    """What the info_findings step asserts, in Python: the info step found nothing but the admin."""
    return [f for f in info.get("findings", []) if f["code"] != ADMIN_FINDING]


@contextlib.contextmanager
def environment(values):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_module(module, args, env):
    """One module's ``main()`` in this process, as ansible-playbook would run it on localhost:
    ``args`` through the module's argument spec, credentials and endpoint from ``env``. Returns
    the result the module printed (``failed`` set when it failed)."""
    code = importlib.import_module("ansible_collections.{0}.{1}.plugins.modules.{2}".format(*module.split(".")))
    out = io.StringIO()
    with environment(env), patch_module_args(args), contextlib.redirect_stdout(out):
        try:
            code.main()
        except SystemExit:
            pass
    return json.loads(out.getvalue())


def post(server, path, data=b""):
    headers = {"Content-Type": "text/plain"}  # not form-encoded: moto reads the raw body
    request = urllib.request.Request(server.url + path, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def client(server, service, keys, region=REGION):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=server.url,
        aws_access_key_id=keys[0],
        aws_secret_access_key=keys[1],
    )


class Account:
    """One test's account: the admin, the principals and resources the lifecycle uses, and
    ``deployers(policy)`` for the users that run the lifecycle."""

    def __init__(self, server, tmp_path):
        self.server = server
        self.tmp_path = tmp_path
        self.count = 0
        server.reset()
        post(server, "/moto-api/reset-auth", str(ROOT_CALLS).encode())
        default = server.env()
        root = client(server, "iam", (default["AWS_ACCESS_KEY_ID"], default["AWS_SECRET_ACCESS_KEY"]))
        root.create_user(UserName="admin")
        root.put_user_policy(UserName="admin", PolicyName="everything", PolicyDocument=json.dumps(ALLOW_ALL))
        key = root.create_access_key(UserName="admin")["AccessKey"]
        self.admin_keys = (key["AccessKeyId"], key["SecretAccessKey"])
        try:
            root.get_user(UserName="admin")
        except ClientError as e:
            assert e.response["Error"]["Code"] == "InvalidClientTokenId"
        else:
            raise AssertionError(f"moto_server does not enforce IAM authorization after {ROOT_CALLS} calls")
        self.iam = self.admin("iam")
        self._populate()

    def admin(self, service, region=REGION):
        return client(self.server, service, self.admin_keys, region)

    def admin_env(self):
        return {"AWS_ACCESS_KEY_ID": self.admin_keys[0], "AWS_SECRET_ACCESS_KEY": self.admin_keys[1]}

    def _populate(self):
        iam = self.iam
        for user in ("alice", "bob"):
            iam.create_user(UserName=user)
        iam.create_group(GroupName="platform")
        iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
        for arn in (BOUNDARY_V1, BOUNDARY_V2):
            iam.create_policy(PolicyName=arn.rsplit("/", maxsplit=1)[-1], PolicyDocument=json.dumps(UNRELATED))
        # The collection's PassRole policy (it carries the mark), edited by hand, at IAM's limit of five
        # versions: the module replaces its document (ListPolicyVersions, DeletePolicyVersion,
        # CreatePolicyVersion).
        iam.create_policy(
            PolicyName=GRANT_POLICY,
            PolicyDocument=json.dumps(drifted_grant("*")),
            Tags=[{"Key": "ecs_tools.iam:role-arn", "Value": f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"}],
        )
        for i in range(4):
            resource = f"arn:aws:iam::{ACCOUNT}:role/old-{i}"
            iam.create_policy_version(PolicyArn=GRANT_POLICY_ARN, PolicyDocument=json.dumps(drifted_grant(resource)))
        # A cluster with a service and a stopped task: the usage scan lists and describes both.
        ecs = self.admin("ecs")
        ecs.create_cluster(clusterName="prod")
        ecs.register_task_definition(
            family="web",
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "web", "image": "nginx", "memory": 512}],
        )
        ec2 = self.admin("ec2")  # the default VPC's subnet and security group
        subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        group = ec2.describe_security_groups()["SecurityGroups"][0]["GroupId"]
        network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}
        ecs.create_service(
            cluster="prod",
            serviceName="web",
            taskDefinition="web",
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration=network,
        )
        task = ecs.run_task(cluster="prod", taskDefinition="web", launchType="FARGATE", networkConfiguration=network)[
            "tasks"
        ][0]["taskArn"]
        ecs.stop_task(cluster="prod", task=task, reason="finished")

    def deployers(self, policy, per_step=None):
        """One user per step, each holding only ``policy`` (inline), or ``per_step[step]``:
        step -> (access key, secret). Their keys tell the recorded requests of each step apart."""
        keys = {}
        for step in STEPS:
            user = "deployer-" + step
            document = (per_step or {}).get(step, policy)
            self.iam.create_user(UserName=user)
            self.iam.put_user_policy(UserName=user, PolicyName="automation", PolicyDocument=json.dumps(document))
            key = self.iam.create_access_key(UserName=user)["AccessKey"]
            keys[step] = (key["AccessKeyId"], key["SecretAccessKey"])
        return keys

    def run(self, steps, keys):
        """Runs ``steps`` in one ansible-playbook, each with its ``keys[step]`` unless it brings its
        own, stopping at the first failure. Returns step -> result, for the steps that ran (read
        from the ansible.posix.json callback: no task to save them, which would cost a second)."""
        self.count += 1
        tasks = []
        for name, module, args, env in steps:
            task_env = dict(AWS_ACCESS_KEY_ID=keys[name][0], AWS_SECRET_ACCESS_KEY=keys[name][1])
            task_env.update(env)
            tasks.append({"name": name, module: args, "register": "lp_" + name, "environment": task_env})
        path = playbook.write_playbook(self.tmp_path / f"play-{self.count}.yml", [playbook.play(tasks)])
        done = playbook.run(path, playbook.ansible_env(self.server, REGION), results=True)
        if done.document is None:
            raise AssertionError("ansible-playbook failed:\n" + done.output)
        return done.task_results()

    def run_in_process(self, steps, keys):
        """``run``, with each module's ``main()`` in this process (``run_module``): same steps,
        keys and results, stopping at the first failure, in a fraction of the time."""
        results = {}
        for name, module, args, env in steps:
            results[name] = _in_process(self, name, module, args, env, keys, results)
            if results[name].get("failed"):
                break
        return results


def _in_process(account, name, module, args, env, keys, results):
    """One lifecycle step without ansible-playbook: a module in this process, the hand edit as the
    same script, the info_findings assertion in Python."""
    step_env = dict(account.server.env(REGION), AWS_ACCESS_KEY_ID=keys[name][0], AWS_SECRET_ACCESS_KEY=keys[name][1])
    step_env.update(env)
    if module == "ansible.builtin.command":
        done = subprocess.run(
            args["argv"], env=dict(os.environ, **step_env), capture_output=True, text=True, check=False
        )
        return {"changed": True, "failed": done.returncode != 0, "msg": done.stderr}
    if module == "ansible.builtin.assert":
        unexpected = unexpected_findings(results["info"])
        return {"failed": bool(unexpected), "msg": "; ".join(f["message"] for f in unexpected)}
    return run_module(module, args, step_env)


def recorded(server, keys):
    """(step, "service:Action") of every request made with ``keys`` (step -> keys), in order,
    since the recording started."""
    steps = {key[0]: step for step, key in keys.items()}
    raw = urllib.request.urlopen(server.url + "/moto-api/recorder/download-recording", timeout=30).read()
    calls = []
    for line in raw.decode("utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        headers = {k.lower(): v for k, v in entry.get("headers", {}).items()}
        key = headers.get("authorization", "").split("Credential=")[-1].split("/")[0]
        if key in steps:
            call = parse_call(entry)
            calls.append((steps[key], f"{call.service}:{call.action}"))
    return calls


def first_use(calls):
    found = {}
    for step, action in calls:
        found.setdefault(action, step)
    return found


def failures(results):
    return [name for name in STEPS if (results.get(name) or {}).get("failed")]


def explain(results):
    """The failed steps' messages, for assertion output."""
    return "\n".join("{0}: {1}".format(name, results[name].get("msg")) for name in failures(results))


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def auth_server():
    """A moto_server of its own per xdist worker, enforcing IAM after ROOT_CALLS requests."""
    server = MotoServer(
        extra_env={"INITIAL_NO_AUTH_ACTION_COUNT": str(ROOT_CALLS), "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    ).start()
    yield server
    server.stop()


@pytest.fixture
def account(auth_server, tmp_path):
    return Account(auth_server, tmp_path)


# ---------------------------------------------------------------- tests


def test_policy_files_are_well_formed():
    union = set()
    for name in FEATURES + ("all",):
        document = load_policy(name)
        assert document["Version"] == "2012-10-17"
        sids = [s["Sid"] for s in document["Statement"]]
        assert len(sids) == len(set(sids)) and all(sids)
        for statement in document["Statement"]:
            assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
            assert statement["Action"] == sorted(set(statement["Action"])), name
        if name != "all":
            union.update(actions_of(document))
    assert sorted(union) == sorted(ALL_ACTIONS)
    assert sorted(FIRST_USE) == sorted(ALL_ACTIONS)


def test_lifecycle_with_all_json(account, auth_server):
    keys = account.deployers(load_policy("all"))
    with auth_server.recording():
        results = account.run(lifecycle(account.admin_env()), keys)
        calls = recorded(auth_server, keys)
    assert failures(results) == [], explain(results)
    assert {name: bool(results[name].get("changed")) for name in STEPS} == CHANGED

    create = results["create"]
    assert create["capabilities"] == sorted(CAPABILITIES)
    assert create["pass_role"]["users"] == ["alice"]
    assert results["inline"]["pass_role"]["mode"] == "inline"
    assert results["info"]["pass_role"]["mode"] == "inline"
    assert results["info"]["usage"]["regions"] == [REGION]
    assert [(f["code"], f["severity"]) for f in results["info"]["findings"]] == [("pass_role_administrators", "low")]
    # moto's DescribeRegions lists every region of every partition (AWS lists the enabled regions
    # of the caller's partition), and the deployer exists only in partition aws.
    usage = results["regions"]["usage"]
    unreadable = sorted(r["region"] for r in usage["unreadable_regions"])
    assert unreadable == [r for r in usage["regions"] if r.startswith(("cn-", "us-gov-"))], unreadable
    assert "InvalidClientTokenId" in usage["unreadable_regions"][0]["error"]
    assert REGION in usage["regions"] and len(usage["regions"]) > len(unreadable) + 10
    assert results["drop_volumes"]["in_use"]["regions"] == [REGION]
    assert results["absent"]["in_use"]["regions"] == [REGION]

    # A converged run in managed_policy mode: 5 reads (README).
    assert sorted(a for s, a in calls if s == "converge") == sorted(
        [
            "iam:GetRole",
            "iam:ListAttachedRolePolicies",
            "iam:GetPolicy",
            "iam:GetPolicyVersion",
            "iam:ListEntitiesForPolicy",
        ]
    )
    # Every action all.json grants is called, and nothing else is.
    assert sorted({a for s, a in calls}) == sorted(ALL_ACTIONS)
    assert first_use(calls) == FIRST_USE

    iam = account.iam
    assert ROLE not in [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert GRANT_POLICY not in [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"] == []
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == []
    assert iam.list_group_policies(GroupName="platform")["PolicyNames"] == []
    assert iam.list_role_policies(RoleName="deploy")["PolicyNames"] == []


@pytest.mark.parametrize("action", [a for a in ALL_ACTIONS if a not in NEVER_DENIED])
def test_each_action_is_needed(account, action):
    step = FIRST_USE[action]
    steps = steps_needing(action, account.admin_env())
    keys = account.deployers(without(load_policy("all"), action))
    results = account.run_in_process(steps, keys)
    failed = failures(results)
    expected = "info_findings" if action in SCAN_ACTIONS else step
    assert failed == [expected], explain(results)
    message = results[expected]["msg"]
    assert f"is not authorized to perform: {action}" in message, message
    assert "AccessDenied" in message, message
    print(f"{action}: {expected} fails: {message}")


def test_get_caller_identity_is_called_but_never_denied(account, auth_server):
    """moto answers sts:GetCallerIdentity whatever the policy says (and so does AWS), so the
    lifecycle cannot show it is needed; the recorder shows the create step calls it."""
    keys = account.deployers(without(load_policy("all"), "sts:GetCallerIdentity"))
    with auth_server.recording():
        results = account.run(lifecycle(account.admin_env())[:1], keys)
        calls = recorded(auth_server, keys)
    assert failures(results) == [], explain(results)
    assert ("create", "sts:GetCallerIdentity") in calls


def test_guard_refuses_without_scan_permissions(account):
    """Without guard.json the in-use guard cannot look, and refuses: a permission missing for
    the scan never lets a destructive change through."""
    scan = actions_of(load_policy("guard"))
    document = load_policy("all")
    for action in scan:
        document = without(document, action)
    keys = account.deployers(document)
    steps = {step[0]: step for step in lifecycle(account.admin_env())}
    # Without the lifecycle's boundary (it allows no volume action): the role has the volume actions
    # to lose, so detaching the Volumes policy needs the scan.
    name, module, args, env = steps["create"]
    create = (name, module, {k: v for k, v in args.items() if k != "permissions_boundary"}, env)
    results = account.run([create, steps["drop_volumes"]], keys)
    assert failures(results) == ["drop_volumes"]
    results.update(account.run([steps["absent"]], keys))
    assert failures(results) == ["drop_volumes", "absent"]
    for step, what in (("drop_volumes", "Refusing to detach"), ("absent", "Refusing to delete role")):
        message = results[step]["msg"]
        assert message.startswith(what) and "region us-east-1 could not be read" in message, message
        assert "is not authorized to perform: ecs:ListClusters" in message, message
        assert [r["region"] for r in results[step]["in_use"]["unreadable_regions"]] == [REGION]
        print(message)
    assert account.iam.get_role(RoleName=ROLE)["Role"]["RoleName"] == ROLE
    attached = account.iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    assert len(attached) == 2


def test_feature_files_on_their_own(account, auth_server):
    """role.json and guard.json run the lifecycle without pass_role; info.json runs the info module
    (on a role with a managed-policy grant). Each step calls only what its files grant."""
    iam = account.iam  # no grant policy: pass_role is not used
    for version in iam.list_policy_versions(PolicyArn=GRANT_POLICY_ARN)["Versions"]:
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=GRANT_POLICY_ARN, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=GRANT_POLICY_ARN)
    role_and_guard = load_policy("role")
    role_and_guard["Statement"].extend(load_policy("guard")["Statement"])
    info = load_policy("info")
    keys = account.deployers(role_and_guard, per_step={"info": info})
    steps = []
    for name, module, args, env in lifecycle(account.admin_env()):
        if name in ("create", "converge", "drift", "update", "drop_volumes", "absent"):
            steps.append((name, module, {k: v for k, v in args.items() if k != "pass_role"}, env))
    with auth_server.recording():
        results = account.run(steps, keys)
        calls = recorded(auth_server, keys)
    assert failures(results) == [], explain(results)
    allowed = set(actions_of(role_and_guard))
    assert {a for s, a in calls} <= allowed, sorted({a for s, a in calls} - allowed)

    create = dict(CREATE, name="ecsInfraInfo")  # made by the admin
    info_steps = [
        ("create", MODULE, create, account.admin_env()),
        ("info", INFO_MODULE, {"name": "ecsInfraInfo", "usage_regions": [REGION]}, {}),
    ]
    with auth_server.recording():
        results = account.run(info_steps, keys)
        calls = recorded(auth_server, keys)
    assert failures(results) == [], explain(results)
    assert results["info"]["pass_role"]["mode"] == "managed_policy"
    # CREATE's boundary allows none of the volume actions the Volumes policy is there for.
    assert [f["code"] for f in results["info"]["findings"]] == ["pass_role_administrators", "volume_actions_blocked"]
    made = {a for s, a in calls if s == "info"}
    # Every action of info.json but DescribeRegions (usage_regions is set) and ListEntitiesForPolicy (the
    # grant's holders come from the authorization details; the call reads them only for an orphaned grant,
    # when the role is gone), and nothing else.
    unused = ("ec2:DescribeRegions", "iam:ListEntitiesForPolicy")
    assert sorted(made) == [a for a in actions_of(info) if a not in unused]
