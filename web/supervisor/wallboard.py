"""What the wallboard shows for a queue, and when it raises an alert. Pure: values in, values out.

A queue is in alert when its service level over the last 30 minutes is below target (once some
calls were offered), when its longest wait is past three times the service-level target time, or
when calls wait while nobody who can serve the queue is working. An alert is a kind and its
figures, not a sentence: the page words it in its reader's language (wallboard/labels.js).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

WORKING_STATES = ("ready", "offered", "on_call", "wrap_up")
LONG_WAIT_FACTOR = 3


@dataclass(frozen=True, slots=True)
class QueueTarget:
    sl_target_pct: float
    sl_target_s: int


def queue_alerts(
    *,
    waiting: int,
    longest_wait_s: float,
    sl_30m_pct: float | None,
    agents: dict[str, int],
    target: QueueTarget,
) -> list[dict[str, Any]]:
    """Why the queue is in alert (empty when it is not): ``service_level`` (the last 30 minutes'
    ``sl_pct`` below ``target_pct``), ``long_wait`` (``wait_s``), ``no_agent``."""
    out: list[dict[str, Any]] = []
    if sl_30m_pct is not None and sl_30m_pct < target.sl_target_pct:
        out.append(
            {"kind": "service_level", "sl_pct": sl_30m_pct, "target_pct": target.sl_target_pct}
        )
    if longest_wait_s > LONG_WAIT_FACTOR * target.sl_target_s:
        out.append({"kind": "long_wait", "wait_s": round(longest_wait_s)})
    if waiting > 0 and sum(agents.get(s, 0) for s in WORKING_STATES) == 0:
        out.append({"kind": "no_agent"})
    return out


def page_of(total: int, page: int, size: int) -> tuple[int, int]:
    """Slice bounds of ``page`` (1-based); a page past the end is the last page."""
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    return start, min(start + size, total)


def chart_span(
    opens_at: datetime, closes_at: datetime, busy: list[datetime], step: timedelta
) -> tuple[datetime, datetime]:
    """The day chart's span: the opening hours, widened to the intervals (starting at ``busy``)
    that had calls outside them, so no call is ever left off the chart."""
    start = min([opens_at, *busy])
    end = max([closes_at, *(b + step for b in busy)])
    return start, end
