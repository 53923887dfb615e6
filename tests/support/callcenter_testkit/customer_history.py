"""A customer with a history for the customer card's page tests: the record, one earlier
answered call (another agent's, on sales) and an open high-severity billing complaint about it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import open_complaint
from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.runtime import Runtime
from store.models.core import Call


async def customer_with_history(
    rt: Runtime, record: CustomerRecord, *, call_id: str, disposition: str, complaint: str
) -> None:
    """``record`` saved, its earlier call ``call_id`` (two days ago, agent a2, 95 s, answered,
    ``disposition``) and the complaint ``complaint`` (its description) opened on that call."""
    now = datetime.now(UTC)
    await save_customer(rt.engine, record, now=now, default_tz="UTC", redis=rt.redis)
    async with rt.engine.begin() as conn:
        await conn.execute(
            Call.__table__.insert().values(
                call_id=call_id,
                arrived_at=now - timedelta(days=2),
                queue_id="sales",
                customer_id=record.customer_id,
                agent_id="a2",
                talk_s=95.0,
                outcome="answered",
                disposition=disposition,
            )
        )
    await open_complaint(
        rt.engine,
        category="service",
        severity="high",
        description=complaint,
        now=now - timedelta(days=2),
        config=ComplaintConfig.from_settings(rt.settings),
        customer_id=record.customer_id,
        call_id=call_id,
    )
