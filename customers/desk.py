"""The agent's desk and a call's customer: who the caller is (a record, or nobody yet), a new
customer created from the call, a call linked to an existing one, and customers found by name or
number. Every change writes an audit row (who, what, when, why) in the same transaction.

Which tier a role may give a new customer is a rule of this module (``tiers_for``): agents create
ordinary customers; supervisors and admins may create key accounts and VIPs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import redis.asyncio as aioredis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from customers.audit import record_entry
from customers.caller_index import sync_caller_index
from customers.masking import Viewer
from customers.records import CustomerRecord, CustomerView, FieldError, normalise_number
from customers.records_store import phone_owners, read_customers, write_customers
from kernel.vocabulary import TIERS
from store.models.core import Customer

_CREATE_ANY_TIER = frozenset({"supervisor", "admin"})
NEW_CALLER_NAME = "New caller"  # the name of a customer a complaint created before anyone asked


def tiers_for(role: str) -> tuple[str, ...]:
    """The tiers ``role`` may give a customer it creates."""
    return TIERS if role in _CREATE_ANY_TIER else ("ordinary",)


async def customer_of_call(
    engine: AsyncEngine, candidates: Sequence[str | None], number: str | None
) -> str | None:
    """The call's customer: the first of ``candidates`` (the linked one first, then the id the
    call carried: the PBX may set one that is no customer, e.g. ``cust-<number>``) that is a
    customer, else the owner of the caller's ``number``, else none."""
    ids = [c for c in candidates if c]
    ct = Customer.__table__
    async with engine.connect() as conn:
        if ids:
            found = set(
                (await conn.execute(select(ct.c.customer_id).where(ct.c.customer_id.in_(ids))))
                .scalars()
                .all()
            )
            for cid in ids:
                if cid in found:
                    return cid
        if number:
            owner = (await phone_owners(conn, [number])).get(number)
            if owner:
                return owner
    return None


async def create_caller(
    engine: AsyncEngine,
    viewer: Viewer,
    *,
    name: str,
    number: str,
    tier: str,
    call_id: str,
    now: datetime,
    region: str,
    default_tz: str,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> str:
    """A new customer with the caller's ``number``, created from ``call_id``; returns its id.

    ``FieldError`` names what was wrong: an empty name, a tier the role may not give, a number
    that is not one or that belongs to a customer already (link the call to that one instead)."""
    if not name or not name.strip():
        raise FieldError("name", name, "required")
    if tier not in tiers_for(viewer.role):
        raise FieldError(
            "tier", tier, f"role {viewer.role} may give {', '.join(tiers_for(viewer.role))}"
        )
    e164 = normalise_number(number, region)
    customer_id = f"C-{uuid.uuid4().hex[:12]}"
    record = CustomerRecord(
        customer_id=customer_id, name=name.strip()[:200], phones=(e164,), tier=tier
    )
    async with engine.begin() as conn:
        owner = (await phone_owners(conn, [e164])).get(e164)
        if owner is not None:
            raise FieldError("number", number, f"belongs to customer {owner}: link the call to it")
        changes = await write_customers(conn, [record], now, default_tz)
        await record_entry(
            conn,
            viewer,
            action="created",
            entity="customer",
            entity_id=customer_id,
            fields=("name", "phones", "tier"),
            reason=f"new caller on call {call_id}",
            at=now,
        )
    if redis is not None:
        await sync_caller_index(redis, prefix, changes)
    return customer_id


async def link_call(
    engine: AsyncEngine, viewer: Viewer, *, customer_id: str, call_id: str, now: datetime
) -> None:
    """Record that ``call_id`` is ``customer_id``'s (audited); ``FieldError`` when unknown."""
    ct = Customer.__table__
    async with engine.begin() as conn:
        known = await conn.scalar(select(ct.c.customer_id).where(ct.c.customer_id == customer_id))
        if known is None:
            raise FieldError("customer_id", customer_id, "unknown customer")
        await record_entry(
            conn,
            viewer,
            action="linked_call",
            entity="customer",
            entity_id=customer_id,
            fields=("call_id",),
            reason=f"call {call_id} linked to the customer",
            at=now,
        )


async def find_customers(
    engine: AsyncEngine, viewer: Viewer, query: str, *, now: datetime, region: str, limit: int = 10
) -> list[CustomerView]:
    """Customers whose number is ``query`` (any way of writing it) or whose name contains it,
    as ``viewer`` may see them (audited like every read)."""
    text = query.strip()
    if not text:
        return []
    try:
        normalise_number(text, region)
    except FieldError:
        return await read_customers(
            engine, viewer, reason="caller search by name", now=now, name_contains=text, limit=limit
        )
    return await read_customers(
        engine, viewer, reason="caller search by number", now=now, number=text, region=region
    )
