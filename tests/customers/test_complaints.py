"""Complaint tickets on SQLite and PostgreSQL: lifecycle, deadlines kept on the row, overdue
escalation once per deadline, every change an event in the store, a return visit after resolve."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from complaints.desk import DeskFilter, desk_tickets
from complaints.lifecycle import ComplaintConfig, ComplaintFieldError, TransitionError
from complaints.tickets import change_status, escalate_overdue, list_complaints, open_complaint
from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.keys import StreamNames
from kernel.settings import load_settings
from outbound.tasks import OutboundConfig
from store.models.core import CallEvent
from store.models.customers import OutboundTask

SH = ZoneInfo("Asia/Shanghai")


def L(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=SH)


@pytest.fixture
def config() -> ComplaintConfig:
    settings = load_settings({"CALLCENTER_CONFIG": "/dev/null"})
    return ComplaintConfig.from_settings(settings.model_copy(update={"timezone": "Asia/Shanghai"}))


OUTBOUND = OutboundConfig(queue_id="support", default_timezone="Asia/Shanghai")


async def test_lifecycle_events_and_return_visit(engine, redis, prefix, config) -> None:
    await save_customer(
        engine,
        CustomerRecord("c1", "张三", ("+8613812345678",), tier="vip"),
        now=L(16, 9),
        default_tz="UTC",
    )
    cid = await open_complaint(
        engine,
        category="quality",
        severity="high",
        description="parcel late",
        wish="refund",
        customer_id="c1",
        call_id="call-1",
        opened_by="a1",
        now=L(16, 10),
        config=config,
        redis=redis,
        prefix=prefix,
    )
    rows = await list_complaints(engine, now=L(16, 10), config=config)
    assert rows[0]["acknowledge_due_at"] == L(16, 12) and rows[0]["resolve_due_at"] == L(17, 10)

    await change_status(engine, cid, "acknowledged", now=L(16, 11), config=config, by="a1")
    with pytest.raises(TransitionError, match="cannot go from acknowledged to closed"):
        await change_status(engine, cid, "closed", now=L(16, 12), config=config)
    await change_status(engine, cid, "in_progress", now=L(16, 13), config=config)
    await change_status(
        engine,
        cid,
        "resolved",
        now=L(16, 15),
        config=config,
        outbound=OUTBOUND,
        redis=redis,
        prefix=prefix,
    )
    # reopened Thu 17:00: fresh deadlines counted from the reopen
    state = await change_status(engine, cid, "reopened", now=L(19, 17), config=config)
    assert state.cycle == 1
    assert state.acknowledge_due_at == L(20, 10)  # 1 h Thu + 1 h Fri
    assert state.resolve_due_at == L(20, 17)  # 9 h: 1 Thu + 8 Fri

    async with engine.connect() as conn:
        types = (await conn.execute(select(CallEvent.type).order_by(CallEvent.ts))).scalars().all()
        tasks = (await conn.execute(select(OutboundTask.__table__))).mappings().all()
    assert types == [
        "complaint.opened",
        "complaint.status",
        "complaint.status",
        "complaint.status",
        "outbound.scheduled",
        "complaint.status",
    ]
    assert len(tasks) == 1
    task = tasks[0]
    assert (task["kind"], task["source"], task["customer_id"], task["tier"]) == (
        "return_visit",
        "complaint",
        "c1",
        "vip",
    )
    assert task["due_at"] == L(16, 15)  # inside the default 09:00-20:00
    assert task["source_id"] == f"{cid}#0"
    # the stream carries the same events (live readers)
    stream = await redis.xrange(StreamNames(prefix).events)
    assert [f["type"] for _, f in stream] == [
        "complaint.opened",
        "complaint.status",
        "outbound.scheduled",
    ]


async def test_overdue_escalates_once_per_deadline(engine, redis, prefix, config) -> None:
    cid = await open_complaint(
        engine,
        category="service",
        severity="high",
        description="charged twice",
        now=L(20, 17),
        config=config,
    )
    assert await escalate_overdue(engine, now=L(23, 9, 59), config=config) == []
    first = await escalate_overdue(
        engine, now=L(23, 10, 1), config=config, redis=redis, prefix=prefix
    )
    assert [(e.type, e.payload["deadline"]) for e in first] == [
        ("complaint.overdue", "acknowledge")
    ]
    assert first[0].payload["escalate_to"] == "supervisor"
    assert await escalate_overdue(engine, now=L(23, 11), config=config) == []  # once
    late = await escalate_overdue(engine, now=L(24, 9, 30), config=config)
    assert [e.payload["deadline"] for e in late] == ["resolve"]  # due Mon 17:00
    overdue = await list_complaints(engine, now=L(24, 9, 30), config=config, overdue_only=True)
    assert [(r["complaint_id"], r["overdue"]) for r in overdue] == [
        (cid, ["acknowledge", "resolve"])
    ]
    await change_status(engine, cid, "resolved", now=L(24, 10), config=config)
    assert await list_complaints(engine, now=L(24, 11), config=config, overdue_only=True) == []


async def test_bad_input_is_named(engine, config) -> None:
    with pytest.raises(ComplaintFieldError, match="category"):
        await open_complaint(
            engine,
            category="weather",
            severity="high",
            description="x",
            now=L(16, 9),
            config=config,
        )
    with pytest.raises(ComplaintFieldError, match="severity"):
        await open_complaint(
            engine, category="other", severity="meh", description="x", now=L(16, 9), config=config
        )
    with pytest.raises(ComplaintFieldError, match="customer_id"):
        await open_complaint(
            engine,
            category="other",
            severity="low",
            description="x",
            customer_id="nobody",
            now=L(16, 9),
            config=config,
        )


def test_clock_time_config() -> None:
    settings = load_settings({"CALLCENTER_CONFIG": "/dev/null"})
    c = settings.complaints.model_copy(update={"business_hours": False})
    cfg = ComplaintConfig.from_settings(settings.model_copy(update={"complaints": c}))
    assert cfg.policy.working is None
    assert cfg.policy.severities["medium"].resolve_s == 3 * 86400


async def test_default_categories_and_tickets_of_older_categories(engine, config) -> None:
    """The defaults are the manuals' 质量投诉 / 服务投诉 / 其他 (machine ids); a ticket stored under
    an older list of categories is still listed, on the desk too, with its own category."""
    assert config.categories == ("quality", "service", "other")
    with pytest.raises(ComplaintFieldError, match="billing"):
        await open_complaint(
            engine, category="billing", severity="low", description="x", now=L(16, 9), config=config
        )
    older = replace(config, categories=("billing", "delivery", "other"))
    old = await open_complaint(
        engine, category="billing", severity="low", description="old", now=L(16, 9), config=older
    )
    new = await open_complaint(
        engine, category="quality", severity="high", description="new", now=L(16, 10), config=config
    )
    rows = await list_complaints(engine, now=L(16, 11), config=config)
    assert {r["complaint_id"]: r["category"] for r in rows} == {old: "billing", new: "quality"}
    billing = await desk_tickets(
        engine, now=L(16, 11), config=config, where=DeskFilter(category="billing")
    )
    assert [t["complaint_id"] for t, _ in billing] == [old]
