"""Dates, times, numbers, percentages and durations per locale (Babel), in the centre's time
zone, 24-hour clock; the Jinja filters of the same names. Pure: values in, text out."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import dates, numbers

# zh_CN's medium date is 2026年12月7日; en's is Dec 7, 2026.
DATE_FORMAT = "long"
TIME_FORMAT = "HH:mm"  # 24-hour in every locale


def format_date(value: date | datetime, locale: str, tz: str) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(tz)).date()
    return dates.format_date(
        value, DATE_FORMAT if locale.startswith("zh") else "medium", locale=locale
    )


def format_time(value: datetime, locale: str, tz: str) -> str:
    return dates.format_time(value, TIME_FORMAT, tzinfo=ZoneInfo(tz), locale=locale)


def format_datetime(value: datetime, locale: str, tz: str) -> str:
    return f"{format_date(value, locale, tz)} {format_time(value, locale, tz)}"


def format_number(value: float, locale: str) -> str:
    return numbers.format_decimal(value, locale=locale)


def format_percent(value_pct: float, locale: str, digits: int = 0) -> str:
    """``value_pct`` is in percent (80 -> 80%), as the KPIs carry it."""
    fmt = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return numbers.format_percent(value_pct / 100, fmt, locale=locale)


def format_duration(seconds: float, locale: str) -> str:
    """A length of time in words (``3 minutes`` / ``3分钟``), for reading rather than a timer."""
    return dates.format_timedelta(
        timedelta(seconds=seconds), threshold=1.5, format="long", locale=locale
    )


def format_day_time(value: datetime, locale: str, tz: str) -> str:
    """A moment in a week (``Mon, Dec 14 09:30`` / ``12月14日周一 09:30``): the week day helps a
    planner more than the year."""
    local = value.astimezone(ZoneInfo(tz))
    day = dates.format_skeleton("MMMEd", local, locale=locale)
    return f"{day} {format_time(value, locale, tz)}"
