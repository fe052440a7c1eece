# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module class: amazon.aws's AnsibleAWSModule, identified as this collection in the user agent."""

from ansible_collections.amazon.aws.plugins.module_utils.common import set_collection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

COLLECTION_NAME = "ecs_tools.iam"
COLLECTION_VERSION = "1.1.0"

# botocore's own retries are the only ones that cover a connection closed or reset before a
# response (AWSRetry retries ClientError codes only), and its default of 3 attempts in all lets
# a short network blip fail a run. A user's aws_config still takes precedence.
BOTOCORE_CONFIG = {"retries": {"mode": "standard", "max_attempts": 6}}


class EcsToolsIAMModule(AnsibleAWSModule):
    def __init__(self, **kwargs):
        super(EcsToolsIAMModule, self).__init__(**kwargs)
        set_collection_info(collection_name=COLLECTION_NAME, collection_version=COLLECTION_VERSION)

    def client(self, service, retry_decorator=None, **extra_params):
        extra_params.setdefault("config", dict(BOTOCORE_CONFIG))
        return super(EcsToolsIAMModule, self).client(service, retry_decorator=retry_decorator, **extra_params)
