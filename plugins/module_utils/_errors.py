# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Typed errors the service layer raises and both modules turn into ``fail_json`` the same way
(``EcsToolsIAMModule.run``). Pure: no boto3. AWS failures stay amazon.aws's ``AnsibleAWSError``.
"""


class EcsToolsError(Exception):
    """Base: the message is for the user; ``details`` go into the failed task's result."""

    def __init__(self, message, **details):
        super().__init__(message)
        self.details = details


class InvalidInput(EcsToolsError):
    """The input cannot be acted on; found before any write."""


class NotOwned(EcsToolsError):
    """An IAM object carries the name the collection would use, but the collection cannot prove it
    created it. ``details["foreign_objects"]`` names each one and who holds it."""


class ConcurrentChange(EcsToolsError):
    """After writing, IAM reads back a state other than the one written: someone else wrote too."""


class InUseError(EcsToolsError):
    """The in-use guard refused a destructive change; ``details["in_use"]`` says what uses the role."""

    def __init__(self, message, usage):
        super().__init__(message, in_use=usage)
        self.usage = usage
