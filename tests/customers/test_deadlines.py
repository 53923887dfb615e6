"""Complaint deadlines in working time: hand-computed cases (Mon-Fri 09:00-18:00, Shanghai).

2026-11-16 is a Monday. Every expected value below was worked out by hand from the calendar.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints.deadlines import (
    DeadlineError,
    DeadlinePolicy,
    SeverityDeadlines,
    StatusChange,
    WorkingTime,
    add_working_time,
    deadline_state,
    overdue_kinds,
    parse_duration_s,
    policy_from_settings,
    working_seconds_between,
)

SH = ZoneInfo("Asia/Shanghai")
H = 3600.0
WORK = WorkingTime("Asia/Shanghai", frozenset({1, 2, 3, 4, 5}), time(9), time(18))
WORK_HOLIDAY = WorkingTime(
    "Asia/Shanghai", frozenset({1, 2, 3, 4, 5}), time(9), time(18), frozenset({date(2026, 11, 23)})
)


def L(day: int, hh: int, mm: int = 0) -> datetime:
    """Local Shanghai time on November ``day``, 2026."""
    return datetime(2026, 11, day, hh, mm, tzinfo=SH)


@pytest.mark.parametrize(
    ("start", "hours", "working", "expected"),
    [
        (L(16, 10), 2, WORK, L(16, 12)),  # Mon inside hours
        (L(16, 10), 9, WORK, L(17, 10)),  # one working day = 9 h -> same time next day
        (L(16, 16), 2, WORK, L(16, 18)),  # uses up the day exactly: closing time, not 09:00
        (L(20, 17), 2, WORK, L(23, 10)),  # Fri 17:00 + 2 h: 1 h Fri, 1 h Mon
        (L(20, 17), 2, WORK_HOLIDAY, L(24, 10)),  # Mon 23 a holiday: Tue
        (L(21, 11), 2, WORK, L(23, 11)),  # Saturday: starts Mon 09:00
        (L(17, 20), 2, WORK, L(18, 11)),  # after hours Tue: Wed 09:00 + 2 h
        (L(20, 17, 30), 27, WORK, L(25, 17, 30)),  # 3 d: 0.5 Fri + 9 Mon + 9 Tue + 8.5 Wed
        (L(16, 17, 45), 0.5, WORK, L(17, 9, 15)),  # 15 min Mon, 15 min Tue
        (L(16, 7, 0), 0, WORK, L(16, 9)),  # nothing to add before opening: the opening
        (L(20, 17), 2, None, L(20, 19)),  # clock time
        (L(20, 17), 72, None, L(23, 17)),  # clock time over the weekend
    ],
)
def test_add_working_time(start, hours, working, expected) -> None:
    assert add_working_time(start, hours * H, working) == expected


def test_working_seconds_between_spans_the_weekend() -> None:
    assert working_seconds_between(L(20, 17), L(23, 10), WORK) == 2 * H
    assert working_seconds_between(L(23, 10), L(20, 17), WORK) == -2 * H
    assert working_seconds_between(L(16, 8), L(16, 19), WORK) == 9 * H


@pytest.mark.parametrize(
    ("text", "day_s", "expected"),
    [("30m", 86400, 1800), ("2h", 86400, 7200), ("3d", 9 * H, 27 * H), ("1.5h", 0, 5400)],
)
def test_parse_duration(text, day_s, expected) -> None:
    assert parse_duration_s(text, day_s) == expected


def test_parse_duration_rejects_garbage() -> None:
    with pytest.raises(DeadlineError, match="duration"):
        parse_duration_s("3 days")


POLICY = DeadlinePolicy(
    severities={
        "high": SeverityDeadlines(acknowledge_s=2 * H, resolve_s=9 * H),
        "medium": SeverityDeadlines(acknowledge_s=4 * H, resolve_s=27 * H),
    },
    working=WORK,
)


def test_first_cycle_met_in_time() -> None:
    history = [
        StatusChange("open", L(16, 10)),
        StatusChange("acknowledged", L(16, 11)),
        StatusChange("resolved", L(17, 15)),
    ]
    state = deadline_state("medium", history, POLICY)
    assert state.cycle == 0
    assert state.acknowledge_due_at == L(16, 14)
    assert state.resolve_due_at == L(19, 10)  # 27 h: 8 Mon, 9 Tue, 9 Wed, 1 Thu
    assert state.acknowledged_in_time is True
    assert state.resolved_in_time is True
    assert overdue_kinds(state, L(30, 9)) == []


def test_reopen_starts_fresh_deadlines_from_the_reopen() -> None:
    history = [
        StatusChange("open", L(16, 10)),
        StatusChange("acknowledged", L(16, 11)),
        StatusChange("resolved", L(17, 15)),
        StatusChange("reopened", L(19, 16)),
    ]
    state = deadline_state("medium", history, POLICY)
    assert state.cycle == 1
    assert state.cycle_started_at == L(19, 16)
    assert state.acknowledge_due_at == L(20, 11)  # 2 h Thu + 2 h Fri
    assert state.resolve_due_at == L(24, 16)  # 2 Thu, 9 Fri, 9 Mon, 7 Tue
    assert state.acknowledged_at is None and state.resolved_at is None
    assert overdue_kinds(state, L(20, 11)) == []  # due is not overdue
    assert overdue_kinds(state, L(20, 11, 1)) == ["acknowledge"]
    assert overdue_kinds(state, L(24, 16, 1)) == ["acknowledge", "resolve"]


def test_in_progress_counts_as_acknowledged_and_late_is_late() -> None:
    history = [StatusChange("open", L(20, 17)), StatusChange("in_progress", L(23, 10, 30))]
    state = deadline_state("high", history, POLICY)
    assert state.acknowledge_due_at == L(23, 10)
    assert state.acknowledged_at == L(23, 10, 30)
    assert state.acknowledged_in_time is False
    assert overdue_kinds(state, L(23, 12)) == []  # acknowledged (late), resolve due Mon 17:00
    assert overdue_kinds(state, L(23, 17, 1)) == ["resolve"]


def test_closed_ticket_is_never_overdue() -> None:
    history = [
        StatusChange("open", L(16, 10)),
        StatusChange("resolved", L(18, 10)),
        StatusChange("closed", L(18, 11)),
    ]
    state = deadline_state("high", history, POLICY)
    assert state.resolved_in_time is False
    assert overdue_kinds(state, L(30, 10)) == []


def test_bad_history_and_severity_are_named() -> None:
    with pytest.raises(DeadlineError, match="history"):
        deadline_state("high", [StatusChange("acknowledged", L(16, 10))], POLICY)
    with pytest.raises(DeadlineError, match="severity"):
        deadline_state("urgent", [StatusChange("open", L(16, 10))], POLICY)


def test_policy_from_default_settings() -> None:
    from kernel.settings import load_settings

    settings = load_settings({})
    policy = policy_from_settings(settings.complaints, "Asia/Shanghai")
    assert policy.working is not None and policy.working.timezone == "Asia/Shanghai"
    assert policy.severities["high"] == SeverityDeadlines(2 * H, 9 * H)
    assert policy.severities["medium"].resolve_s == 27 * H


def test_one_day_is_a_working_day() -> None:
    assert WORK.day_s == 9 * H
    assert add_working_time(L(16, 10), WORK.day_s, WORK) - L(16, 10) == timedelta(days=1)


# --- properties ----------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(SH)
)


@settings(max_examples=300, deadline=None)
@given(start=instants, minutes=st.integers(0, 60 * 24 * 10))
def test_deadline_is_exactly_that_much_working_time_later(start, minutes) -> None:
    due = add_working_time(start, minutes * 60, WORK_HOLIDAY)
    assert due >= start
    assert working_seconds_between(start, due, WORK_HOLIDAY) == pytest.approx(minutes * 60)
    local = due.astimezone(SH)
    if minutes:
        assert local.isoweekday() <= 5 and local.date() != date(2026, 11, 23)
        assert time(9) < local.time() <= time(18)
