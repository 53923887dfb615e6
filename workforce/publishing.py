"""Which published rosters a new one supersedes (pure): every published roster whose period
overlaps the new roster's, so agents see one set of shifts for any week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Period:
    roster_id: int
    start_at: datetime
    end_at: datetime


def superseded(published: list[Period], new: Period) -> list[int]:
    """The ids of ``published`` rosters that publishing ``new`` withdraws (overlapping periods;
    ``new`` itself never)."""
    return sorted(
        p.roster_id
        for p in published
        if p.roster_id != new.roster_id and p.start_at < new.end_at and new.start_at < p.end_at
    )
