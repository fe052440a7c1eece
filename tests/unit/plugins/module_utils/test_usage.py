# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The usage scan: its ECS side with botocore's Stubber (moto drops these service fields), and its
clients (one session, built as amazon.aws builds a module's clients) against moto.mock_aws."""

import threading
import time

import boto3
import botocore.credentials
import botocore.loaders
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from botocore.stub import ANY
from botocore.stub import Stubber
from ecs_volumes import ecs_volume
from moto import mock_aws

from ansible_collections.ecs_tools.iam.plugins.module_utils import _usage
from ansible_collections.ecs_tools.iam.plugins.module_utils import _usage_findings
from ansible_collections.ecs_tools.iam.plugins.module_utils._module import COLLECTION_NAME
from ansible_collections.ecs_tools.iam.plugins.module_utils._module import COLLECTION_VERSION
from ansible_collections.ecs_tools.iam.plugins.module_utils._module import EcsToolsIAMModule

ROLE_ARN = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"
LONGER = "arn:aws:iam::123456789012:role/ecsInfrastructureRoleOld"
REGION = "eu-west-1"


def service(name, cluster, deployment=None):
    return {
        "serviceArn": f"arn:aws:ecs:eu-west-1:123456789012:service/{cluster}/{name}",
        "serviceName": name,
        "clusterArn": "arn:aws:ecs:eu-west-1:123456789012:cluster/" + cluster,
        "deployments": [deployment] if deployment else [],
    }


def volumes_deployment(role):
    return {"id": "d1", "volumeConfigurations": [{"name": "data", "managedEBSVolume": {"roleArn": role}}]}


def tls_deployment(role):
    return {
        "id": "d1",
        "serviceConnectConfiguration": {
            "enabled": True,
            "services": [{"portName": "web", "tls": {"issuerCertificateAuthority": {}, "roleArn": role}}],
        },
    }


def lattice_deployment(role):
    return {"id": "d1", "vpcLatticeConfigurations": [{"roleArn": role, "targetGroupArn": "tg", "portName": "web"}]}


@pytest.fixture
def clients():
    kwargs = dict(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="y")
    ecs, ec2 = boto3.client("ecs", **kwargs), boto3.client("ec2", **kwargs)
    with Stubber(ecs) as ecs_stub, Stubber(ec2) as ec2_stub:
        yield ecs, ec2, ecs_stub, ec2_stub
        ecs_stub.assert_no_pending_responses()
        ec2_stub.assert_no_pending_responses()


def no_volumes(ec2_stub):
    ec2_stub.add_response("describe_volumes", {"Volumes": []}, {"Filters": ANY})


def no_stopped_tasks(ecs_stub, cluster):
    ecs_stub.add_response("list_tasks", {"taskArns": []}, {"cluster": cluster, "desiredStatus": "STOPPED"})


@pytest.mark.parametrize(
    "deployment,reference",
    [
        (volumes_deployment, "volumeConfigurations[].managedEBSVolume.roleArn"),
        (tls_deployment, "serviceConnectConfiguration.services[].tls.roleArn"),
        (lattice_deployment, "vpcLatticeConfigurations[].roleArn"),
    ],
)
def test_services_referencing_the_role_through_each_configuration(clients, deployment, reference):
    ecs, ec2, ecs_stub, ec2_stub = clients
    cluster = "arn:aws:ecs:eu-west-1:123456789012:cluster/prod"
    ecs_stub.add_response("list_clusters", {"clusterArns": [cluster]})
    ecs_stub.add_response("list_services", {"serviceArns": ["s1", "s2"]}, {"cluster": cluster})
    ecs_stub.add_response(
        "describe_services",
        {"services": [service("uses", "prod", deployment(ROLE_ARN)), service("other", "prod", deployment(LONGER))]},
        {"cluster": cluster, "services": ["s1", "s2"]},
    )
    no_stopped_tasks(ecs_stub, cluster)
    no_volumes(ec2_stub)
    usage = _usage.scan({REGION: (ecs, ec2)}, ROLE_ARN)
    assert [s["arn"] for s in usage["services"]] == ["arn:aws:ecs:eu-west-1:123456789012:service/prod/uses"]
    assert usage["services"][0]["references"] == [reference]
    assert usage["services"][0]["region"] == REGION
    assert usage["services"][0]["uses_volumes"] is (reference.startswith("volume"))


def test_pagination_over_clusters_and_batches_of_ten_services(clients):
    ecs, ec2, ecs_stub, ec2_stub = clients
    clusters = [f"arn:aws:ecs:eu-west-1:123456789012:cluster/c{i}" for i in range(3)]
    ecs_stub.add_response("list_clusters", {"clusterArns": clusters[:2], "nextToken": "t"})
    ecs_stub.add_response("list_clusters", {"clusterArns": clusters[2:]}, {"nextToken": "t"})
    arns = [f"svc{i:02d}" for i in range(23)]
    # first cluster: 23 services over two pages, described 10 + 10 + 3
    ecs_stub.add_response("list_services", {"serviceArns": arns[:15], "nextToken": "p"}, {"cluster": clusters[0]})
    ecs_stub.add_response("list_services", {"serviceArns": arns[15:]}, {"cluster": clusters[0], "nextToken": "p"})
    for batch in (arns[:10], arns[10:20], arns[20:]):
        described = [service(a, "c0", volumes_deployment(ROLE_ARN if a == "svc21" else LONGER)) for a in batch]
        ecs_stub.add_response("describe_services", {"services": described}, {"cluster": clusters[0], "services": batch})
    no_stopped_tasks(ecs_stub, clusters[0])
    for cluster in clusters[1:]:
        ecs_stub.add_response("list_services", {"serviceArns": []}, {"cluster": cluster})
        no_stopped_tasks(ecs_stub, cluster)
    no_volumes(ec2_stub)
    usage = _usage.scan({REGION: (ecs, ec2)}, ROLE_ARN)
    assert [s["arn"].rsplit("/", 1)[1] for s in usage["services"]] == ["svc21"]


def test_deprovisioning_task_is_reported_with_its_attachment_status(clients):
    ecs, ec2, ecs_stub, ec2_stub = clients
    cluster = "arn:aws:ecs:eu-west-1:123456789012:cluster/prod"
    ecs_stub.add_response("list_clusters", {"clusterArns": [cluster]})
    ecs_stub.add_response("list_services", {"serviceArns": []}, {"cluster": cluster})
    ecs_stub.add_response(
        "list_tasks", {"taskArns": ["t-stuck", "t-done"]}, {"cluster": cluster, "desiredStatus": "STOPPED"}
    )
    stuck = {
        "taskArn": "arn:aws:ecs:eu-west-1:123456789012:task/prod/stuck",
        "clusterArn": cluster,
        "lastStatus": "DEPROVISIONING",
        "attachments": [
            {
                "type": "AmazonElasticBlockStorage",
                "status": "DELETING",
                "details": [
                    {"name": "statusReason", "value": "ECS was unable to assume the configured ECS Infrastructure Role"}
                ],
            }
        ],
    }
    done = {
        "taskArn": "arn:aws:ecs:eu-west-1:123456789012:task/prod/done",
        "clusterArn": cluster,
        "lastStatus": "STOPPED",
    }
    ecs_stub.add_response(
        "describe_tasks", {"tasks": [stuck, done]}, {"cluster": cluster, "tasks": ["t-stuck", "t-done"]}
    )
    no_volumes(ec2_stub)
    usage = _usage.scan({REGION: (ecs, ec2)}, ROLE_ARN)
    assert [t["arn"] for t in usage["tasks"]] == [stuck["taskArn"]]
    reason = usage["tasks"][0]["reason"]
    assert (
        "DEPROVISIONING" in reason and "AmazonElasticBlockStorage DELETING" in reason and "unable to assume" in reason
    )


def test_unreadable_region_is_reported_not_treated_as_empty(clients):
    ecs, ec2, ecs_stub, ec2_stub = clients
    ecs_stub.add_client_error("list_clusters", "AccessDeniedException", "not authorized", 400)
    usage = _usage.scan({REGION: (ecs, ec2)}, ROLE_ARN)
    assert usage["regions"] == [REGION]
    assert usage["unreadable_regions"][0]["region"] == REGION
    assert "AccessDeniedException" in usage["unreadable_regions"][0]["error"]
    assert usage["services"] == usage["tasks"] == usage["volumes"] == []


# ---------------------------------------------------------------- clients: one session per run


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No AWS setting from the machine: an empty config and credentials file, no AWS_* variable."""
    import os

    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


def make_module(args):
    with patch_module_args(args):
        return EcsToolsIAMModule(argument_spec={}, supports_check_mode=True)


def seen_by_botocore(client):
    """What a client will use: region, endpoint, TLS verification, credentials and its config."""
    config = client.meta.config
    credentials = client._request_signer._credentials
    return {
        "region": client.meta.region_name,
        "endpoint": client.meta.endpoint_url,
        "verify": client._endpoint.http_session._verify,
        "credentials": tuple(credentials.get_frozen_credentials()) if credentials else None,
        "user_agent": config.user_agent,
        "retries": config.retries,
        "timeouts": (config.connect_timeout, config.read_timeout),
        "max_pool_connections": config.max_pool_connections,
    }


KEYS = dict(access_key="AKIDSCAN", secret_key="scan-secret", session_token="scan-token")


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(dict(KEYS, region="eu-west-1", endpoint_url="http://127.0.0.1:5999"), id="keys-token-endpoint"),
        pytest.param(dict(KEYS, region="us-east-1", validate_certs=False), id="validate_certs-false"),
        pytest.param(dict(KEYS, region="us-east-1", aws_ca_bundle="CA_BUNDLE"), id="aws_ca_bundle"),
        pytest.param(
            dict(KEYS, region="cn-north-1", aws_config={"connect_timeout": 7, "retries": {"max_attempts": 2}}),
            id="aws_config-overrides-collection-retries",
        ),
        pytest.param(dict(region="ap-south-1", profile="scan"), id="profile"),
        pytest.param(dict(), id="environment-only"),
    ],
)
def test_regional_client_sees_what_module_client_sees(clean_env, monkeypatch, args):
    """Every connection option a user can set reaches the scan's clients exactly as amazon.aws's
    module.client() (with the collection's botocore config) would apply it."""
    bundle = clean_env / "ca.pem"
    bundle.write_text("not read before a request\n")
    args = {k: str(bundle) if v == "CA_BUNDLE" else v for k, v in args.items()}
    profiles = clean_env / "config"
    profiles.write_text(
        "[profile scan]\nregion = ap-south-1\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = p-secret\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(profiles))
    if not args:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "sa-east-1")
    module = make_module(args)
    clients = _usage.RegionalClients.for_module(module)
    for region in (None, "eu-central-1"):
        ours = seen_by_botocore(clients.client("ec2", region))
        theirs = seen_by_botocore(module.client("ec2", **({"region": region} if region else {})))
        assert ours == theirs
    assert f"{COLLECTION_NAME}/{COLLECTION_VERSION}" in ours["user_agent"]
    # BOTOCORE_CONFIG asks for 10 attempts in all; a user's aws_config (max_attempts 2: 3 in all) wins
    expected = {"mode": "standard", "total_max_attempts": 3 if "aws_config" in args else 10}
    assert ours["retries"] == expected


def test_one_session_one_model_load_one_credential_resolution_for_every_region(clean_env, monkeypatch):
    """The all-region scan of an account: one boto3 session, the EC2 and ECS models parsed once,
    the credential chain walked once; the DescribeRegions client is reused for its region.
    (Offline: the regions and each region's calls are replaced, the clients are real.)"""
    # Keys in the environment become module parameters (amazon.aws's fallback), so explicit: the
    # chain is only walked for credentials the module does not see, such as the shared credentials file.
    credentials = clean_env / "credentials"
    credentials.write_text("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    regions = sorted(boto3.session.Session().get_available_regions("ec2"))
    sessions, loads, resolutions, made, scanned = [], [], [], [], []

    class CountingSession(boto3.session.Session):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            sessions.append(self)

        def client(self, service, *args, **kwargs):
            made.append((service, kwargs.get("region_name")))
            return super().client(service, *args, **kwargs)

    load_file = botocore.loaders.JSONFileLoader.load_file
    resolve = botocore.credentials.CredentialResolver.load_credentials

    def counting_load(self, path):
        if path.endswith("service-2"):
            loads.append(path.split("/")[-3])
        return load_file(self, path)

    def counting_resolve(self):
        resolutions.append(1)
        return resolve(self)

    def describe_regions(ec2):
        assert ec2.meta.region_name == "us-east-1"
        return regions

    def scan_region(ecs, ec2, region, role_arn):
        assert ecs.meta.region_name == ec2.meta.region_name == region
        assert ecs.meta.service_model.service_name == "ecs" and ec2.meta.service_model.service_name == "ec2"
        assert ecs._request_signer._credentials.get_frozen_credentials().access_key == "AKIDFILE"
        scanned.append((region, id(ecs), id(ec2)))
        return _usage_findings.empty_usage()

    monkeypatch.setattr(boto3.session, "Session", CountingSession)
    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", counting_load)
    monkeypatch.setattr(botocore.credentials.CredentialResolver, "load_credentials", counting_resolve)
    monkeypatch.setattr(_usage, "enabled_regions", describe_regions)
    monkeypatch.setattr(_usage, "scan_region", scan_region)
    module = make_module({"region": "us-east-1"})
    assert module.params["access_key"] is None
    usage = _usage.scan_for_module(module, ROLE_ARN)
    assert len(regions) > 20 and usage["regions"] == regions and usage["unreadable_regions"] == []
    assert sorted(r for r, dummy, dummy2 in scanned) == regions
    assert len({i for dummy, e, c in scanned for i in (e, c)}) == 2 * len(regions)
    assert len(sessions) == 1
    assert sorted(loads) == ["ec2", "ecs"]
    assert len(resolutions) == 1
    assert sorted(made) == sorted([(s, r) for r in regions for s in ("ecs", "ec2")])


def test_scan_finds_a_volume_in_another_region(clean_env, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        ec2 = boto3.client("ec2", "ap-southeast-2")
        volume = ecs_volume(ec2, task="task")
        module = make_module({"region": "us-east-1"})
        # (every enabled region is benchmarks/scan.py's and the integration tests' job: moto builds
        # each region's EC2 backend on first use, seconds each in-process)
        several = _usage.scan_for_module(module, ROLE_ARN, ["us-east-1", "eu-west-1", "ap-southeast-2"])
        here = _usage.scan_for_module(module, ROLE_ARN, ["us-east-1", "us-east-1"])
    assert several["regions"] == ["ap-southeast-2", "eu-west-1", "us-east-1"]
    assert [(v["volume_id"], v["region"]) for v in several["volumes"]] == [(volume, "ap-southeast-2")]
    assert here["regions"] == ["us-east-1"] and here["volumes"] == []


def test_region_without_a_client_is_unreadable_not_empty(clean_env, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        usage = _usage.scan_for_module(make_module({"region": "us-east-1"}), ROLE_ARN, ["us-east-1", "no such/region"])
    assert usage["regions"] == ["no such/region", "us-east-1"]
    assert [u["region"] for u in usage["unreadable_regions"]] == ["no such/region"]
    assert "Couldn't connect to AWS" in usage["unreadable_regions"][0]["error"]


def test_no_region_anywhere_is_a_clear_error(clean_env):
    module = make_module(dict(KEYS))
    with pytest.raises(AnsibleAWSError) as raised:
        _usage.scan_for_module(module, ROLE_ARN)
    assert "set region, or usage_regions" in raised.value.message


def test_unknown_profile_is_a_clear_error(clean_env):
    module = make_module({"region": "us-east-1", "profile": "nobody"})
    with pytest.raises(AnsibleAWSError) as raised:
        _usage.RegionalClients.for_module(module)
    assert raised.value.message == "Couldn't connect to AWS" and "nobody" in str(raised.value.exception)


@pytest.mark.parametrize("regions,size", [(0, 1), (1, 1), (3, 3), (16, 16), (38, _usage.MAX_WORKERS)])
def test_pool_is_sized_to_the_work(regions, size):
    assert _usage.pool_size(regions) == size


def test_regions_are_scanned_concurrently(monkeypatch):
    """38 regions whose calls each take 0.2 s: MAX_WORKERS threads at once, not one after another."""
    threads, running, peak = set(), [0], [0]
    lock = threading.Lock()

    def slow_scan(ecs, ec2, region, role_arn):
        with lock:
            threads.add(threading.get_ident())
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.2)  # long enough for the pool to start all its threads on a loaded machine
        with lock:
            running[0] -= 1
        return _usage_findings.empty_usage()

    monkeypatch.setattr(_usage, "scan_region", slow_scan)
    regions = [f"region-{i:02d}" for i in range(38)]
    usage = _usage.scan({r: (None, None) for r in regions}, ROLE_ARN)
    assert usage["regions"] == regions
    assert peak[0] == _usage.MAX_WORKERS and len(threads) == _usage.MAX_WORKERS
