"""The caller index: a Redis hash (``kernel.keys.customer_phones``: E.164 number ->
``customer_id|tier``) the bridge and the router look callers up in. ``customers.records_store``
keeps it in step with the database (``sync_caller_index`` after each write);
``rebuild_caller_index`` rebuilds it at start-up or after a repair.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import redis.asyncio as aioredis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from customers.records import FieldError, normalise_number
from kernel.keys import customer_phones
from store.models.core import Customer
from store.models.customers import CustomerPhone


async def sync_caller_index(
    redis: aioredis.Redis,
    prefix: str,
    changes: Mapping[str, tuple[Sequence[str], Sequence[str], str]],
) -> None:
    """Apply written customers to the caller index: drop numbers they lost, set the others."""
    key = customer_phones(prefix)
    pipe = redis.pipeline(transaction=True)
    for customer_id, (old, new, tier) in changes.items():
        gone = [p for p in old if p not in new]
        if gone:
            pipe.hdel(key, *gone)
        if new:
            pipe.hset(key, mapping={p: f"{customer_id}|{tier}" for p in new})
    await pipe.execute()


async def rebuild_caller_index(engine: AsyncEngine, redis: aioredis.Redis, prefix: str) -> int:
    """Rebuild the whole index from the database (atomic swap); returns how many numbers."""
    ct, pt = Customer.__table__, CustomerPhone.__table__
    async with engine.connect() as conn:
        res = await conn.execute(
            select(pt.c.e164, ct.c.customer_id, ct.c.tier).join(
                ct, ct.c.customer_id == pt.c.customer_id
            )
        )
        mapping = {r.e164: f"{r.customer_id}|{r.tier}" for r in res}
    key = customer_phones(prefix)
    tmp = f"{key}:rebuild"
    await redis.delete(tmp)
    items = list(mapping.items())
    for i in range(0, len(items), 1000):
        await redis.hset(tmp, mapping=dict(items[i : i + 1000]))
    if items:
        await redis.rename(tmp, key)
    else:
        await redis.delete(key)
    return len(items)


async def lookup_caller(
    redis: aioredis.Redis, prefix: str, number: str, region: str = "CN"
) -> tuple[str, str] | None:
    """``(customer_id, tier)`` of the customer calling from ``number``, or None.

    ``number`` may be E.164 or national (read in ``region``); unparseable numbers are unknown.
    """
    try:
        e164 = normalise_number(number, region)
    except FieldError:
        return None
    raw = await redis.hget(customer_phones(prefix), e164)
    if raw is None:
        return None
    value = raw.decode() if isinstance(raw, bytes) else raw
    customer_id, _, tier = value.partition("|")
    return customer_id, tier or "ordinary"
