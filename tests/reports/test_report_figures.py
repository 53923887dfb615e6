"""Report figures against values computed by hand from a known day (``events.known_day``), on
SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest
from callcenter_testkit.report_day import DAY, QUEUES, TZ, known_day

from reports.service import ReportError, ReportRequest, build_report
from store.writer import write_events


@pytest.fixture
async def day(engine):
    async with engine.begin() as conn:
        await write_events(conn, known_day())
    return engine


async def report(engine, kind: str, **kw) -> pd.DataFrame:
    request = ReportRequest(kind, DAY, DAY, TZ, **kw)  # type: ignore[arg-type]
    return await build_report(engine, request, QUEUES)


def row(df: pd.DataFrame, **match: object) -> dict[str, object]:
    hit = df
    for k, v in match.items():
        hit = hit[hit[k] == v]
    assert len(hit) == 1, f"{match}: {len(hit)} rows"
    return hit.iloc[0].to_dict()


def figures(r: dict[str, object], *names: str) -> tuple[object, ...]:
    return tuple(None if pd.isna(r[n]) else r[n] for n in names)


NAMES = ("offered", "answered", "answered_in_sl", "abandoned", "abandoned_short")
MORE = ("transfers", "rona", "callbacks", "no_data")


async def test_intervals_hand_computed(day) -> None:
    df = await report(day, "intervals", interval_min=15)
    assert len(df) == 96 * 2  # every interval of the local day, for each queue
    assert str(df["interval_start"].iloc[0]) == "2026-12-07 00:00:00+08:00"
    r = row(df, queue="sales", interval_start=pd.Timestamp("2026-12-07T09:00+08:00"))
    # c1..c6 arrived here; c5 was answered in the next interval but counts where it arrived
    assert figures(r, *NAMES) == (6, 3, 2, 2, 1)
    assert figures(r, *MORE) == (1, 1, 1, 0)
    assert r["sl_pct"] == pytest.approx(100 * 2 / (3 + 2 - 1))  # short abandon left out
    assert r["asa_s"] == pytest.approx((10 + 30 + 15) / 3)
    assert r["aht_s"] == pytest.approx((200 + 300 + 310) / 3)  # talk + hold + wrap-up
    assert r["hold_s"] == pytest.approx(30 / 3)
    nxt = row(df, queue="sales", interval_start=pd.Timestamp("2026-12-07T09:15+08:00"))
    assert figures(nxt, *NAMES, "sl_pct", "asa_s", "aht_s") == (0, 0, 0, 0, 0, None, None, None)
    s = row(df, queue="support", interval_start=pd.Timestamp("2026-12-07T09:15+08:00"))
    # support's abandons do not count against SL; its 20 s abandon is not short (10 s)
    assert figures(s, *NAMES, "sl_pct", "asa_s", "aht_s", "hold_s") == (
        2, 1, 1, 1, 0, 100.0, 25.0, 120.0, 0.0
    )  # fmt: skip
    # surveyed: c1 (5), c2 (2), c5 (4): two of three scored 4 or more
    assert (r["surveyed"], r["csat_pct"]) == (3, pytest.approx(100 * 2 / 3))
    assert figures(s, "surveyed", "csat_pct") == (0, None)  # s1's caller hung up: no score
    gap = df[df["no_data"] == 1]
    assert sorted({str(t.time()) for t in gap["interval_start"]}) == ["10:00:00", "10:15:00"]
    assert (df["answered"] <= df["offered"]).all()


async def test_hourly_intervals_and_chosen_queue(day) -> None:
    df = await report(day, "intervals", interval_min=60, queues=("support",))
    assert len(df) == 24 and set(df["queue"]) == {"support"}
    r = row(df, interval_start=pd.Timestamp("2026-12-07T09:00+08:00"))
    assert figures(r, *NAMES) == (2, 1, 1, 1, 0)
    assert row(df, interval_start=pd.Timestamp("2026-12-07T10:00+08:00"))["no_data"] == 1


async def test_queues_hand_computed(day) -> None:
    df = await report(day, "queues")
    assert list(df["queue"]) == ["sales", "support"]
    sales = row(df, queue="sales")
    assert figures(sales, *NAMES, *MORE) == (6, 3, 2, 2, 1, 1, 1, 1, 1)
    assert sales["aht_s"] == pytest.approx(270.0)
    assert (sales["surveyed"], sales["csat_pct"]) == (3, pytest.approx(200 / 3))
    support = row(df, queue="support")
    assert support["surveyed"] == 0 and pd.isna(support["csat_pct"])


async def test_agents_hand_computed(day) -> None:
    df = await report(day, "agents")
    a1 = df[df["agent_id"] == "1001"]
    assert {(r.state, r.reason): r.state_s for r in a1.itertuples()} == {
        ("not_ready", "lunch"): 1800,
        ("ready", ""): 1810 + 1590,
        ("on_call", ""): 180,
        ("wrap_up", ""): 20,
        ("not_ready", "break"): 1800,
    }
    first = a1.iloc[0]
    assert (first.logged_in_s, first.calls, first.aht_s) == (7200, 1, 200)
    assert first.occupancy_pct == pytest.approx(100 * 200 / (200 + 3400))
    assert (first.surveyed, first.csat_pct) == (1, 100.0)  # c1 scored 5
    a2 = row(df, agent_id="1002")  # still ready at midnight: counted to the end of the day
    assert (a2["state"], a2["state_s"], a2["calls"], a2["occupancy_pct"]) == ("ready", 3600, 3, 0)
    assert a2["aht_s"] == pytest.approx((300 + 310 + 120) / 3)
    # c2 scored 2, c5 4; s1 has no score: one of two
    assert (a2["surveyed"], a2["csat_pct"]) == (2, 50.0)
    a3 = row(df, agent_id="1003")  # from the day before: only the part after midnight
    assert (a3["reason"], a3["state_s"], a3["logged_in_s"]) == ("meeting", 1800, 1800)
    assert a3["occupancy_pct"] is None or pd.isna(a3["occupancy_pct"])


async def test_dispositions_hand_computed(day) -> None:
    df = await report(day, "dispositions")
    got = [
        (r.queue, r.disposition, r.calls, round(r.share_pct, 1), r.aht_s) for r in df.itertuples()
    ]
    assert got == [
        ("sales", "resolved", 2, 66.7, 255.0),
        ("sales", "complaint", 1, 33.3, 300.0),
        ("support", "", 1, 100.0, 120.0),
    ]


@pytest.mark.parametrize("kind", ["intervals", "queues", "agents", "dispositions"])
async def test_a_day_without_calls(engine, kind: str) -> None:
    request = ReportRequest(kind, DAY, DAY, TZ, interval_min=60)  # type: ignore[arg-type]
    df = await build_report(engine, request, QUEUES)
    if kind == "intervals":
        assert len(df) == 24 * 2 and (df["offered"] == 0).all() and df["sl_pct"].isna().all()
    elif kind == "queues":
        assert list(df["offered"]) == [0, 0] and df["aht_s"].isna().all()
    else:
        assert df.empty


async def test_bad_requests_name_the_field(day) -> None:
    with pytest.raises(ReportError) as e:
        await report(day, "intervals", queues=("nope",))
    assert e.value.field == "queue"
    with pytest.raises(ReportError) as e:
        ReportRequest("intervals", DAY, DAY.replace(day=1), TZ)
    assert e.value.field == "to"
    with pytest.raises(ReportError) as e:
        ReportRequest("intervals", DAY, DAY, TZ, interval_min=20)
    assert e.value.field == "interval_min"
    with pytest.raises(ReportError) as e:
        ReportRequest("intervals", DAY.replace(year=2024), DAY, TZ)
    assert e.value.field == "to"  # more than 366 days
    with pytest.raises(ReportError) as e:
        ReportRequest("intervals", DAY.replace(year=9999), DAY.replace(year=9999), TZ)
    assert e.value.field == "from"  # a day whose end would overflow
