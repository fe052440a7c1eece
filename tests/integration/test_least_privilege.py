# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Least privilege: the policies of docs/iam-policies/ are enough, and every action in them is needed.

A separate moto_server (not the shared session one) enforces IAM authorization
(tests/support/enforcing.py): it answers the first ``ROOT_CALLS`` requests without checking them,
which create an ``admin`` user allowed everything, then checks every request against the caller's
IAM policies. The admin sets the account up (principals, boundaries, a drifted PassRole policy, an
ECS cluster with a service and a stopped task) and creates the deployer users, each holding only the
policy under test. The whole lifecycle runs through ansible-playbook with its deployers' keys (the
user's path), one user per step; the one out-of-band step (someone editing the role by hand) uses
the admin's. That test has a fresh account of its own (its final state is checked whole); the others
share one account per module, each on a role (hence a grant policy, an instance profile) and users
of its own, so that the account is built once, not once per test.

The proof that each action is needed denies one action at a time and runs the lifecycle up to the
step that first needs it. It runs the same modules' own ``main()`` in this process
(``Account.run_in_process``: argument spec, service layer, boto3 against the enforcing moto_server),
not one ansible-playbook per action: what is proved is the modules' calls, and the executor adds
only its start-up time (44 playbooks took some 990 s of the suite). What a denial looks like to the
user is shown through ansible-playbook once per kind (test_denials_as_the_user_sees_them): a module
step failing on AccessDenied, the in-use guard refusing when it cannot scan, the info module
reporting a region it cannot scan as a finding.

