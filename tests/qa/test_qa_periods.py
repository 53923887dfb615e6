"""Periods: ISO weeks and months as UTC bounds in the department's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qa.errors import PeriodError
from qa.periods import parse_period, week_label


@pytest.mark.parametrize(
    ("text", "tz", "start", "end", "days"),
    [
        ("2026-W47", "UTC", datetime(2026, 11, 16), datetime(2026, 11, 23), 7),
        ("2026-W01", "UTC", datetime(2025, 12, 29), datetime(2026, 1, 5), 7),  # ISO year
        ("2026-W53", "UTC", datetime(2026, 12, 28), datetime(2027, 1, 4), 7),
        ("2026-11", "UTC", datetime(2026, 11, 1), datetime(2026, 12, 1), 30),
        ("2026-12", "UTC", datetime(2026, 12, 1), datetime(2027, 1, 1), 31),
        ("2028-02", "UTC", datetime(2028, 2, 1), datetime(2028, 3, 1), 29),
        # Shanghai is UTC+8: local midnight is 16:00 UTC the day before.
        ("2026-11", "Asia/Shanghai", datetime(2026, 10, 31, 16), datetime(2026, 11, 30, 16), 30),
    ],
)
def test_bounds(text, tz, start, end, days) -> None:
    p = parse_period(text, tz)
    assert (p.start_at, p.end_at, p.days) == (
        start.replace(tzinfo=UTC),
        end.replace(tzinfo=UTC),
        days,
    )
    assert p.kind == ("week" if "W" in text else "month")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2027-W53", "no ISO week 53 in 2027"),
        ("2026-13", "month must be 01-12"),
        ("2026-W7", "expected an ISO week"),
        ("November", "expected an ISO week"),
    ],
)
def test_bad_periods(text, fragment) -> None:
    with pytest.raises(PeriodError, match=fragment):
        parse_period(text)


def test_unknown_time_zone() -> None:
    with pytest.raises(PeriodError, match="unknown time zone"):
        parse_period("2026-11", "Mars/Olympus")


@pytest.mark.parametrize(
    ("at", "tz", "label"),
    [
        # Monday 2026-11-23 starts ISO week 48 (calendar: Nov 23 is a Monday).
        (datetime(2026, 11, 23, 0, 30), "UTC", "2026-W48"),
        (datetime(2026, 11, 22, 23, 59), "UTC", "2026-W47"),
        # 17:00 UTC on Sunday is 01:00 on Monday in Shanghai (UTC+8).
        (datetime(2026, 11, 22, 17, 0), "Asia/Shanghai", "2026-W48"),
        # 2021-01-03 (a Sunday) belongs to ISO week 53 of 2020.
        (datetime(2021, 1, 3, 12), "UTC", "2020-W53"),
    ],
)
def test_week_label(at: datetime, tz: str, label: str) -> None:
    assert week_label(at.replace(tzinfo=UTC), tz) == label
    p = parse_period(label, tz)
    assert p.start_at <= at.replace(tzinfo=UTC) < p.end_at
