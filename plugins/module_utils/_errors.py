# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Typed errors the pure layers raise and the modules turn into ``fail_json``. Pure: no boto3.

They subclass ``ValueError`` so that callers written for the older, untyped channel keep working.
"""


class EcsToolsError(ValueError):
    """Base: the message is for the user; ``details`` go into the failed task's result."""

    def __init__(self, message, **details):
        super(EcsToolsError, self).__init__(message)
        self.details = details


class InvalidInput(EcsToolsError):
    """The input cannot be acted on; found before any write."""


class NotOwned(EcsToolsError):
    """An IAM object carries the name the collection would use, but the collection cannot prove it
    created it. ``details["foreign_objects"]`` names each one and who holds it."""


class ConcurrentChange(EcsToolsError):
    """After writing, IAM reads back a state other than the one written: someone else wrote too."""
