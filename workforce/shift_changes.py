"""Agents' changes to a published roster (pure): time off (the shift and its breaks go) and a
swap (a colleague takes the shift, giving theirs in exchange or not), then the check a planner
sees before and after approving: the labour rules of the agents involved and the coverage.

Values in, values out (``workforce.planner.Activity`` lists); the store applies the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from kernel.messages import N_, FieldValueError
from workforce.planner import Activity, coverage, find_shift
from workforce.roster import RosterRules
from workforce.shortfall import shortfall


def _inside(a: Activity, shift: Activity) -> bool:
    return a.agent_id == shift.agent_id and shift.start_at <= a.start_at < shift.end_at


def time_off(acts: list[Activity], agent_id: str, shift_start_at: datetime) -> list[Activity]:
    """The roster without the agent's shift (and its breaks and lunch)."""
    shift = find_shift(acts, agent_id, shift_start_at, "shift_start_at")
    return [a for a in acts if not _inside(a, shift)]


def swap(
    acts: list[Activity],
    agent_id: str,
    shift_start_at: datetime,
    with_agent_id: str,
    with_shift_start_at: datetime | None = None,
) -> list[Activity]:
    """``with_agent_id`` takes the agent's shift (with its breaks); with ``with_shift_start_at``
    the agent takes that shift of theirs in exchange."""
    if with_agent_id == agent_id:
        raise FieldValueError("with_agent_id", N_("a swap needs another agent"))
    mine = find_shift(acts, agent_id, shift_start_at, "shift_start_at")
    theirs = (
        None
        if with_shift_start_at is None
        else find_shift(acts, with_agent_id, with_shift_start_at, "with_shift_start_at")
    )
    out = []
    for a in acts:
        if _inside(a, mine):
            out.append(Activity(with_agent_id, a.activity, a.start_at, a.end_at))
        elif theirs is not None and _inside(a, theirs):
            out.append(Activity(agent_id, a.activity, a.start_at, a.end_at))
        else:
            out.append(a)
    return out


def rule_breaks(
    acts: list[Activity], agent_ids: list[str], weekly_hours_max: float, rules: RosterRules
) -> list[str]:
    """The labour rules the agents' shifts break: overlaps, rest between shifts, weekly hours,
    working days in a row (the roster generator's own rules)."""
    out: list[str] = []
    rest = timedelta(hours=rules.min_rest_h)
    for agent_id in agent_ids:
        shifts = sorted(
            (a for a in acts if a.agent_id == agent_id and a.activity == "shift"),
            key=lambda a: a.start_at,
        )
        for prev, nxt in zip(shifts, shifts[1:], strict=False):
            if nxt.start_at < prev.end_at:
                out.append(f"{agent_id}: shifts overlap at {nxt.start_at:%a %d %b %H:%M}")
            elif nxt.start_at - prev.end_at < rest:
                out.append(
                    f"{agent_id}: less than {rules.min_rest_h:g} h rest before "
                    f"{nxt.start_at:%a %d %b %H:%M}"
                )
        hours = sum((a.end_at - a.start_at).total_seconds() for a in shifts) / 3600
        if hours > weekly_hours_max + 1e-9:
            out.append(f"{agent_id}: {hours:g} h on shift, above {weekly_hours_max:g} h a week")
        days = sorted({a.start_at.date() for a in shifts})
        run = best = 0
        for i, d in enumerate(days):
            run = run + 1 if i and (d - days[i - 1]).days == 1 else 1
            best = max(best, run)
        if best > rules.max_consecutive_days:
            out.append(
                f"{agent_id}: {best} working days in a row, above {rules.max_consecutive_days}"
            )
    return out


@dataclass(frozen=True)
class ChangeCheck:
    rule_breaks: list[str]  # empty: every labour rule holds
    short_before_h: float  # agent-hours below the requirement before the change
    short_after_h: float  # and after it

    @property
    def allowed(self) -> bool:
        return not self.rule_breaks

    def text(self) -> str:
        rules = (
            "labour rules hold"
            if self.allowed
            else "breaks labour rules: " + "; ".join(self.rule_breaks)
        )
        delta = self.short_after_h - self.short_before_h
        cover = (
            "coverage unchanged"
            if abs(delta) < 0.05
            else f"{delta:+.1f} agent-hours short of the requirement "
            f"({self.short_before_h:.1f} → {self.short_after_h:.1f})"
        )
        return f"{rules.capitalize()}; {cover}."


def check_change(
    before: list[Activity],
    after: list[Activity],
    agent_ids: list[str],
    required: pd.Series,
    interval_min: int,
    weekly_hours_max: float,
    rules: RosterRules | None = None,
) -> ChangeCheck:
    """The labour rules of ``agent_ids`` after the change, and the shortfall against the
    requirement before and after it."""
    idx = pd.DatetimeIndex(required.index)
    first = idx[0].to_pydatetime()

    def short(acts: list[Activity]) -> float:
        cov = coverage(acts, first, interval_min, len(idx))
        return shortfall(required, np.asarray(cov), interval_min).agent_h

    return ChangeCheck(
        rule_breaks(after, agent_ids, weekly_hours_max, rules or RosterRules()),
        round(short(before), 2),
        round(short(after), 2),
    )
