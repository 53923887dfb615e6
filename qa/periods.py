"""Reporting periods: ISO weeks (``2026-W47``) and months (``2026-11``) as UTC bounds.

Pure module. A period starts at local midnight in the department's time zone (settings
``timezone``) and is returned as aware UTC datetimes ``[start_at, end_at)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kernel.messages import N_
from qa.errors import PeriodError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    kind: Literal["week", "month"]
    first_day: date
    days: int
    start_at: datetime
    end_at: datetime


def _utc_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def parse_period(text: str, tz_name: str = "UTC") -> Period:
    """``2026-W47`` (ISO week, Monday first) or ``2026-11`` (calendar month)."""
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PeriodError(text, N_("unknown time zone %(zone)r"), {"zone": tz_name}) from exc
    if m := _WEEK.match(text):
        year, week = int(m[1]), int(m[2])
        try:
            first = date.fromisocalendar(year, week, 1)
        except ValueError as exc:
            raise PeriodError(
                text, N_("no ISO week %(week)s in %(year)s"), {"week": week, "year": year}
            ) from exc
        kind: Literal["week", "month"] = "week"
        days = 7
    elif m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(text, N_("month must be 01-12"))
        first = date(year, month, 1)
        nxt = date(year + month // 12, month % 12 + 1, 1)
        kind, days = "month", (nxt - first).days
    else:
        raise PeriodError(text, N_("expected an ISO week like 2026-W47 or a month like 2026-11"))
    return Period(
        label=text,
        kind=kind,
        first_day=first,
        days=days,
        start_at=_utc_midnight(first, tz),
        end_at=_utc_midnight(first + timedelta(days=days), tz),
    )


def week_label(at: datetime, tz_name: str = "UTC") -> str:
    """The ISO week (``2026-W47``) holding the aware instant ``at`` in the time zone ``tz_name``;
    the pages' default week, so tests can seed the week a page shows."""
    year, week, _ = at.astimezone(ZoneInfo(tz_name)).isocalendar()
    return f"{year}-W{week:02d}"
