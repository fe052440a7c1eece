# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module class: amazon.aws's AnsibleAWSModule, identified as this collection in the user agent."""

from ansible_collections.amazon.aws.plugins.module_utils.common import set_collection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

COLLECTION_NAME = "ecs_tools.iam"
COLLECTION_VERSION = "1.0.0"


class EcsToolsIAMModule(AnsibleAWSModule):
    def __init__(self, **kwargs):
        super(EcsToolsIAMModule, self).__init__(**kwargs)
        set_collection_info(collection_name=COLLECTION_NAME, collection_version=COLLECTION_VERSION)
