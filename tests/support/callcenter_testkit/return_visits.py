"""A return visit due now for the desk's browser tests: a customer who may be called at any time
of day, a sale two hours ago that makes the visit, and the outbound scheduler running (so the
router reserves an agent for it as soon as one is ready)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest

from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.runtime import Runtime
from outbound.scheduler import OutboundScheduler
from outbound.tasks import OutboundConfig
from outbound.tasks_store import record_sale
from queueing.routing import Routing


@asynccontextmanager
async def return_visit_due(
    rt: Runtime,
    router: Routing,
    *,
    customer_id: str,
    name: str,
    number: str,
    sale_id: str,
    product: str,
) -> AsyncIterator[str]:
    """The visit's task id, with the scheduler running until the block ends."""
    now = datetime.now(UTC)
    # any time of day: the test must not depend on the clock
    record = CustomerRecord(customer_id, name, (number,), call_from="00:00", call_until="00:00")
    await save_customer(rt.engine, record, now=now, default_tz="UTC")
    config = OutboundConfig.from_settings(rt.settings)
    task_id = await record_sale(
        rt.engine,
        sale_id=sale_id,
        customer_id=customer_id,
        sold_at=now - timedelta(hours=2),
        now=now,
        config=config,
        product=product,
    )
    assert task_id is not None
    scheduler = OutboundScheduler(rt.engine, router, config, poll_s=0.2, block_ms=50)
    running = asyncio.create_task(scheduler.run())
    try:
        yield task_id
    finally:
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
