"""A report for a date range: read the rows (``reports.readers``), apply the definitions
(``reports.definitions``). The command, the API and the wallboard's day chart call this.

Days are the centre's (``timezone``): ``from_day`` 00:00 to the end of ``to_day`` (inclusive),
and interval starts carry that zone's offset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.protocols import QueueRules as QueueRulesProtocol
from reports.definitions import (
    QueueRules,
    agent_report,
    disposition_report,
    interval_index,
    interval_report,
    queue_report,
)
from reports.readers import read_calls, read_state_seconds
from store.gaps import no_data, read_gaps

Kind = Literal["intervals", "queues", "agents", "dispositions"]
KINDS: tuple[Kind, ...] = ("intervals", "queues", "agents", "dispositions")
MAX_DAYS = 366  # a year of a large centre is about 7 million calls: beyond, export in parts
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)  # datetimes stay far from overflow


class ReportError(ValueError):
    """A report asked for with a bad argument; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


QueueLike = QueueRulesProtocol  # a queue's settings (``QueueConfig``): the kernel's protocol


@dataclass(frozen=True, slots=True)
class ReportRequest:
    kind: Kind
    from_day: date
    to_day: date
    timezone: str
    interval_min: int = 15
    queues: tuple[str, ...] = ()
    agents: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name, day in (("from", self.from_day), ("to", self.to_day)):
            if not FIRST_DAY <= day <= LAST_DAY:
                raise ReportError(name, f"{day} is not between {FIRST_DAY} and {LAST_DAY}")
        if self.kind not in KINDS:
            raise ReportError("kind", f"must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.to_day < self.from_day:
            raise ReportError("to", f"{self.to_day} is before from {self.from_day}")
        if (self.to_day - self.from_day).days >= MAX_DAYS:
            raise ReportError("to", f"at most {MAX_DAYS} days from {self.from_day}")
        if self.interval_min not in (15, 30, 60):
            raise ReportError("interval_min", f"must be 15, 30 or 60, got {self.interval_min}")

    def range(self) -> tuple[datetime, datetime]:
        return day_range(self.from_day, self.to_day, self.timezone)


def day_range(from_day: date, to_day: date, timezone: str) -> tuple[datetime, datetime]:
    """``[from_day 00:00, to_day + 1 00:00)`` in ``timezone`` (``to_day`` inclusive)."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(from_day, time(), tz)
    end = datetime.combine(to_day + timedelta(days=1), time(), tz)
    return start, end


def rules_of(queues: Iterable[QueueLike]) -> dict[str, QueueRules]:
    return {
        q.id: QueueRules(q.sl_target_s, q.short_abandon_s, q.abandon_counts_against_sl)
        for q in queues
    }


async def interval_figures(
    engine: AsyncEngine,
    start_at: datetime,
    end_at: datetime,
    *,
    interval_min: int,
    timezone: str,
    queues: Sequence[str] | None,
    rules: Mapping[str, QueueRules],
    by_queue: bool = True,
) -> pd.DataFrame:
    """Per interval and queue figures over ``[start_at, end_at)`` (the intervals report); with
    ``by_queue`` False the queues added up (the wallboard's day chart, planners' history).
    ``queues`` None: every queue the calls name."""
    index = interval_index(start_at, end_at, interval_min, timezone)
    calls = await read_calls(engine, start_at, end_at, queues)
    if queues is None:
        queues = sorted(calls["queue_id"].dropna().unique())
    gaps = await read_gaps(engine, start_at, end_at)
    flags = no_data(index, pd.Timedelta(minutes=interval_min), gaps).to_numpy()
    return interval_report(calls, index, interval_min, queues, rules, flags, by_queue=by_queue)


async def build_report(
    engine: AsyncEngine, request: ReportRequest, queues: Sequence[QueueLike]
) -> pd.DataFrame:
    """The report ``request`` asks for; ``queues`` are the configured queues (their rules, and
    every one of them when the request names none)."""
    known = [q.id for q in queues]
    unknown = [q for q in request.queues if q not in known]
    if unknown:
        raise ReportError("queue", f"no such queue: {', '.join(unknown)}")
    chosen = list(request.queues) or known
    rules = rules_of(queues)
    start_at, end_at = request.range()
    if request.kind == "intervals":
        return await interval_figures(
            engine,
            start_at,
            end_at,
            interval_min=request.interval_min,
            timezone=request.timezone,
            queues=chosen,
            rules=rules,
        )
    if request.kind == "agents":
        calls = await read_calls(engine, start_at, end_at, request.queues or None)
        states = await read_state_seconds(engine, start_at, end_at, request.agents or None)
        return agent_report(states, calls, request.agents or None)
    calls = await read_calls(engine, start_at, end_at, chosen)
    if request.kind == "queues":
        gaps = await read_gaps(engine, start_at, end_at)
        return queue_report(calls, chosen, rules, bool(gaps))
    return disposition_report(calls, chosen)
