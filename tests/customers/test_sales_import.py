"""Sales CSV: good rows imported with their return visit, bad rows reported by line and column."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from customers.records import CustomerRecord
from customers.records_store import save_customer
from outbound.tasks import OutboundConfig
from outbound.tasks_store import import_sales_csv
from store.models.customers import OutboundTask, Sale

NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
CONFIG = OutboundConfig(queue_id="care", default_timezone="Asia/Shanghai")

SALES = """\
sale_id,customer_id,sold_at,product,amount,agent_id
s1,c1,2026-11-16T09:30:00+08:00,kettle,199.5,a1
s2,c2,2026-11-16T09:40:00+08:00,toaster,99,a1
s3,c1,yesterday,kettle,10,a1
s4,nobody,2026-11-16T09:30:00+08:00,kettle,10,a1
s1,c1,2026-11-16T09:30:00+08:00,kettle,199.5,a1
s5,c1,2026-11-16T09:30:00,kettle,10,a1
s6,c1,2026-11-16T09:30:00+08:00,kettle,ten,a1
"""


async def test_sales_import(engine) -> None:
    await save_customer(
        engine, CustomerRecord("c1", "A", ("+8613800000001",)), now=NOW, default_tz="UTC"
    )
    await save_customer(
        engine,
        CustomerRecord("c2", "B", ("+8613800000002",), do_not_call=True),
        now=NOW,
        default_tz="UTC",
    )
    report = await import_sales_csv(engine, SALES, now=NOW, config=CONFIG)
    assert [(line, e.field) for line, e in report.errors] == [
        (4, "sold_at"),
        (5, "customer_id"),
        (6, "sale_id"),
        (7, "sold_at"),
        (8, "amount"),
    ]
    assert report.imported == 2
    assert report.return_visits == 1  # c2 is do-not-call: no return visit
    async with engine.connect() as conn:
        sales = (await conn.execute(select(Sale.sale_id).order_by(Sale.sale_id))).scalars().all()
        tasks = (await conn.execute(select(OutboundTask.__table__))).mappings().all()
    assert sales == ["s1", "s2"]
    assert [(t["customer_id"], t["source_id"], t["due_at"]) for t in tasks] == [("c1", "s1", NOW)]
    # importing the same file again changes nothing
    again = await import_sales_csv(engine, SALES, now=NOW, config=CONFIG)
    assert (again.imported, again.return_visits) == (0, 0)
