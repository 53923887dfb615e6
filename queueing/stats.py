"""Live queue statistics and expected wait, from the counters the scripts keep. Pure.

Counters per queue and period (day so far, last 15 and 30 minutes): offered (calls that entered
the queue), answered, answered_sl (within the queue's target), abandoned, abandoned_short (before
``short_abandon_s``: left out of service level), wait_ms (sum of answered calls' waits), handled
and handle_ms (talk, hold and wrap-up of finished calls). Like the reports, the scripts count a
call's outcome in the minute (and day) it arrived, so a period's answered never exceeds its
offered; the figures come from ``reports.definitions``, the one home of their meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from reports.definitions import abandons_against_sl, mean_or_none, service_level_pct

METRICS = (
    "offered",
    "answered",
    "answered_sl",
    "abandoned",
    "abandoned_short",
    "wait_ms",
    "handled",
    "handle_ms",
)
WORKING_STATES = ("ready", "offered", "on_call", "wrap_up")


def day_id(now_ms: int, tz: ZoneInfo) -> str:
    """The statistics day (``YYYYMMDD``) in the call center's time zone."""
    return datetime.fromtimestamp(now_ms / 1000, UTC).astimezone(tz).strftime("%Y%m%d")


def average_handle_s(handle_ms: int, handled: int) -> float | None:
    """Mean handle time in seconds of the counters' finished calls (``None`` when none)."""
    ms = mean_or_none(handle_ms, handled)
    return None if ms is None else ms / 1000


def expected_wait_s(position: int, agents: int, handle_s: float) -> int:
    """Wait of the call at ``position`` (1 = next): one handle time per ``agents`` calls ahead.

    With ``agents`` serving the queue, one frees up every ``handle_s / agents`` seconds on
    average; with none, the estimate is one handle time per call (someone must log in).
    """
    return round(max(position, 1) * handle_s / max(agents, 1))


@dataclass(frozen=True, slots=True)
class PeriodStats:
    offered: int
    answered: int
    abandoned: int
    answered_in_sl: int
    abandons_against_sl: int
    service_level_pct: float | None
    asa_s: float | None
    handle_s: float | None

    @classmethod
    def from_counters(cls, c: Mapping[str, int], count_abandons: bool) -> PeriodStats:
        answered = int(c.get("answered", 0))
        abandoned = int(c.get("abandoned", 0))
        against = abandons_against_sl(abandoned, int(c.get("abandoned_short", 0)), count_abandons)
        asa_ms = mean_or_none(int(c.get("wait_ms", 0)), answered)
        return cls(
            offered=int(c.get("offered", 0)),
            answered=answered,
            abandoned=abandoned,
            answered_in_sl=int(c.get("answered_sl", 0)),
            abandons_against_sl=int(against),
            service_level_pct=service_level_pct(int(c.get("answered_sl", 0)), answered, against),
            asa_s=None if asa_ms is None else asa_ms / 1000,
            handle_s=average_handle_s(int(c.get("handle_ms", 0)), int(c.get("handled", 0))),
        )


@dataclass(frozen=True, slots=True)
class QueueStats:
    queue_id: str
    waiting: int
    longest_wait_s: float
    agents: dict[str, int] = field(default_factory=dict)
    day: PeriodStats | None = None
    last_15m: PeriodStats | None = None
    last_30m: PeriodStats | None = None
    expected_wait_s: int = 0

    @classmethod
    def from_raw(
        cls,
        queue_id: str,
        raw: Mapping[str, object],
        now_ms: int,
        count_abandons: bool,
        default_handle_s: float,
    ) -> QueueStats:
        oldest = raw.get("oldest_ms")
        agents = {k: int(v) for k, v in dict(raw.get("agents") or {}).items() if int(v)}  # type: ignore[call-overload]
        day = PeriodStats.from_counters(raw.get("day") or {}, count_abandons)  # type: ignore[arg-type]
        m15 = PeriodStats.from_counters(raw.get("m15") or {}, count_abandons)  # type: ignore[arg-type]
        m30 = PeriodStats.from_counters(raw.get("m30") or {}, count_abandons)  # type: ignore[arg-type]
        handle_s = m30.handle_s or day.handle_s or default_handle_s
        waiting = int(raw.get("waiting") or 0)  # type: ignore[call-overload]
        serving = sum(agents.get(s, 0) for s in WORKING_STATES)
        return cls(
            queue_id=queue_id,
            waiting=waiting,
            longest_wait_s=max(0.0, (now_ms - float(oldest)) / 1000) if oldest else 0.0,  # type: ignore[arg-type]
            agents=agents,
            day=day,
            last_15m=m15,
            last_30m=m30,
            expected_wait_s=expected_wait_s(waiting + 1, serving, handle_s),
        )
