# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS calls of the drift-event plumbing only: SQS, EventBridge, IAM (the forwarding role),
CloudTrail (read), Organizations (read). One small function per API call, each raising
amazon.aws's ``AnsibleAWSError``; a missing object reads as ``None``. Retrying is botocore's
standard mode alone (``_module.BOTOCORE_CONFIG``).
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict


class SQSErrorHandler(AWSErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"])


class EventsErrorHandler(AWSErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


class CloudTrailErrorHandler(AWSErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["TrailNotFoundException", "AccessDeniedException", "AccessDenied"])


# ---------------------------------------------------------------- SQS


@SQSErrorHandler.list_error_handler("get queue url")
def get_queue_url(client, name):
    return client.get_queue_url(QueueName=name)["QueueUrl"]


@SQSErrorHandler.list_error_handler("get queue attributes", {})
def get_queue_attributes(client, url):
    return client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


@SQSErrorHandler.list_error_handler("list queue tags", {})
def list_queue_tags(client, url):
    return client.list_queue_tags(QueueUrl=url).get("Tags", {})


@SQSErrorHandler.common_error_handler("create queue")
def create_queue(client, name, attributes, tags):
    return client.create_queue(QueueName=name, Attributes=attributes, tags=tags)["QueueUrl"]


@SQSErrorHandler.common_error_handler("set queue attributes")
def set_queue_attributes(client, url, attributes):
    client.set_queue_attributes(QueueUrl=url, Attributes=attributes)


@SQSErrorHandler.common_error_handler("delete queue")
def delete_queue(client, url):
    client.delete_queue(QueueUrl=url)


# ---------------------------------------------------------------- EventBridge


@EventsErrorHandler.list_error_handler("describe event bus")
def describe_event_bus(client, name):
    return client.describe_event_bus(Name=name)


@EventsErrorHandler.common_error_handler("create event bus")
def create_event_bus(client, name, tags):
    return client.create_event_bus(Name=name, Tags=ansible_dict_to_boto3_tag_list(tags))["EventBusArn"]


@EventsErrorHandler.common_error_handler("put event bus permission")
def put_permission(client, bus_name, policy):
    client.put_permission(EventBusName=bus_name, Policy=json.dumps(policy))


@EventsErrorHandler.common_error_handler("delete event bus")
def delete_event_bus(client, name):
    client.delete_event_bus(Name=name)


@EventsErrorHandler.list_error_handler("describe rule")
def describe_rule(client, name, bus_name):
    return client.describe_rule(Name=name, EventBusName=bus_name)


@EventsErrorHandler.list_error_handler("list tags of an EventBridge resource", {})
def list_events_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceARN=arn).get("Tags", []))


@EventsErrorHandler.common_error_handler("put rule")
def put_rule(client, name, bus_name, pattern, description, tags):
    return client.put_rule(
        Name=name,
        EventBusName=bus_name,
        EventPattern=json.dumps(pattern),
        State="ENABLED",
        Description=description,
        Tags=ansible_dict_to_boto3_tag_list(tags),
    )["RuleArn"]


@EventsErrorHandler.list_error_handler("list targets by rule", [])
def list_targets_by_rule(client, name, bus_name):
    paginator = client.get_paginator("list_targets_by_rule")
    return paginator.paginate(Rule=name, EventBusName=bus_name).build_full_result()["Targets"]


@EventsErrorHandler.common_error_handler("put targets")
def put_targets(client, name, bus_name, targets):
    response = client.put_targets(Rule=name, EventBusName=bus_name, Targets=targets)
    if response.get("FailedEntryCount"):
        raise _failed_entries("put targets", response)


@EventsErrorHandler.common_error_handler("remove targets")
def remove_targets(client, name, bus_name, ids):
    response = client.remove_targets(Rule=name, EventBusName=bus_name, Ids=list(ids))
    if response.get("FailedEntryCount"):
        raise _failed_entries("remove targets", response)


@EventsErrorHandler.common_error_handler("delete rule")
def delete_rule(client, name, bus_name):
    client.delete_rule(Name=name, EventBusName=bus_name)


def _failed_entries(action, response):
    from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

    entries = [f"{e.get('ErrorCode')}: {e.get('ErrorMessage')}" for e in response.get("FailedEntries", [])]
    return AnsibleAWSError(message=f"Failed to {action}: {'; '.join(entries)}")


# ---------------------------------------------------------------- IAM (the forwarding role)


@IAMErrorHandler.list_error_handler("get role")
def get_role(client, name):
    return client.get_role(RoleName=name)["Role"]


@IAMErrorHandler.list_error_handler("list role tags", {})
def list_role_tags(client, name):
    return boto3_tag_list_to_ansible_dict(client.list_role_tags(RoleName=name).get("Tags", []))


@IAMErrorHandler.list_error_handler("get role policy")
def get_role_policy(client, role_name, policy_name):
    return client.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]


@IAMErrorHandler.common_error_handler("create role")
def create_role(client, name, trust_policy, description, tags):
    return client.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(trust_policy),
        Description=description,
        Tags=ansible_dict_to_boto3_tag_list(tags),
    )["Role"]


@IAMErrorHandler.common_error_handler("update assume role policy")
def update_assume_role_policy(client, name, trust_policy):
    client.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust_policy))


@IAMErrorHandler.common_error_handler("put role policy")
def put_role_policy(client, role_name, policy_name, document):
    client.put_role_policy(RoleName=role_name, PolicyName=policy_name, PolicyDocument=json.dumps(document))


@IAMErrorHandler.deletion_error_handler("delete role policy")
def delete_role_policy(client, role_name, policy_name):
    client.delete_role_policy(RoleName=role_name, PolicyName=policy_name)


@IAMErrorHandler.deletion_error_handler("delete role")
def delete_role(client, name):
    client.delete_role(RoleName=name)


# ---------------------------------------------------------------- CloudTrail, Organizations (reads)


@CloudTrailErrorHandler.list_error_handler("describe trails", [])
def describe_trails(client):
    return client.describe_trails(includeShadowTrails=True).get("trailList", [])


@CloudTrailErrorHandler.list_error_handler("get trail status")
def get_trail_status(client, arn):
    return client.get_trail_status(Name=arn)


@CloudTrailErrorHandler.list_error_handler("get event selectors")
def get_event_selectors(client, arn):
    return client.get_event_selectors(TrailName=arn)


@AWSErrorHandler.common_error_handler("describe organization")
def describe_organization(client):
    return client.describe_organization()["Organization"]
