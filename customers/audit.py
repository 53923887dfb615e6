"""The audit log: unmasked reads (who saw which personal fields of what, when, and why), changes
to records (a customer created from a call, a call linked to a customer) and administrative
changes (who added, disabled, enabled, unlocked a user or reset a password).

Written in the same transaction as the read it records, so a read that returned data always has
its row and a failed read has none. ``customers.records_store`` calls ``record_read`` exactly once per
record it returns with at least one personal field unmasked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from customers.masking import Viewer
from store.models.customers import AuditEntry


class AuditError(ValueError):
    """An unmasked read without a reason (``why`` is mandatory)."""


async def record_read(
    conn: AsyncConnection,
    viewer: Viewer,
    *,
    entity: str,
    entity_id: str,
    fields: Iterable[str],
    reason: str,
    at: datetime,
) -> None:
    """One audit row for one unmasked read."""
    await record_entry(
        conn,
        viewer,
        action="read_unmasked",
        entity=entity,
        entity_id=entity_id,
        fields=fields,
        reason=reason,
        at=at,
    )


async def record_entry(
    conn: AsyncConnection,
    viewer: Viewer,
    *,
    action: str,
    entity: str,
    entity_id: str,
    fields: Iterable[str],
    reason: str,
    at: datetime,
) -> None:
    """One audit row: an unmasked read, or a change (``created``, ``linked_call``) to a record."""
    if not reason or not reason.strip():
        raise AuditError(f"reason: {action} needs a reason")
    await record_change(
        conn,
        actor=viewer.user_id,
        role=viewer.role,
        action=action,
        entity=entity,
        entity_id=entity_id,
        fields=fields,
        reason=reason.strip(),
        at=at,
    )


async def record_change(
    conn: AsyncConnection,
    *,
    actor: str,
    role: str,
    action: str,
    entity: str,
    entity_id: str,
    fields: Iterable[str] = (),
    reason: str,
    at: datetime,
) -> None:
    """One audit row for one administrative change (``action`` says what: ``user.disable``...),
    written in the change's own transaction."""
    await conn.execute(
        insert(AuditEntry.__table__).values(
            at=at,
            actor=actor[:64],
            role=role,
            action=action[:32],
            entity=entity,
            entity_id=entity_id,
            fields=",".join(sorted(fields)),
            reason=reason,
        )
    )


async def audit_rows(
    conn: AsyncConnection, *, entity_id: str | None = None, actor: str | None = None
) -> list[dict[str, object]]:
    """Audit rows, oldest first, optionally for one record or one user."""
    t = AuditEntry.__table__
    q = select(t).order_by(t.c.at, t.c.id)
    if entity_id is not None:
        q = q.where(t.c.entity_id == entity_id)
    if actor is not None:
        q = q.where(t.c.actor == actor)
    return [dict(r) for r in (await conn.execute(q)).mappings()]
