"""Complaint tickets, pure: the lifecycle, its errors and the settings it reads.

Lifecycle: ``open → acknowledged → in_progress → resolved → closed``; a resolved or closed ticket
may be ``reopened`` and then goes the same way again (steps may be skipped forward, e.g. an open
ticket resolved at once). Deadlines: ``complaints.deadlines``.

Errors::

    ComplaintError
    ├── ComplaintFieldError(field, value, message)   bad input, the field named
    ├── ComplaintNotFoundError(complaint_id)
    └── TransitionError(complaint_id, from, to)      a status change the lifecycle does not allow
"""

from __future__ import annotations

from dataclasses import dataclass

from complaints.deadlines import DeadlinePolicy, policy_from_settings
from kernel.messages import N_, BadFieldValue, ExplainedError
from kernel.protocols import CustomerWorkSettings

TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"acknowledged", "in_progress", "resolved"}),
    "acknowledged": frozenset({"in_progress", "resolved"}),
    "in_progress": frozenset({"resolved"}),
    "resolved": frozenset({"closed", "reopened"}),
    "closed": frozenset({"reopened"}),
    "reopened": frozenset({"acknowledged", "in_progress", "resolved"}),
}
ACTIVE = ("open", "acknowledged", "in_progress", "reopened")


class ComplaintError(ExplainedError):
    """Base of the errors of complaint tickets; people read its explanation
    (``kernel.messages``)."""


class ComplaintFieldError(ComplaintError, BadFieldValue):
    """Bad input: ``field``, ``value``, the explanation (``kernel.messages.BadFieldValue``)."""


class ComplaintNotFoundError(ComplaintError):
    def __init__(self, complaint_id: str) -> None:
        self.complaint_id = complaint_id
        self.explain(N_("no complaint %(complaint_id)s"), {"complaint_id": complaint_id})
        super().__init__(f"complaint {complaint_id}: not found")


class TransitionError(ComplaintError):
    def __init__(self, complaint_id: str, current: str, wanted: str) -> None:
        self.complaint_id, self.current, self.wanted = complaint_id, current, wanted
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "nothing"
        text = self.explain(
            N_(
                "complaint %(complaint_id)s: cannot go from %(current)s to %(wanted)s"
                " (allowed: %(allowed)s)"
            ),
            {
                "complaint_id": complaint_id,
                "current": current,
                "wanted": wanted,
                "allowed": allowed,
            },
        )
        super().__init__(text)


@dataclass(frozen=True, slots=True)
class ComplaintConfig:
    categories: tuple[str, ...]
    policy: DeadlinePolicy

    @classmethod
    def from_settings(cls, settings: CustomerWorkSettings) -> ComplaintConfig:
        return cls(
            categories=tuple(settings.complaints.categories),
            policy=policy_from_settings(settings.complaints, settings.timezone),
        )
