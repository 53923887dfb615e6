"""The ``recordings`` read model: ``call.recording_*`` events onto one row per recorded call.

``apply`` is pure (row in, row out) so the arithmetic is tested directly; ``project`` is what the
writer calls inside its transaction with the new events of a batch. The file's size is filled in
by whoever can see the file (the bridge when it shares the folder, else playback or the purge).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.events import DomainEvent
from store.models.recordings import Recording

RECORDING_TYPES = frozenset(
    {
        "call.recording_started",
        "call.recording_paused",
        "call.recording_resumed",
        "call.recording_stopped",
    }
)
Row = dict[str, Any]


def apply(row: Row | None, ev: DomainEvent) -> Row:
    """``row`` (None: none yet) after one recording event; a new dict."""
    p = ev.payload
    r: Row = (
        dict(row)
        if row is not None
        else {
            "call_id": ev.call_id,
            "file": p.get("file") or "",
            "queue_id": None,
            "agent_id": None,
            "started_at": ev.ts,
            "stopped_at": None,
            "duration_s": None,
            "size_bytes": None,
            "paused_at": None,
            "paused_spans": [],
            "purged_at": None,
            "purge_note": None,
        }
    )
    r["file"] = p.get("file") or r["file"]
    r["agent_id"] = ev.agent_id or r["agent_id"]
    if ev.type == "call.recording_started":
        r["started_at"] = ev.ts
        r["queue_id"] = p.get("queue") or r["queue_id"]
    elif ev.type == "call.recording_paused":
        r["paused_at"] = r["paused_at"] or ev.ts
    elif ev.type == "call.recording_resumed":
        if r["paused_at"] is not None:
            start = (r["paused_at"] - r["started_at"]).total_seconds()
            end = (ev.ts - r["started_at"]).total_seconds()
            r["paused_spans"] = [*r["paused_spans"], [round(start, 3), round(end, 3)]]
        r["paused_at"] = None
    elif ev.type == "call.recording_stopped":
        r["stopped_at"] = ev.ts
        r["duration_s"] = p.get("duration_s")
        r["paused_spans"] = p.get("paused_spans", r["paused_spans"])
        r["paused_at"] = None
        if p.get("size_bytes") is not None:
            r["size_bytes"] = p["size_bytes"]
    return r


async def project(conn: AsyncConnection, events: Sequence[DomainEvent]) -> None:
    """Apply the batch's new recording events (in time order) to their rows."""
    mine = sorted(
        (e for e in events if e.type in RECORDING_TYPES and e.call_id), key=lambda e: e.ts
    )
    if not mine:
        return
    table = Recording.__table__
    ids = sorted({e.call_id for e in mine if e.call_id})
    res = await conn.execute(select(table).where(table.c.call_id.in_(ids)))
    current: dict[str, Row] = {r["call_id"]: dict(r) for r in res.mappings()}
    existing = set(current)
    for ev in mine:
        current[str(ev.call_id)] = apply(current.get(str(ev.call_id)), ev)
    for call_id, row in current.items():
        if call_id in existing:
            await conn.execute(table.update().where(table.c.call_id == call_id).values(**row))
        else:
            await conn.execute(table.insert().values(**row))
