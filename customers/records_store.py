"""Customer records in the store: import (good rows in one transaction, bad ones reported by
line and column), save, and masked reads with audit.

Reads: ``get_customer`` / ``read_customers`` return personal fields masked unless the viewer's
role may see them (``customers.masking``); each record returned with any of them unmasked writes
exactly one audit row (who, what, when, why), in the same transaction as the read. Every write
updates the caller index (``customers.caller_index``) when given Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from customers.audit import record_read
from customers.caller_index import sync_caller_index
from customers.masking import Viewer, visible_fields
from customers.records import (
    CustomerRecord,
    CustomerView,
    FieldError,
    ImportReport,
    accept_rows,
    customer_view,
    normalise_number,
    parse_customer_csv,
    timezone_of_number,
)
from store.models.core import Call, Customer
from store.models.customers import CustomerPhone

log = logging.getLogger(__name__)


async def phone_owners(conn: AsyncConnection, numbers: Iterable[str]) -> dict[str, str]:
    """E.164 number -> the customer who has it, for the given numbers."""
    t = CustomerPhone.__table__
    owners: dict[str, str] = {}
    nums = sorted(set(numbers))
    for i in range(0, len(nums), 500):
        res = await conn.execute(
            select(t.c.e164, t.c.customer_id).where(t.c.e164.in_(nums[i : i + 500]))
        )
        owners.update({r.e164: r.customer_id for r in res})
    return owners


async def write_customers(
    conn: AsyncConnection, records: Sequence[CustomerRecord], now: datetime, default_tz: str
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], str]]:
    """Insert or update ``records`` and replace their numbers, in the caller's transaction.

    Returns customer id -> (old numbers, new numbers, tier) for ``sync_caller_index``.
    """
    ct, pt = Customer.__table__, CustomerPhone.__table__
    ids = [r.customer_id for r in records]
    existing: dict[str, datetime | None] = {}
    old_numbers: dict[str, list[str]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        res = await conn.execute(
            select(ct.c.customer_id, ct.c.created_at).where(ct.c.customer_id.in_(chunk))
        )
        existing.update({r.customer_id: r.created_at for r in res})
        res = await conn.execute(
            select(pt.c.customer_id, pt.c.e164).where(pt.c.customer_id.in_(chunk))
        )
        for r in res:
            old_numbers.setdefault(r.customer_id, []).append(r.e164)
    inserts, changes = [], {}
    for rec in records:
        values = {
            "name": rec.name,
            "tier": rec.tier,
            "phone": rec.phones[0] if rec.phones else None,
            "email": rec.email,
            "notes": rec.notes,
            "account_manager": rec.account_manager,
            "do_not_call": rec.do_not_call,
            "call_from": rec.call_from,
            "call_until": rec.call_until,
            "call_days": rec.call_days,
            "timezone": rec.timezone or timezone_of_number(rec.phones[0], default_tz),
            "updated_at": now,
        }
        if rec.customer_id in existing:
            await conn.execute(
                update(ct).where(ct.c.customer_id == rec.customer_id).values(**values)
            )
        else:
            inserts.append({"customer_id": rec.customer_id, "created_at": now, **values})
        changes[rec.customer_id] = (
            tuple(old_numbers.get(rec.customer_id, ())),
            rec.phones,
            rec.tier,
        )
    if inserts:
        await conn.execute(insert(ct), inserts)
    for i in range(0, len(ids), 500):
        await conn.execute(delete(pt).where(pt.c.customer_id.in_(ids[i : i + 500])))
    phone_rows = [
        {"customer_id": r.customer_id, "e164": p, "label": None, "position": n}
        for r in records
        for n, p in enumerate(r.phones)
    ]
    if phone_rows:
        await conn.execute(insert(pt), phone_rows)
    return changes


async def import_customers_csv(
    engine: AsyncEngine,
    data: str,
    *,
    region: str,
    default_tz: str,
    now: datetime,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> ImportReport:
    """Import the good rows of a customer CSV in one transaction; report the bad ones.

    A row is bad when a field is invalid, or when it repeats an id or number of an earlier line,
    or gives a number another customer (not in this file) already has. Bad rows are not written;
    the good rows are written all together or (on a database error) not at all.
    """
    good, errors, lines = parse_customer_csv(data, region)
    async with engine.begin() as conn:
        owners = await phone_owners(conn, [p for _, r in good for p in r.phones])
        accepted, refused = accept_rows(good, owners)
        errors.extend(refused)
        changes = await write_customers(conn, accepted, now, default_tz) if accepted else {}
    errors.sort(key=lambda e: e.line or 0)
    if redis is not None and changes:
        await sync_caller_index(redis, prefix, changes)
    log.info("customer import: %d imported, %d bad rows", len(accepted), len(errors))
    return ImportReport(imported=len(accepted), errors=tuple(errors), lines_read=lines)


async def save_customer(
    engine: AsyncEngine,
    record: CustomerRecord,
    *,
    now: datetime,
    default_tz: str,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> None:
    """Insert or update one customer (API, tests); ``FieldError`` if a number is someone else's."""
    async with engine.begin() as conn:
        owners = await phone_owners(conn, record.phones)
        for p in record.phones:
            if owners.get(p, record.customer_id) != record.customer_id:
                raise FieldError("phones", p, f"belongs to customer {owners[p]}")
        changes = await write_customers(conn, [record], now, default_tz)
    if redis is not None:
        await sync_caller_index(redis, prefix, changes)


