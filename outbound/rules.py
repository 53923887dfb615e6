"""Placing outbound work in time: return visits, retries and callbacks. Pure: values in, values out.

A customer may be called inside their *calling window*: from ``start`` to ``end`` local time on the
listed ISO weekdays (the weekday of the window's start; a window with ``end <= start`` runs past
midnight, ``start == end`` is the whole day). A return visit is due at the first allowed instant
at or after its trigger (plus an optional delay) and should happen before the trigger plus the
window (24 h by default); when no allowed instant falls inside that window it is still placed, at
the next allowed one, and marked late. A do-not-call customer gets no return visit at all.

After an unanswered or busy attempt the task is retried ``retry_delay_s`` later (again inside
the calling window) until ``max_attempts``; a wrong number or a refusal ends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kernel.messages import N_, FieldValueError
from kernel.vocabulary import OUTCOMES

RETRY_OUTCOMES = frozenset({"no_answer", "busy"})
HORIZON_DAYS = 15  # a weekly window always has an opening within 8 days; DST needs a little more

# Telephony's call.failed reasons (OriginateResponse) -> task outcomes.
FAILURE_OUTCOMES: dict[str, str] = {
    "busy": "busy",
    "no_answer": "no_answer",
    "rejected": "busy",  # the customer declined the ringing call: try again later
    "congestion": "busy",  # the network was busy
    "invalid": "wrong_number",  # the number cannot be dialled
}


@dataclass(frozen=True, slots=True)
class CallingWindow:
    timezone: str
    start: time
    end: time
    days: frozenset[int]  # ISO weekdays on which a window starts

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(1, 8)):
            raise FieldValueError("days", N_("ISO weekdays 1-7, at least one"))
        ZoneInfo(self.timezone)  # raises on an unknown zone

    @property
    def wraps(self) -> bool:
        return self.end <= self.start and self.end != self.start

    def allows(self, at: datetime) -> bool:
        """Whether ``at`` (aware) is inside the window."""
        local = at.astimezone(ZoneInfo(self.timezone))
        t = local.time().replace(tzinfo=None)
        weekday = local.isoweekday()
        if self.start == self.end:
            return weekday in self.days
        if self.start < self.end:
            return weekday in self.days and self.start <= t < self.end
        yesterday = (weekday - 2) % 7 + 1
        return (weekday in self.days and t >= self.start) or (
            yesterday in self.days and t < self.end
        )


@dataclass(frozen=True, slots=True)
class Placement:
    due_at: datetime
    deadline_at: datetime | None
    late: bool  # no allowed instant before the deadline


def earliest_allowed(earliest_at: datetime, window: CallingWindow) -> datetime | None:
    """The first instant at or after ``earliest_at`` inside ``window``; None if none is found."""
    if earliest_at.tzinfo is None:
        raise FieldValueError("earliest_at", N_("must be timezone-aware"))
    at = earliest_at.astimezone(UTC)
    if window.allows(at):
        return at
    tz = ZoneInfo(window.timezone)
    day = at.astimezone(tz).date() - timedelta(days=1)
    for _ in range(HORIZON_DAYS + 1):
        if day.isoweekday() in window.days:
            opening = datetime.combine(day, window.start, tz).astimezone(UTC)
            # A DST gap can make an opening fall outside the window: skip that opening.
            if opening >= at and window.allows(opening):
                return opening
        day += timedelta(days=1)
    return None


def place_return_visit(
    trigger_at: datetime,
    window: CallingWindow,
    *,
    do_not_call: bool,
    window_s: float = 24 * 3600.0,
    delay_s: float = 0.0,
    not_before: datetime | None = None,
) -> Placement | None:
    """When to make the return visit for a sale or resolved complaint at ``trigger_at``.

    ``not_before`` (usually now) keeps an old trigger from being placed in the past. None when
    the customer must not be called or the window never opens.
    """
    if do_not_call:
        return None
    earliest = trigger_at + timedelta(seconds=delay_s)
    if not_before is not None and not_before > earliest:
        earliest = not_before
    due = earliest_allowed(earliest, window)
    if due is None:
        return None
    deadline = trigger_at.astimezone(UTC) + timedelta(seconds=window_s)
    return Placement(due_at=due, deadline_at=deadline, late=due > deadline)


def place_retry(
    failed_at: datetime, window: CallingWindow | None, *, retry_delay_s: float
) -> datetime | None:
    """When to dial again after an unanswered or busy attempt (callbacks: ``window`` None)."""
    earliest = failed_at.astimezone(UTC) + timedelta(seconds=retry_delay_s)
    if window is None:
        return earliest
    return earliest_allowed(earliest, window)


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """What happens to a task after an attempt: ``retry_at`` set means dial again then."""

    final_outcome: str | None
    retry_at: datetime | None


def after_attempt(
    outcome: str,
    *,
    attempts: int,
    max_attempts: int,
    ended_at: datetime,
    window: CallingWindow | None,
    retry_delay_s: float,
) -> AttemptResult:
    """The task's fate after attempt number ``attempts`` ended with ``outcome``."""
    if outcome not in OUTCOMES:
        raise FieldValueError("outcome", N_("unknown outcome %(outcome)r"), {"outcome": outcome})
    if outcome in RETRY_OUTCOMES and attempts < max_attempts:
        retry_at = place_retry(ended_at, window, retry_delay_s=retry_delay_s)
        if retry_at is not None:
            return AttemptResult(None, retry_at)
    return AttemptResult(outcome, None)
