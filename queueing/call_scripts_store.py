"""Call scripts in the store: read a queue's (its defaults until one is saved), save a
supervisor's edit with its audit row in the same transaction (``customers.audit``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from customers.audit import record_change
from kernel.messages import N_
from queueing.call_scripts import CallScript, ScriptConflictError, changed_fields, default_script
from store.models.scripts import CallScriptRow

T = CallScriptRow.__table__


def _script(row: object) -> CallScript:
    r = row._mapping  # type: ignore[attr-defined]
    return CallScript(
        r["queue_id"],
        r["greeting"],
        r["verification"],
        r["closing"],
        tuple(r["phrases"]),
        r["updated_by"],
        r["updated_at"],
    )


async def _read(conn: AsyncConnection, queue_id: str) -> CallScript:
    row = (await conn.execute(select(T).where(T.c.queue_id == queue_id))).first()
    return _script(row) if row is not None else default_script(queue_id)


async def read_script(engine: AsyncEngine, queue_id: str) -> CallScript:
    async with engine.connect() as conn:
        return await _read(conn, queue_id)


async def read_scripts(engine: AsyncEngine, queue_ids: Iterable[str]) -> list[CallScript]:
    """The scripts of ``queue_ids``, in that order (defaults for queues never edited)."""
    async with engine.connect() as conn:
        saved = {r.queue_id: _script(r) for r in await conn.execute(select(T))}
    return [saved.get(q) or default_script(q) for q in queue_ids]


async def save_script(engine: AsyncEngine, script: CallScript, *, role: str) -> list[str]:
    """Write ``script`` (an ``edited_script``) and its ``script.update`` audit row; returns the
    parts it changed (nothing written when none)."""
    assert script.updated_by is not None and script.updated_at is not None
    values = {
        "greeting": script.greeting,
        "verification": script.verification,
        "closing": script.closing,
        "phrases": list(script.phrases),
        "updated_by": script.updated_by,
        "updated_at": script.updated_at,
    }
    async with engine.begin() as conn:
        old = await _read(conn, script.queue_id)
        changed = changed_fields(old, script)
        if not changed:
            return []
        if old.is_default:
            try:
                await conn.execute(T.insert().values(queue_id=script.queue_id, **values))
            except IntegrityError:  # another supervisor's first save came in between
                raise ScriptConflictError(
                    "queue_id", N_("saved by someone else meanwhile: reload and save again")
                ) from None
        else:
            await conn.execute(T.update().where(T.c.queue_id == script.queue_id).values(**values))
        await record_change(
            conn,
            actor=script.updated_by,
            role=role,
            action="script.update",
            entity="call_script",
            entity_id=script.queue_id,
            fields=changed,
            reason="call script edited",
            at=script.updated_at,
        )
    return changed
