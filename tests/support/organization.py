# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An AWS Organization on a moto_server, for the inventory and audit tests, the fleet benchmark
and the report screenshot.

``build(env, layout)`` creates the organization with the management account of the credentials in
``env`` (moto's default account 123456789012), then the OUs and accounts of ``layout``::

    {"Workloads": {"Prod": ["prod-a", "prod-b"], "Dev": ["dev-a"]}, "Sandbox": ["sandbox-a"], "": ["top-a"]}

(a dict is an OU, a list holds account names; the key "" is the root itself). Account names
listed in ``closed`` are closed afterwards (moto marks them SUSPENDED). Returns an ``Org`` with the
ids of everything it made.
"""

import json

import boto3


class Org:
    def __init__(self, management_account_id, root_id):
        self.management_account_id = management_account_id
        self.root_id = root_id
        self.ou_ids = {}  # "Workloads/Prod" -> ou id
        self.accounts = {}  # account name -> {"id", "email", "path", "parent_id"}

    def account_id(self, name):
        return self.accounts[name]["id"]


def client(env, service="organizations", credentials=None):
    """A boto3 client for the server in ``env`` (moto_server's env()), with its keys or ``credentials``
    (STS ``Credentials``)."""
    keys = {"aws_access_key_id": env["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"]}
    if credentials is not None:
        keys = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }
    return boto3.client(
        service, region_name=env.get("AWS_REGION", "us-east-1"), endpoint_url=env["AWS_ENDPOINT_URL"], **keys
    )


def build(env, layout, closed=()):
    org_client = client(env)
    organization = org_client.create_organization(FeatureSet="ALL")["Organization"]
    root = org_client.list_roots()["Roots"][0]
    org = Org(organization["MasterAccountId"], root["Id"])

    def add(parent_id, path, node):
        if isinstance(node, dict):
            for name, child in node.items():
                if name == "":
                    add(parent_id, path, child)
                    continue
                ou = org_client.create_organizational_unit(ParentId=parent_id, Name=name)["OrganizationalUnit"]
                ou_path = path + "/" + name
                org.ou_ids[ou_path.split("/", 1)[1]] = ou["Id"]
                add(ou["Id"], ou_path, child)
            return
        for account_name in node:
            email = f"{account_name}@example.com"
            status = org_client.create_account(AccountName=account_name, Email=email)["CreateAccountStatus"]
            account_id = status["AccountId"]
            if parent_id != org.root_id:
                org_client.move_account(AccountId=account_id, SourceParentId=org.root_id, DestinationParentId=parent_id)
            org.accounts[account_name] = {"id": account_id, "email": email, "path": path, "parent_id": parent_id}

    add(org.root_id, root["Name"], layout)
    for name in closed:
        org_client.close_account(AccountId=org.account_id(name))
    return org


def account_client(env, account_id, service="iam", role_name="OrganizationAccountAccessRole"):
    """A boto3 client inside a member account: STS AssumeRole into its ``role_name`` first."""
    creds = client(env, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{role_name}", RoleSessionName="ecs-tools-setup"
    )["Credentials"]
    return client(env, service, creds)


def create_role(env, account_id, trust_services, policy_arns, role_name="ecsInfrastructureRole"):
    """An infrastructure role made by hand in a member account: trusting ``trust_services``, with
    ``policy_arns`` attached."""
    iam = account_client(env, account_id)
    statement = {"Effect": "Allow", "Principal": {"Service": list(trust_services)}, "Action": "sts:AssumeRole"}
    iam.create_role(
        RoleName=role_name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    for arn in policy_arns:
        iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)
    return iam
