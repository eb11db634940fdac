"""The labkit error hierarchy.

Every refused command raises a :class:`LabkitError` subclass. The message names
the broken rule and where the rule comes from (a table or section of the paper,
a Microsoft KB article, an MSCS property), and the model is left exactly as it
was before the call.

>>> try:
...     raise DependencyError("resources must be in one group",
...                           rule="dependencies stay inside a group",
...                           source="paper, Resources and Resource Groups")
... except LabkitError as e:
...     print(e)
resources must be in one group [rule: dependencies stay inside a group; source: paper, Resources and Resource Groups]
"""
from __future__ import annotations


class LabkitError(Exception):
    """Base of every error labkit raises on purpose.

    ``rule`` is a short name of the rule that was broken, ``source`` where the
    rule is written down. Both are part of the message.
    """

    def __init__(self, message: str, *, rule: str | None = None, source: str | None = None):
        self.detail = message
        self.rule = rule
        self.source = source
        tail = []
        if rule:
            tail.append(f"rule: {rule}")
        if source:
            tail.append(f"source: {source}")
        full = f"{message} [{'; '.join(tail)}]" if tail else message
        super().__init__(full)


class ValidationError(LabkitError):
    """An argument has the wrong type or an impossible value."""


class NotFoundError(LabkitError):
    """A node, group, resource or other object name is unknown."""


class NameConflictError(LabkitError):
    """A name or address is already taken (or may not be reused)."""


class DependencyError(LabkitError):
    """A resource dependency breaks an MSCS rule (other group, cycle, quorum...)."""


class OwnershipError(LabkitError):
    """A node cannot own a group or resource (possible owners, node state)."""


class StateError(LabkitError):
    """The command is not allowed in the current state of the object."""


class LimitError(LabkitError):
    """A product limit would be exceeded (edition node count, storage groups...)."""


class QuorumError(LabkitError):
    """The quorum resource rules (one Physical Disk, no dependencies...)."""


class AccessDeniedError(LabkitError):
    """The account performing the change lacks the rights the rule requires."""


class ConfigurationError(LabkitError):
    """A plan or design breaks a configuration rule (storage, naming, editions)."""


class ProcedureError(LabkitError):
    """A procedure step was skipped, run out of order, or its check failed."""


class FileFormatError(LabkitError):
    """A cluster file is corrupt, truncated, or does not match the schema."""


__all__ = [
    "LabkitError", "ValidationError", "NotFoundError", "NameConflictError",
    "DependencyError", "OwnershipError", "StateError", "LimitError", "QuorumError",
    "AccessDeniedError", "ConfigurationError", "ProcedureError", "FileFormatError",
]
