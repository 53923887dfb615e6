"""The planner's history from the store (SQLite and PostgreSQL): a telephony gap's intervals are
unknown (NaN), left out of the forecast's training, while quiet intervals are zero calls."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from callcenter_testkit.report_day import DAY, LOCAL, TZ, at, known_day

from store.writer import write_events
from workforce.planner_store import store_history


async def test_gap_intervals_are_unknown_and_quiet_ones_zero(engine) -> None:
    async with engine.begin() as conn:
        await write_events(conn, known_day())
    now = datetime(DAY.year, DAY.month, DAY.day, tzinfo=LOCAL) + timedelta(days=1, hours=9)
    hist = await store_history(engine, TZ, now)
    day = hist[pd.DatetimeIndex(hist.index).date == DAY]
    assert len(hist) == 28 * 48 and len(day) == 48
    # the bridge heard nothing from 10:05 to 10:20: the 10:00-10:30 interval is unknown
    unknown = day[np.isnan(day["calls"].to_numpy())]
    assert [t.to_pydatetime() for t in unknown.index] == [at("10:00:00")]
    assert unknown["aht_s"].isna().all()
    assert day.loc[at("09:00:00"), "calls"] > 0
    assert day.loc[at("03:00:00"), "calls"] == 0  # closed or quiet: zero calls, not unknown
