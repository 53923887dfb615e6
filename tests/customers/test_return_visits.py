"""Return-visit placement (allowed hours, 24 h window, do-not-call) and retries: hand-computed
cases, plus the properties: a placed visit is always inside the allowed hours and never before
its trigger."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customers.records import parse_days, parse_hhmm
from outbound.rules import CallingWindow, after_attempt, earliest_allowed, place_return_visit

SH = ZoneInfo("Asia/Shanghai")
EVERY_DAY = CallingWindow("Asia/Shanghai", time(9), time(20), frozenset(range(1, 8)))
WEEKDAYS = CallingWindow("Asia/Shanghai", time(9), time(20), frozenset({1, 2, 3, 4, 5}))
NIGHT_MONDAY = CallingWindow("Asia/Shanghai", time(22), time(2), frozenset({1}))
H = 3600.0


def L(day: int, hh: int, mm: int = 0) -> datetime:
    """Local Shanghai time on November ``day``, 2026 (the 16th is a Monday)."""
    return datetime(2026, 11, day, hh, mm, tzinfo=SH)


@pytest.mark.parametrize(
    ("trigger", "window", "due", "late"),
    [
        (L(16, 14), EVERY_DAY, L(16, 14), False),  # inside: at once
        (L(16, 21, 30), EVERY_DAY, L(17, 9), False),  # evening: next morning
        (L(16, 3), EVERY_DAY, L(16, 9), False),  # night: this morning
        (L(20, 19, 59), WEEKDAYS, L(20, 19, 59), False),  # last minute of Friday
        (L(20, 20), WEEKDAYS, L(23, 9), True),  # end is exclusive: Monday, past 24 h
        (L(17, 1), NIGHT_MONDAY, L(17, 1), False),  # Tue 01:00 is in Monday's night window
        (L(17, 3), NIGHT_MONDAY, L(23, 22), True),  # next Monday night
    ],
)
def test_placement(trigger, window, due, late) -> None:
    placed = place_return_visit(trigger, window, do_not_call=False)
    assert placed is not None
    assert placed.due_at == due
    assert placed.deadline_at == trigger + timedelta(hours=24)
    assert placed.late is late


def test_do_not_call_gets_no_return_visit() -> None:
    assert place_return_visit(L(16, 14), EVERY_DAY, do_not_call=True) is None


def test_delay_and_not_before() -> None:
    placed = place_return_visit(L(16, 19, 30), EVERY_DAY, do_not_call=False, delay_s=H)
    assert placed is not None and placed.due_at == L(17, 9)
    # an old trigger (imported sale) is placed from now on, not in the past
    placed = place_return_visit(L(10, 14), EVERY_DAY, do_not_call=False, not_before=L(16, 15))
    assert placed is not None and placed.due_at == L(16, 15) and placed.late is True


def test_window_length_is_configurable() -> None:
    placed = place_return_visit(L(16, 21), EVERY_DAY, do_not_call=False, window_s=48 * H)
    assert placed is not None and placed.deadline_at == L(18, 21) and not placed.late


@pytest.mark.parametrize(
    ("outcome", "attempts", "ended", "final", "retry_at"),
    [
        ("busy", 1, L(16, 14), None, L(16, 14, 30)),
        ("no_answer", 2, L(16, 19, 45), None, L(17, 9)),  # 20:15 is outside: next morning
        ("no_answer", 3, L(16, 14), "no_answer", None),  # out of attempts
        ("wrong_number", 1, L(16, 14), "wrong_number", None),
        ("refused", 1, L(16, 14), "refused", None),
        ("reached", 1, L(16, 14), "reached", None),
    ],
)
def test_after_attempt(outcome, attempts, ended, final, retry_at) -> None:
    res = after_attempt(
        outcome,
        attempts=attempts,
        max_attempts=3,
        ended_at=ended,
        window=EVERY_DAY,
        retry_delay_s=1800,
    )
    assert res.final_outcome == final
    assert res.retry_at == retry_at


def test_callback_retry_ignores_window() -> None:
    res = after_attempt(
        "busy", attempts=1, max_attempts=3, ended_at=L(16, 22), window=None, retry_delay_s=600
    )
    assert res.retry_at == L(16, 22, 10)


def test_parsers() -> None:
    assert parse_days("135") == frozenset({1, 3, 5})
    assert parse_hhmm("09:30") == time(9, 30)
    with pytest.raises(ValueError, match="days"):
        parse_days("18")
    with pytest.raises(ValueError, match="time"):
        parse_hhmm("9h30")


# --- properties --------------------------------------------------------------------------------

ZONES = ["Asia/Shanghai", "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]


def independent_allowed(at: datetime, w: CallingWindow) -> bool:
    """Written again from the definition, separately from the module."""
    local = at.astimezone(ZoneInfo(w.timezone))
    minutes = local.hour * 60 + local.minute + local.second / 60
    start = w.start.hour * 60 + w.start.minute
    end = w.end.hour * 60 + w.end.minute
    day = local.isoweekday()
    previous = 7 if day == 1 else day - 1
    if start == end:
        return day in w.days
    if start < end:
        return day in w.days and start <= minutes < end
    return (day in w.days and minutes >= start) or (previous in w.days and minutes < end)


windows = st.builds(
    CallingWindow,
    timezone=st.sampled_from(ZONES),
    start=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    end=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    days=st.frozensets(st.integers(1, 7), min_size=1),
)
triggers = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=400, deadline=None)
@given(trigger=triggers, window=windows, delay_min=st.integers(0, 600))
def test_placed_visit_is_allowed_and_never_before_its_trigger(trigger, window, delay_min) -> None:
    placed = place_return_visit(trigger, window, do_not_call=False, delay_s=delay_min * 60)
    assert placed is not None  # a weekly window always opens within the horizon
    assert placed.due_at >= trigger + timedelta(minutes=delay_min)
    assert independent_allowed(placed.due_at, window)
    assert placed.late == (placed.due_at > trigger + timedelta(hours=24))


@settings(max_examples=200, deadline=None)
@given(trigger=triggers, window=windows)
def test_allowed_trigger_is_placed_at_once(trigger, window) -> None:
    if independent_allowed(trigger, window):
        assert earliest_allowed(trigger, window) == trigger


@settings(max_examples=200, deadline=None)
@given(trigger=triggers, window=windows)
def test_do_not_call_is_never_placed(trigger, window) -> None:
    assert place_return_visit(trigger, window, do_not_call=True) is None
