"""Complaint deadlines: a pure function of (ticket severity, status history, now).

Deadlines count *working time* when the policy has a ``WorkingTime`` (working days and hours in
one time zone, minus holidays), else clock time. A ticket lives in *cycles*: the first starts when
it is opened, each ``reopened`` starts a new one. In each cycle the ticket must be acknowledged
(``acknowledged``, ``in_progress`` or ``resolved`` all count) within the severity's acknowledge
duration and resolved within its resolve duration, both counted from the cycle's start. So a
reopened ticket gets fresh deadlines from the moment it was reopened.

Durations are written ``"30m"``, ``"2h"``, ``"3d"``; with working time a day is one working day
(``end - start``), so ``"3d"`` opened Monday 10:00 is due Thursday 10:00 (Mon-Fri 9-18).

No I/O, no clock: ``now`` is an argument.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kernel.protocols import ComplaintRules

ACK_STATUSES = frozenset({"acknowledged", "in_progress", "resolved"})
CYCLE_START = frozenset({"open", "reopened"})
MAX_DAYS = 3660  # a search that finds no working time in ten years has a broken calendar

_DURATION = re.compile(r"^([0-9]+(?:\.[0-9]+)?)([mhd])$")


class DeadlineError(ValueError):
    """A deadline policy or history is unusable; the message names the field."""


@dataclass(frozen=True, slots=True)
class WorkingTime:
    """Working days (ISO weekdays) and hours, local to ``timezone``; holidays are off."""

    timezone: str
    days: frozenset[int]
    start: time
    end: time
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise DeadlineError("end: working hours must end after they start")
        if not self.days or not self.days <= frozenset(range(1, 8)):
            raise DeadlineError("days: ISO weekdays 1-7, at least one")

    @property
    def day_s(self) -> float:
        s = datetime.combine(date(2000, 1, 1), self.start)
        e = datetime.combine(date(2000, 1, 1), self.end)
        return (e - s).total_seconds()

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() in self.days and day not in self.holidays

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        """UTC instants where working time starts and ends on local ``day``."""
        tz = ZoneInfo(self.timezone)
        s = datetime.combine(day, self.start, tz).astimezone(UTC)
        e = datetime.combine(day, self.end, tz).astimezone(UTC)
        return s, e


@dataclass(frozen=True, slots=True)
class SeverityDeadlines:
    acknowledge_s: float
    resolve_s: float


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    severities: Mapping[str, SeverityDeadlines]
    working: WorkingTime | None = None  # None: clock time


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: str
    at: datetime


@dataclass(frozen=True, slots=True)
class DeadlineState:
    """Deadlines of the ticket's current cycle, and whether they are met, late or overdue."""

    cycle: int
    cycle_started_at: datetime
    acknowledge_due_at: datetime
    resolve_due_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    status: str

    def acknowledge_overdue(self, now: datetime) -> bool:
        return (
            self.acknowledged_at is None
            and self.status not in ("closed",)
            and now > self.acknowledge_due_at
        )

    def resolve_overdue(self, now: datetime) -> bool:
        return (
            self.resolved_at is None
            and self.status not in ("closed",)
            and now > self.resolve_due_at
        )

    @property
    def acknowledged_in_time(self) -> bool | None:
        if self.acknowledged_at is None:
            return None
        return self.acknowledged_at <= self.acknowledge_due_at

    @property
    def resolved_in_time(self) -> bool | None:
        if self.resolved_at is None:
            return None
        return self.resolved_at <= self.resolve_due_at


def parse_duration_s(text: str, day_s: float = 86400.0) -> float:
    """``"30m"`` → 1800.0; ``"3d"`` → 3 × ``day_s`` (a working day when counting working time)."""
    m = _DURATION.match(text.strip())
    if not m:
        raise DeadlineError(f"duration: {text!r} is not like 30m, 2h or 3d")
    amount, unit = float(m.group(1)), m.group(2)
    return amount * {"m": 60.0, "h": 3600.0, "d": day_s}[unit]


