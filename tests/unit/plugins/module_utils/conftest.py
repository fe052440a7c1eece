# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the tests of the AWS-call layer: a stubbed IAM client, an IAM client on moto whose
requests can be throttled below botocore's retry layer, and retries that do not sleep."""

import boto3
import botocore.awsrequest
import botocore.config
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.ecs_tools.iam.plugins.module_utils._module import BOTOCORE_CONFIG

_THROTTLED = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
    b"</Error><RequestId>1</RequestId></ErrorResponse>"
)


class _Body:
    def __init__(self, data):
        self.data = data

    def stream(self, **kwargs):
        yield self.data


@pytest.fixture
def no_sleep(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)


@pytest.fixture
def stubbed(no_sleep):
    """(raw boto3 IAM client, its Stubber); every stubbed response must be used; retries do not sleep."""
    raw = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(raw) as stubber:
        yield raw, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def throttled_iam(monkeypatch):
    """``(client, throttle, sent)``: an IAM client configured as the modules make it
    (``BOTOCORE_CONFIG``) on moto; ``throttle(operation, times)`` answers the next ``times`` HTTP
    requests of ``operation`` with a Throttling error, below botocore's retries (``before-send``);
    ``sent`` lists every request that reached the wire, by operation name."""
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)
    pending, sent = {}, []
    with mock_aws():
        client = boto3.client(
            "iam",
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="y",
            config=botocore.config.Config(**BOTOCORE_CONFIG),
        )

        def before_send(request, **kwargs):
            operation = kwargs["event_name"].rsplit(".", 1)[-1]
            sent.append(operation)
            if pending.get(operation):
                pending[operation] -= 1
                return botocore.awsrequest.AWSResponse(request.url, 400, {}, _Body(_THROTTLED))
            return None

        client.meta.events.register_first("before-send.iam", before_send)

        def throttle(operation, times):
            pending[operation] = times

        yield client, throttle, sent