# --- reading (masked, audited) ---------------------------------------------------------------


async def _load(
    conn: AsyncConnection, where: ColumnElement[bool], limit: int | None = None
) -> list[tuple[dict[str, Any], tuple[str, ...]]]:
    ct, pt = Customer.__table__, CustomerPhone.__table__
    stmt = select(ct).where(where).order_by(ct.c.customer_id).limit(limit)
    rows = [dict(r) for r in (await conn.execute(stmt)).mappings()]
    if not rows:
        return []
    ids = [r["customer_id"] for r in rows]
    phones: dict[str, list[str]] = {}
    res = await conn.execute(
        select(pt.c.customer_id, pt.c.e164).where(pt.c.customer_id.in_(ids)).order_by(pt.c.position)
    )
    for r in res:
        phones.setdefault(r.customer_id, []).append(r.e164)
    return [(r, tuple(phones.get(str(r["customer_id"]), ()))) for r in rows]


async def read_customers(
    engine: AsyncEngine,
    viewer: Viewer,
    *,
    reason: str,
    now: datetime,
    customer_ids: Sequence[str] | None = None,
    number: str | None = None,
    name_contains: str | None = None,
    region: str = "CN",
    limit: int | None = None,
) -> list[CustomerView]:
    """Customers by id (or all, or the one with ``number``, or those whose name contains
    ``name_contains``) as ``viewer`` may see them, at most ``limit``.

    Each returned record with any personal field unmasked writes one audit row, in the same
    transaction as the read.
    """
    ct, pt = Customer.__table__, CustomerPhone.__table__
    if number is not None:
        try:
            e164 = normalise_number(number, region)
        except FieldError:
            return []
        where = ct.c.customer_id.in_(select(pt.c.customer_id).where(pt.c.e164 == e164))
    elif name_contains is not None:
        where = ct.c.name.ilike(f"%{_like_escaped(name_contains)}%", escape="\\")
    elif customer_ids is not None:
        where = ct.c.customer_id.in_(list(customer_ids))
    else:
        where = ct.c.customer_id.is_not(None)
    out: list[CustomerView] = []
    async with engine.begin() as conn:
        for row, phones in await _load(conn, where, limit):
            view = customer_view(row, phones, visible_fields(viewer, row.get("account_manager")))
            if view.unmasked:
                await record_read(
                    conn,
                    viewer,
                    entity="customer",
                    entity_id=view.customer_id,
                    fields=view.unmasked,
                    reason=reason,
                    at=now,
                )
            out.append(view)
    return out


def _like_escaped(text: str) -> str:
    """``text`` matched literally by LIKE (its ``%`` and ``_`` are not wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def get_customer(
    engine: AsyncEngine, customer_id: str, viewer: Viewer, *, reason: str, now: datetime
) -> CustomerView | None:
    """One customer as ``viewer`` may see it (None if unknown); audited when unmasked."""
    found = await read_customers(engine, viewer, reason=reason, now=now, customer_ids=[customer_id])
    return found[0] if found else None


async def customer_contact(conn: AsyncConnection, customer_id: str) -> dict[str, Any] | None:
    """The unmasked fields the platform itself needs to place outbound work (not shown to anyone:
    not audited). ``phones`` are in order, primary first."""
    loaded = await _load(conn, Customer.__table__.c.customer_id == customer_id)
    if not loaded:
        return None
    row, phones = loaded[0]
    return {**row, "phones": phones}


async def last_calls(
    engine: AsyncEngine, customer_id: str, *, leave_out: str | None = None, limit: int = 5
) -> list[dict[str, Any]]:
    """The customer's latest calls, newest first, without ``leave_out`` (the call on screen)."""
    c = Call.__table__
    stmt = (
        select(
            c.c.call_id,
            c.c.arrived_at,
            c.c.queue_id,
            c.c.direction,
            c.c.talk_s,
            c.c.outcome,
            c.c.disposition,
        )
        .where(c.c.customer_id == customer_id, c.c.call_id != (leave_out or ""))
        .order_by(c.c.arrived_at.desc())
        .limit(limit)
    )
    async with engine.connect() as conn:
        return [dict(r) for r in (await conn.execute(stmt)).mappings().all()]
