# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The usage scan's ECS side with botocore's Stubber: moto drops these service fields."""

import boto3
import pytest
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible_collections.ecs_tools.iam.plugins.module_utils import _usage

ROLE_ARN = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"
LONGER = "arn:aws:iam::123456789012:role/ecsInfrastructureRoleOld"
REGION = "eu-west-1"


def service(name, cluster, deployment=None):
    return {
        "serviceArn": "arn:aws:ecs:eu-west-1:123456789012:service/{0}/{1}".format(cluster, name),
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
    clusters = ["arn:aws:ecs:eu-west-1:123456789012:cluster/c{0}".format(i) for i in range(3)]
    ecs_stub.add_response("list_clusters", {"clusterArns": clusters[:2], "nextToken": "t"})
    ecs_stub.add_response("list_clusters", {"clusterArns": clusters[2:]}, {"nextToken": "t"})
    arns = ["svc{0:02d}".format(i) for i in range(23)]
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