def policy_from_settings(complaints: ComplaintRules, default_timezone: str) -> DeadlinePolicy:
    """``[complaints]`` settings → policy."""
    c = complaints
    working = None
    if c.business_hours:
        working = WorkingTime(
            timezone=c.timezone or default_timezone,
            days=frozenset(c.work_days),
            start=c.work_start,
            end=c.work_end,
            holidays=frozenset(c.holidays),
        )
    day_s = working.day_s if working else 86400.0
    severities = {
        name: SeverityDeadlines(
            acknowledge_s=parse_duration_s(sev.acknowledge, day_s),
            resolve_s=parse_duration_s(sev.resolve, day_s),
        )
        for name, sev in c.severities.items()
    }
    return DeadlinePolicy(severities=severities, working=working)


def add_working_time(start_at: datetime, seconds: float, working: WorkingTime | None) -> datetime:
    """The instant ``seconds`` of working time after ``start_at`` (clock time without a calendar).

    Time outside working hours does not count; starting outside them starts at the next opening.
    A deadline that uses up a day exactly ends at that day's closing time.
    """
    _aware(start_at, "start_at")
    if working is None:
        return start_at.astimezone(UTC) + timedelta(seconds=seconds)
    remaining = timedelta(seconds=seconds)
    cursor = start_at.astimezone(UTC)
    day = start_at.astimezone(ZoneInfo(working.timezone)).date()
    for _ in range(MAX_DAYS):
        if working.is_working_day(day):
            opens, closes = working.bounds(day)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
    raise DeadlineError("working: no working time found in ten years")


def working_seconds_between(a: datetime, b: datetime, working: WorkingTime | None) -> float:
    """Working time between two instants (negative when ``b`` is before ``a``)."""
    _aware(a, "a")
    _aware(b, "b")
    if b < a:
        return -working_seconds_between(b, a, working)
    if working is None:
        return (b - a).total_seconds()
    total = 0.0
    tz = ZoneInfo(working.timezone)
    day = a.astimezone(tz).date()
    last = b.astimezone(tz).date()
    while day <= last:
        if working.is_working_day(day):
            opens, closes = working.bounds(day)
            lo, hi = max(a, opens), min(b, closes)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def deadline_state(
    severity: str,
    history: Sequence[StatusChange],
    policy: DeadlinePolicy,
) -> DeadlineState:
    """Deadlines of the current cycle of a ticket whose status changes are ``history`` (oldest
    first, ``open`` first). Overdue-ness needs ``now``: ``state.resolve_overdue(now)``."""
    if severity not in policy.severities:
        raise DeadlineError(f"severity: unknown severity {severity!r}")
    if not history or history[0].status != "open":
        raise DeadlineError("history: must start with 'open'")
    rules = policy.severities[severity]
    cycle = -1
    start = history[0].at
    acked: datetime | None = None
    resolved: datetime | None = None
    for change in history:
        _aware(change.at, "history.at")
        if change.status in CYCLE_START:
            cycle += 1
            start, acked, resolved = change.at, None, None
            continue
        if change.status in ACK_STATUSES and acked is None:
            acked = change.at
        if change.status == "resolved" and resolved is None:
            resolved = change.at
    return DeadlineState(
        cycle=cycle,
        cycle_started_at=start.astimezone(UTC),
        acknowledge_due_at=add_working_time(start, rules.acknowledge_s, policy.working),
        resolve_due_at=add_working_time(start, rules.resolve_s, policy.working),
        acknowledged_at=acked.astimezone(UTC) if acked else None,
        resolved_at=resolved.astimezone(UTC) if resolved else None,
        status=history[-1].status,
    )


def overdue_kinds(state: DeadlineState, now: datetime) -> list[str]:
    """Which deadlines of the current cycle are past and unmet at ``now``: acknowledge, resolve."""
    out = []
    if state.acknowledge_overdue(now):
        out.append("acknowledge")
    if state.resolve_overdue(now):
        out.append("resolve")
    return out


def history_of(rows: Iterable[tuple[str, datetime]]) -> list[StatusChange]:
    return [StatusChange(status, at) for status, at in rows]


def _aware(dt: datetime, name: str) -> None:
    if dt.tzinfo is None:
        raise DeadlineError(f"{name}: must be timezone-aware")
