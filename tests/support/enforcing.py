# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A moto_server that enforces IAM, and the account's first user: what the least-privilege tests share.

moto answers the first ``INITIAL_NO_AUTH_ACTION_COUNT`` requests without checking them, then checks
every request against the caller's IAM policies. ``bootstrap_admin`` re-arms that counter
(``POST /moto-api/reset-auth``, what moto's own ``set_initial_no_auth_action_count`` does in server
mode) and spends it on exactly ``ROOT_CALLS`` requests with the default credentials: CreateUser,
PutUserPolicy and CreateAccessKey of an ``admin`` allowed everything. It then checks that moto
refuses the default credentials, so a test can never pass on a server that does not enforce.
"""

import json
import urllib.request

import boto3
from botocore.exceptions import ClientError
from moto_server import MotoServer

ROOT_CALLS = 3
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def enforcing_server(load_managed_policies=True):
    """A started moto_server that enforces IAM after ``ROOT_CALLS`` requests (the caller stops it)."""
    return MotoServer(
        extra_env={
            "INITIAL_NO_AUTH_ACTION_COUNT": str(ROOT_CALLS),
            "MOTO_IAM_LOAD_MANAGED_POLICIES": "true" if load_managed_policies else "false",
        }
    ).start()


def post(server, path, data=b""):
    headers = {"Content-Type": "text/plain"}  # not form-encoded: moto reads the raw body
    request = urllib.request.Request(server.url + path, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def client(server, service, keys, region="us-east-1"):
    """A boto3 client for ``server`` signing with ``keys`` (access key, secret)."""
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=server.url,
        aws_access_key_id=keys[0],
        aws_secret_access_key=keys[1],
    )


def bootstrap_admin(server):
    """Resets the server and creates the ``admin`` user allowed everything; returns its keys."""
    server.reset()
    post(server, "/moto-api/reset-auth", str(ROOT_CALLS).encode())
    default = server.env()
    root = client(server, "iam", (default["AWS_ACCESS_KEY_ID"], default["AWS_SECRET_ACCESS_KEY"]))
    root.create_user(UserName="admin")
    root.put_user_policy(UserName="admin", PolicyName="everything", PolicyDocument=json.dumps(ALLOW_ALL))
    key = root.create_access_key(UserName="admin")["AccessKey"]
    try:
        root.get_user(UserName="admin")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidClientTokenId", e
    else:
        raise AssertionError(f"moto_server does not enforce IAM authorization after {ROOT_CALLS} calls")
    return key["AccessKeyId"], key["SecretAccessKey"]


def user_with(iam, name, policy):
    """A new user holding only ``policy`` (inline); returns its keys."""
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="only", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def without(document, removed):
    """``document`` without the action ``removed`` (a statement left with no action is dropped)."""
    statements = []
    for statement in document["Statement"]:
        actions = [a for a in statement["Action"] if a != removed]
        if actions:
            statements.append(dict(statement, Action=actions))
    return dict(document, Statement=statements)