The lifecycle exercises every path that makes an AWS call: create with a boundary, tags and
a PassRole grant whose (marked) policy already exists with a drifted document and five versions;
converge; hand edits (trust policy, an inline policy, an instance profile, the grant's mark removed);
update every setting (adopting the unmarked grant); switch
the grants to inline mode and back; the info module on us-east-1, then on every region EC2
DescribeRegions lists; drop the Volumes capability (in-use guard); delete. moto's recorder names
each request's access key, hence its step, which gives ``FIRST_USE``: where each action is first
needed.
"""

import json
import os
import sys
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
POLICIES = os.path.join(REPO, "docs", "iam-policies")
SUPPORT = os.path.join(REPO, "tests", "support")
if SUPPORT not in sys.path:
    sys.path.insert(0, SUPPORT)

import playbook  # noqa: E402
from enforcing import bootstrap_admin  # noqa: E402
from enforcing import client  # noqa: E402
from enforcing import enforcing_server  # noqa: E402
from enforcing import user_with  # noqa: E402
from enforcing import without  # noqa: E402
from in_process import environment  # noqa: E402
from in_process import run_module  # noqa: E402  (the modules run in this process too)
from moto_server import parse_call  # noqa: E402

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
# The shortest path to the step that first needs an action (-> the steps that show it is needed):
# an action is needed when SOME path a user can take fails without it. The lifecycle reaches each
# step through every step before it; these paths start from the state the step needs instead
# (``create_as_update``/``create_as_inline``: the role created at once with UPDATE's or INLINE's
# settings), which halves the module runs of the proof. That the lifecycle first calls each action
# there is FIRST_USE, checked against the recorder by test_lifecycle_with_all_json.
SHORT_PATHS = {
    "create": ("create",),
    "update": ("create", "drift", "update"),  # a drifted trust, an unmarked grant to adopt
    "inline": ("create_as_update", "inline"),  # grants to a group and a role, under a boundary
    "info": ("create_as_inline", "info", "info_findings"),  # no boundary: no volume_actions_blocked
    "regions": ("create_as_inline", "regions"),
    "managed": ("create_as_inline", "managed"),  # inline grants of a user, a group and a role to move
    "absent": ("create", "drift", "absent"),  # an instance profile to leave
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


def steps_needing(action, admin_env, role):
    """The shortest path (``SHORT_PATHS``) to the step that first needs ``action``, on ``role``."""
    steps = {step[0]: step for step in lifecycle(admin_env, role)}
    steps["create_as_update"] = ("create_as_update", MODULE, named(UPDATE, role), {})
    steps["create_as_inline"] = ("create_as_inline", MODULE, named(INLINE, role), {})
    return [steps[name] for name in SHORT_PATHS[FIRST_USE[action]]]


def grant_policy_arn(role=ROLE):
    return f"arn:aws:iam::{ACCOUNT}:policy/{role}PassRole"


def named(args, role):
    """Module arguments for ``role`` (the default name is left implicit, as a user would)."""
    return dict(args) if role == ROLE else dict(args, name=role)


def lifecycle(admin_env, role=ROLE):
    """The steps, in order: (name, module, args, extra environment), on the role ``role`` (each test
    of the shared account has a role, hence a grant policy and an instance profile, of its own)."""
    drift = {
        "argv": [
            sys.executable,
            "-c",
            DRIFT_SCRIPT,
            role,
            json.dumps(TRUST_DRIFTED),
            PROFILE if role == ROLE else role + "-profile",
            HAND_MADE,
            json.dumps(UNRELATED),
            grant_policy_arn(role),
        ]
    }
    # The account's admin (Allow * on *) can pass the role: the one finding expected, low, naming the admins.
    findings = {
        "that": [f"lp_info.findings | rejectattr('code', 'equalto', {ADMIN_FINDING!r}) | list | length == 0"],
        "fail_msg": "{{ lp_info.findings | map(attribute='message') | join('; ') }}",
        "quiet": True,
    }
    steps = dict(
        create=(MODULE, named(CREATE, role), {}),
        converge=(MODULE, named(CREATE, role), {}),
        drift=("ansible.builtin.command", drift, admin_env),
        update=(MODULE, named(UPDATE, role), {}),
        inline=(MODULE, named(INLINE, role), {}),
        info=(INFO_MODULE, named({"usage_regions": [REGION]}, role), {}),
        info_findings=("ansible.builtin.assert", findings, {}),
        regions=(INFO_MODULE, named({}, role), {}),  # no usage_regions: every region EC2 DescribeRegions lists
        managed=(MODULE, named(MANAGED, role), {}),
        drop_volumes=(MODULE, named(DROP_VOLUMES, role), {}),
        absent=(MODULE, named(ABSENT, role), {}),
    )
    return [(name,) + steps[name] for name in STEPS]


# ---------------------------------------------------------------- harness


def unexpected_findings(info):
    """What the info_findings step asserts, in Python: the info step found nothing but the admin."""
    return [f for f in info.get("findings", []) if f["code"] != ADMIN_FINDING]


class Account:
    """An account on an enforcing moto_server: the admin, the principals and resources the lifecycle
    uses, the drifted grant of ``ROLE`` (``drifted_grant_policy(role)`` for another role), and
    ``deployers(policy)`` for the users that run the lifecycle."""

    def __init__(self, server, tmp_path):
        self.server = server
        self.tmp_path = tmp_path
        self.count = 0
        self.admin_keys = bootstrap_admin(server)
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
        self.drifted_grant_policy(ROLE)
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

    def drifted_grant_policy(self, role):
        """The collection's PassRole policy of ``role`` (it carries the mark), edited by hand, at IAM's
        limit of five versions: the module replaces its document (ListPolicyVersions,
        DeletePolicyVersion, CreatePolicyVersion)."""
        arn = grant_policy_arn(role)
        self.iam.create_policy(
            PolicyName=role + "PassRole",
            PolicyDocument=json.dumps(drifted_grant("*")),
            Tags=[{"Key": "ecs_tools.iam:role-arn", "Value": f"arn:aws:iam::{ACCOUNT}:role/{role}"}],
        )
        for i in range(4):
            resource = f"arn:aws:iam::{ACCOUNT}:role/old-{i}"
            self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(drifted_grant(resource)))

    def deployers(self, policy, per_step=None, prefix="deployer", steps=STEPS):
        """One user per step (named ``prefix-step``), each holding only ``policy`` (inline), or
        ``per_step[step]``: step -> (access key, secret). Their keys tell the recorded requests of each
        step apart."""
        keys = {}
        for step in steps:
            user = f"{prefix}-{step}"
            document = (per_step or {}).get(step, policy)
            self.iam.create_user(UserName=user)
            self.iam.put_user_policy(UserName=user, PolicyName="automation", PolicyDocument=json.dumps(document))
            key = self.iam.create_access_key(UserName=user)["AccessKey"]
            keys[step] = (key["AccessKeyId"], key["SecretAccessKey"])
        return keys

    def run(self, steps, keys, keep_going=False):
        """Runs ``steps`` in one ansible-playbook, each with its ``keys[step]`` unless it brings its
        own, stopping at the first failure (unless ``keep_going``). Returns step -> result, for the
        steps that ran (read from the ansible.posix.json callback: no task to save them, which would
        cost a second)."""
        self.count += 1
        tasks = []
        for name, module, args, env in steps:
            task_env = dict(AWS_ACCESS_KEY_ID=keys[name][0], AWS_SECRET_ACCESS_KEY=keys[name][1])
            task_env.update(env)
            task = {"name": name, module: args, "register": "lp_" + name, "environment": task_env}
            tasks.append(dict(task, ignore_errors=True) if keep_going else task)
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
    if module == "ansible.builtin.command":  # the hand edit: the same script, in this process
        argv = args["argv"]
        assert argv[:2] == [sys.executable, "-c"], argv
        saved = sys.argv
        sys.argv = ["-c"] + argv[3:]
        try:
            with environment(step_env):
                exec(compile(argv[2], "<hand edit>", "exec"), {"__name__": "__main__"})
        except Exception as e:  # noqa: BLE001 -- a failed step, reported as the command would be
            return {"changed": True, "failed": True, "msg": repr(e)}
        finally:
            sys.argv = saved
        return {"changed": True, "failed": False}
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
    """The steps that failed, in the order they ran."""
    return [name for name, result in results.items() if (result or {}).get("failed")]


def explain(results):
    """The failed steps' messages, for assertion output."""
    return "\n".join("{0}: {1}".format(name, results[name].get("msg")) for name in failures(results))


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def auth_server():
    """A moto_server of its own per xdist worker, enforcing IAM after ROOT_CALLS requests."""
    server = enforcing_server()
    yield server
    server.stop()


@pytest.fixture
def account(auth_server, tmp_path):
    """A fresh account (the lifecycle's: its final state is checked whole)."""
    return Account(auth_server, tmp_path)


@pytest.fixture(scope="module")
def shared_account(tmp_path_factory):
    """One account, on an enforcing moto_server of its own, for the tests below that need no fresh one:
    each works on a role (hence a grant policy and an instance profile) and users of its own, so none
    sees another's writes, and the account (admin, principals, boundaries, the ECS cluster with its
    service and stopped task) is built once per module and xdist worker instead of once per test."""
    server = enforcing_server()
    try:
        yield Account(server, tmp_path_factory.mktemp("least-privilege"))
    finally:
        server.stop()


def role_for(action):
    """The role of the test that denies ``action``: ``lp-iam-GetRole``."""
    return "lp-" + action.replace(":", "-")


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
def test_each_action_is_needed(shared_account, action):
    """all.json without ``action``: the lifecycle (on a role of this test's own) fails exactly at the
    step that first needs it, saying so (moto enforces IAM: the AccessDenied is moto's)."""
    account = shared_account
    role = role_for(action)
    account.drifted_grant_policy(role)
    steps = steps_needing(action, account.admin_env(), role)
    denied = user_with(account.iam, role + "-deployer", without(load_policy("all"), action))
    results = account.run_in_process(steps, {name: denied for name, *rest in steps})
    failed = failures(results)
    expected = "info_findings" if action in SCAN_ACTIONS else FIRST_USE[action]
    assert failed == [expected], explain(results)
    message = results[expected]["msg"]
    assert f"is not authorized to perform: {action}" in message, message
    assert "AccessDenied" in message, message
    print(f"{action}: {expected} fails: {message}")


def test_get_caller_identity_is_called_but_never_denied(shared_account):
    """moto answers sts:GetCallerIdentity whatever the policy says (and so does AWS), so the
    lifecycle cannot show it is needed; the recorder shows the create step calls it."""
    account = shared_account
    role = "lp-sts-GetCallerIdentity"
    account.drifted_grant_policy(role)
    keys = {"create": user_with(account.iam, role + "-deployer", without(load_policy("all"), "sts:GetCallerIdentity"))}
    with account.server.recording():
        results = account.run_in_process(lifecycle(account.admin_env(), role)[:1], keys)
        calls = recorded(account.server, keys)
    assert failures(results) == [], explain(results)
    assert ("create", "sts:GetCallerIdentity") in calls


def test_denials_as_the_user_sees_them(shared_account):
    """Each kind of denial once through ansible-playbook. Without guard.json the in-use guard cannot
    look, and refuses: a permission missing for the scan never lets a destructive change through; the
    info module reports the region it could not scan as a finding. Without iam:CreateRole the module
    fails naming the action (test_each_action_is_needed shows the same for every action, in-process)."""
    account = shared_account
    role = "lp-guard"
    document = load_policy("all")
    for action in actions_of(load_policy("guard")):
        document = without(document, action)
    no_create = without(load_policy("all"), "iam:CreateRole")
    keys = account.deployers(
        document,
        per_step={"create_denied": no_create},
        prefix=role,
        steps=("create", "info", "drop_volumes", "absent", "create_denied"),
    )
    steps = {step[0]: step for step in lifecycle(account.admin_env(), role)}
    # Without the lifecycle's boundary (it allows no volume action): the role has the volume actions
    # to lose, so detaching the Volumes policy needs the scan.
    name, module, args, env = steps["create"]
    create = (name, module, {k: v for k, v in args.items() if k != "permissions_boundary"}, env)
    create_denied = ("create_denied", MODULE, dict(args, name="lp-denied"), env)
    results = account.run(
        [create, steps["info"], steps["drop_volumes"], steps["absent"], create_denied], keys, keep_going=True
    )
    assert failures(results) == ["drop_volumes", "absent", "create_denied"], explain(results)
    for step, what in (("drop_volumes", "Refusing to detach"), ("absent", "Refusing to delete role")):
        message = results[step]["msg"]
        assert message.startswith(what) and "region us-east-1 could not be read" in message, message
        assert "is not authorized to perform: ecs:ListClusters" in message, message
        assert [r["region"] for r in results[step]["in_use"]["unreadable_regions"]] == [REGION]
        print(message)
    assert account.iam.get_role(RoleName=role)["Role"]["RoleName"] == role
    attached = account.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert len(attached) == 2

    unreadable = [f for f in results["info"]["findings"] if f["code"] == "usage_region_unreadable"]
    assert len(unreadable) == 1 and REGION in unreadable[0]["message"], results["info"]["findings"]
    assert [r["region"] for r in results["info"]["usage"]["unreadable_regions"]] == [REGION]
    print(unreadable[0]["message"])

    message = results["create_denied"]["msg"]
    assert "is not authorized to perform: iam:CreateRole" in message and "AccessDenied" in message, message
    roles = [r["RoleName"] for r in account.iam.list_roles()["Roles"]]
    assert "lp-denied" not in roles
    print(message)


def test_feature_files_on_their_own(shared_account):
    """role.json and guard.json run the lifecycle without pass_role; info.json runs the info module
    (on a role with a managed-policy grant, made by the admin). Each step calls only what its files
    grant. One ansible-playbook: the recorder tells the steps apart by their users' keys."""
    account = shared_account
    role = "lp-features"  # no grant policy: pass_role is not used
    info_role = "lp-features-info"
    role_and_guard = load_policy("role")
    role_and_guard["Statement"].extend(load_policy("guard")["Statement"])
    info = load_policy("info")
    lifecycle_steps = ("create", "converge", "drift", "update", "drop_volumes", "absent")
    keys = account.deployers(role_and_guard, per_step={"info": info}, prefix=role, steps=lifecycle_steps + ("info",))
    steps = []
    for name, module, args, env in lifecycle(account.admin_env(), role):
        if name in lifecycle_steps:
            steps.append((name, module, {k: v for k, v in args.items() if k != "pass_role"}, env))
    steps += [
        ("create_info_role", MODULE, dict(CREATE, name=info_role), account.admin_env()),
        ("info", INFO_MODULE, {"name": info_role, "usage_regions": [REGION]}, {}),
    ]
    with account.server.recording():
        results = account.run(steps, dict(keys, create_info_role=account.admin_keys))
        calls = recorded(account.server, keys)  # the deployers' requests (not the admin's)
    assert failures(results) == [], explain(results)
    allowed = set(actions_of(role_and_guard))
    made = {a for s, a in calls if s != "info"}
    assert made <= allowed, sorted(made - allowed)
    assert {s for s, a in calls} >= set(lifecycle_steps) - {"drift"}  # every module step made its calls

    assert results["info"]["pass_role"]["mode"] == "managed_policy"
    # CREATE's boundary allows none of the volume actions the Volumes policy is there for.
    assert [f["code"] for f in results["info"]["findings"]] == ["pass_role_administrators", "volume_actions_blocked"]
    made = {a for s, a in calls if s == "info"}
    # Every action of info.json but DescribeRegions (usage_regions is set) and ListEntitiesForPolicy (the
    # grant's holders come from the authorization details; the call reads them only for an orphaned grant,
    # when the role is gone), and nothing else.
    unused = ("ec2:DescribeRegions", "iam:ListEntitiesForPolicy")
    assert sorted(made) == [a for a in actions_of(info) if a not in unused]
