"""Customers whose rules stop a manual dial, for the dialling tests: one marked do-not-call, one
whose calling hours (UTC) begin six hours from now, one callable at any time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from customers.caller_index import rebuild_caller_index
from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.runtime import Runtime

DNC = "+8613900000001"  # c-dnc, Wang Hua
LATE = "+8613900000002"  # c-late, Zhao Lei
FRIEND = "+8613900000003"  # c-ok, Li Na


async def save_dial_customers(rt: Runtime) -> None:
    now = datetime.now(UTC)
    later = now + timedelta(hours=6)
    records = [
        CustomerRecord(
            "c-dnc", "Wang Hua", (DNC,), do_not_call=True, call_from="00:00", call_until="00:00"
        ),  # fmt: skip
        CustomerRecord(
            "c-late",
            "Zhao Lei",
            (LATE,),
            call_from=f"{later:%H}:00",
            call_until=f"{later + timedelta(hours=1):%H}:00",
            timezone="UTC",
        ),  # fmt: skip
        CustomerRecord("c-ok", "Li Na", (FRIEND,), call_from="00:00", call_until="00:00"),
    ]
    for record in records:
        await save_customer(rt.engine, record, now=now, default_tz="UTC")
    await rebuild_caller_index(rt.engine, rt.redis, rt.settings.redis_prefix)
