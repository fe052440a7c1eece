# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Module glue shared by both modules: amazon.aws's AnsibleAWSModule, identified as this collection
in the user agent, with the collection's one retry layer and one way to turn errors into results."""

from ansible_collections.amazon.aws.plugins.module_utils.common import set_collection_info
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.ecs_tools.iam.plugins.module_utils._errors import EcsToolsError

COLLECTION_NAME = "ecs_tools.iam"
COLLECTION_VERSION = "1.1.0"

# The one retry layer: botocore's standard mode retries throttling, transient server errors and a
# connection closed or reset before a response, each request (each page) on its own, with jittered
# exponential backoff. Nothing wraps it in a second layer (AWSRetry around it would multiply the
# attempts under throttling). 10 attempts in all, as many as amazon.aws's AWSRetry makes.
# A user's aws_config still takes precedence.
BOTOCORE_CONFIG = {"retries": {"mode": "standard", "total_max_attempts": 10}}


def role_options():
    """The options both modules share (documented once, in the ``ecs_tools.iam.role`` doc fragment)."""
    return dict(
        name=dict(type="str", default="ecsInfrastructureRole", aliases=["role_name"]),
        usage_regions=dict(type="list", elements="str"),
    )


class EcsToolsIAMModule(AnsibleAWSModule):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        set_collection_info(collection_name=COLLECTION_NAME, collection_version=COLLECTION_VERSION)

    def client(self, service, retry_decorator=None, **extra_params):
        extra_params.setdefault("config", dict(BOTOCORE_CONFIG))
        return super().client(service, retry_decorator=retry_decorator, **extra_params)

    def run(self, function, *args):
        """``function(*args)``, with the collection's errors failing the task: the message for the
        user, the error's details (``foreign_objects``, ``differences``, ``in_use``) in the result."""
        try:
            return function(*args)
        except EcsToolsError as e:
            self.fail_json(msg=str(e), **e.details)
        except AnsibleAWSError as e:
            self.fail_json_aws_error(e)
