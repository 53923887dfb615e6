"""The week to plan and a history of opening hours only (pure): the forecast covers the chosen
week in the centre's time zone; intervals missing from an ACD export are closed time; an empty
store history says why."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from callcenter_testkit.history import history_csv, opening_hours_only

from workforce.errors import FormatError
from workforce.formats import read_history_csv, read_requirements_csv
from workforce.planner import empty_history_reason, forecast_week, local_midnight, target_week


@pytest.mark.parametrize(
    "today, chosen, monday",
    [
        (date(2026, 12, 7), None, date(2026, 12, 14)),  # a Monday: the next one
        (date(2026, 12, 13), None, date(2026, 12, 14)),  # a Sunday: tomorrow's week
        (date(2026, 12, 9), date(2027, 1, 1), date(2026, 12, 28)),  # a Friday's Monday
    ],
)
def test_target_week(today: date, chosen: date | None, monday: date) -> None:
    assert target_week(today, chosen) == monday


def test_forecast_covers_the_chosen_week_in_the_centre_zone() -> None:
    history = read_history_csv(history_csv(3))  # 26 Oct - 15 Nov 2026, +08:00
    start = local_midnight(date(2026, 12, 14), "Asia/Shanghai")
    fc = forecast_week(history, start=start)
    idx = fc.forecast.index
    assert idx[0] == start and str(idx.tz) == "Asia/Shanghai" and len(idx) == 7 * 48
    # the weekly profile is aligned by weekday: Monday's 10:30 peak stays on Monday
    after = forecast_week(history).forecast  # right after the history: also a Monday
    assert np.allclose(fc.forecast["calls"].to_numpy(), after["calls"].to_numpy())
    # a week starting on a Thursday grid position still maps weekdays right
    thursday = forecast_week(
        history, start=local_midnight(date(2026, 12, 17), "Asia/Shanghai")
    ).forecast
    assert np.allclose(thursday["calls"].to_numpy()[: 48 * 4], after["calls"].to_numpy()[48 * 3 :])


def test_opening_hours_history_reads_as_closed_time() -> None:
    full = read_history_csv(history_csv(3))
    text = opening_hours_only(history_csv(3))
    assert len(text.splitlines()) - 1 == 3 * 7 * 24  # 08:00-20:00 only
    hours = read_history_csv(text)
    assert hours.index.equals(full.index)  # completed to whole days, midnight to midnight
    assert hours["calls"].tolist() == full["calls"].tolist()
    night = hours.loc[hours.index.hour < 8]
    assert (night["calls"] == 0).all() and night["aht_s"].isna().all()
    a = forecast_week(hours).forecast["calls"].to_numpy()
    b = forecast_week(full).forecast["calls"].to_numpy()
    assert np.allclose(a, b)


def test_rows_off_the_grid_or_not_ascending_name_the_line() -> None:
    text = (
        "interval_start,calls,aht_s\n2026-11-02T08:00:00+08:00,5,300\n"
        "2026-11-02T08:30:00+08:00,6,300\n2026-11-02T09:45:00+08:00,6,300\n"
    )
    with pytest.raises(FormatError, match="30-minute grid") as err:
        read_history_csv(text)
    assert (err.value.line, err.value.column) == (4, "interval_start")
    with pytest.raises(FormatError, match="ascending") as err:
        read_history_csv(text.replace("09:45", "08:15"))
    assert err.value.line == 4


def test_requirements_missing_intervals_need_nobody() -> None:
    req = read_requirements_csv(
        "interval_start,required\n2026-11-02T09:00:00+08:00,3\n2026-11-02T10:00:00+08:00,4\n"
    )
    assert len(req) == 24 and req.sum() == 7 and req.iloc[9] == 3 and req.iloc[10] == 4


def test_empty_store_history_says_why() -> None:
    idx = pd.date_range("2026-11-02", periods=4, freq="30min", tz="Asia/Shanghai")
    nan = np.full(4, np.nan)
    frame = lambda calls: pd.DataFrame({"calls": calls, "aht_s": nan}, index=idx)  # noqa: E731
    assert "no intervals" in (empty_history_reason(frame(nan)[:0]) or "")
    assert "telephony gap" in (empty_history_reason(frame(nan)) or "")
    why = empty_history_reason(frame([0.0, np.nan, 0.0, 0.0])) or ""
    assert "no inbound calls" in why and "1 intervals lie in telephony gaps" in why
    assert empty_history_reason(frame([0.0, 3.0, 0.0, 0.0])) is None
