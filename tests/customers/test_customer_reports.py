"""Reports on complaints and return visits, on hand-made ticket histories (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from complaints.lifecycle import ComplaintConfig
from complaints.reports import complaint_summary, load_complaints, load_tasks, return_visit_summary
from complaints.tickets import change_status, open_complaint
from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.keys import StreamNames  # noqa: F401
from kernel.settings import load_settings
from outbound.tasks import OutboundConfig
from outbound.tasks_store import record_outcome, record_sale

SH = ZoneInfo("Asia/Shanghai")


def L(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=SH)


@pytest.fixture
def config() -> ComplaintConfig:
    s = load_settings({"CALLCENTER_CONFIG": "/dev/null"})
    return ComplaintConfig.from_settings(s.model_copy(update={"timezone": "Asia/Shanghai"}))


async def test_complaint_summary(engine, config) -> None:
    # quality/high (ack 2 h, resolve 9 working h): one in time, one late and reopened
    a = await open_complaint(
        engine, category="quality", severity="high", description="a", now=L(16, 10), config=config
    )
    await change_status(engine, a, "acknowledged", now=L(16, 11), config=config)
    await change_status(engine, a, "resolved", now=L(16, 16), config=config)
    b = await open_complaint(
        engine, category="quality", severity="high", description="b", now=L(16, 10), config=config
    )
    await change_status(engine, b, "in_progress", now=L(16, 13), config=config)  # due 12:00: late
    await change_status(engine, b, "resolved", now=L(17, 11), config=config)  # due Tue 10:00: late
    await change_status(engine, b, "reopened", now=L(18, 9), config=config)
    await change_status(engine, b, "resolved", now=L(18, 10), config=config)
    # service/low: still open
    await open_complaint(
        engine, category="service", severity="low", description="c", now=L(16, 10), config=config
    )

    df = await load_complaints(engine, config.policy)
    summary = complaint_summary(df).set_index(["category", "severity"])
    d = summary.loc[("quality", "high")]
    assert d["tickets"] == 2
    assert d["ack_h_mean"] == pytest.approx((1 + 3) / 2)
    assert d["resolve_h_mean"] == pytest.approx((6 + 25) / 2)
    assert d["ack_in_time_pct"] == 50 and d["resolved_in_time_pct"] == 50
    assert d["reopen_rate_pct"] == 50
    bl = summary.loc[("service", "low")]
    assert bl["tickets"] == 1 and bl["ack_in_time_pct"] == 0 and pd.isna(bl["reopen_rate_pct"])


async def test_return_visit_summary(engine) -> None:
    cfg = OutboundConfig(queue_id="care", default_timezone="Asia/Shanghai")
    for i in range(4):
        await save_customer(
            engine,
            CustomerRecord(f"c{i}", "X", (f"+86138000000{i:02d}",)),
            now=L(16, 9),
            default_tz="Asia/Shanghai",
        )
    ids = [
        await record_sale(
            engine,
            sale_id=f"s{i}",
            customer_id=f"c{i}",
            sold_at=L(16, 10),
            now=L(16, 10),
            config=cfg,
        )
        for i in range(4)
    ]
    # two done (reached, with forms), one still open, one refused
    from sqlalchemy import update

    from store.models.customers import OutboundTask

    async with engine.begin() as conn:
        t = OutboundTask.__table__
        await conn.execute(
            update(t).where(t.c.task_id.in_(ids[:2] + ids[3:])).values(status="connected")
        )
    await record_outcome(engine, ids[0], outcome="reached", satisfied=True, score=5, now=L(16, 12))
    await record_outcome(
        engine, ids[1], outcome="reached", satisfied=False, score=2, now=L(17, 11)
    )  # > 24 h
    await record_outcome(engine, ids[3], outcome="refused", now=L(16, 12))
    summary = return_visit_summary(await load_tasks(engine), L(16, 12) + timedelta(minutes=1))
    assert summary == {
        "return_visits": 4,
        "due_now": 1,
        "open": 1,
        "done": 3,
        "done_within_window_pct": round(2 / 3 * 100, 2),
        "reach_rate_pct": round(2 / 3 * 100, 2),
        "satisfied_pct": 50.0,
        "score_mean": 3.5,
    }
