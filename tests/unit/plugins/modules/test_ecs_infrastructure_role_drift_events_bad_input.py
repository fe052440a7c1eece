# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ecs_infrastructure_role_drift_events' main() in-process against moto.mock_aws: each bad input is
refused with its message, before any write (tests/integration/test_drift_events.py runs the same
table once through the real executor)."""

import boto3
import pytest

from ansible_collections.ecs_tools.iam.plugins.modules import ecs_infrastructure_role_drift_events as module


@pytest.mark.parametrize(
    "args, message",
    [
        (
            {"region": "eu-west-1"},
            "IAM's CloudTrail events reach EventBridge only in us-east-1 (IAM is global); "
            "run this with region us-east-1, not eu-west-1",
        ),
        (
            {"region": "us-east-1", "scope": "member"},
            "scope member forwards to a central event bus: set central_event_bus_arn",
        ),
        (
            {"region": "us-east-1", "scope": "member", "central_event_bus_arn": "my-bus"},
            "central_event_bus_arn my-bus is not an EventBridge event bus ARN",
        ),
    ],
)
def test_bad_input_is_refused_before_any_write(run_main, args, message):
    result = run_main(module, args)
    assert result["failed"] is True and result["msg"] == message, result
    assert boto3.client("sqs", region_name="us-east-1").list_queues().get("QueueUrls", []) == []
    assert boto3.client("events", region_name="us-east-1").list_rules()["Rules"] == []
