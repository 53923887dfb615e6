"""A synthetic call history for the planner tests: weekdays busier than weekends, a morning and
an afternoon peak, open 08:00-20:00 local time (+08:00), 30-minute intervals."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

TZ = timezone(timedelta(hours=8))


def history_csv(
    weeks: int = 3, *, first_day: datetime | None = None, scale: float = 1.0, seed: int = 7
) -> str:
    rng = random.Random(seed)
    start = first_day or datetime(2026, 10, 26, tzinfo=TZ)  # a Monday
    lines = ["interval_start,calls,aht_s"]
    for i in range(weeks * 7 * 48):
        at = start + timedelta(minutes=30 * i)
        hour = at.hour + at.minute / 60
        if 8 <= hour < 20:
            shape = (
                0.6 + math.exp(-((hour - 10.5) ** 2) / 3) + 0.8 * math.exp(-((hour - 15) ** 2) / 4)
            )
            day = 0.55 if at.weekday() >= 5 else 1.0
            calls = max(0, round(scale * 60 * shape * day * rng.uniform(0.9, 1.1)))
            aht = round(rng.uniform(260, 320))
        else:
            calls, aht = 0, ""
        lines.append(f"{at.isoformat()},{calls},{aht}")
    return "\n".join(lines) + "\n"


def opening_hours_only(text: str) -> str:
    """The history without its closed intervals (the rows with no AHT), as an ACD exports it."""
    lines = text.splitlines()
    return "\n".join([lines[0], *[x for x in lines[1:] if not x.endswith(",")]]) + "\n"
