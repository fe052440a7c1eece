# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the tests of the AWS-call layer: a stubbed IAM client, and retries that do not sleep."""

import boto3
import pytest
from botocore.stub import Stubber


@pytest.fixture
def no_sleep(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)


@pytest.fixture
def iam_stubber():
    """(raw boto3 IAM client, its Stubber); every stubbed response must be used."""
    raw = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(raw) as stubber:
        yield raw, stubber
        stubber.assert_no_pending_responses()
