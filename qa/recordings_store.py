"""Recordings in the store and on disk: the retention purge, who may play a call's recording,
the playback audit and the evaluators' comments at a time position.

The file of a call is always ``<[recording] folder>/<file_name(call id)>``: nothing a request
sends can name another path. The purge deletes expired files, keeps each row (``purged_at``,
``purge_note``: that the recording existed stays known) and logs one line per recording. With
``[recording] url_template`` the files live on the PBX host: the platform cannot delete them,
says so in the log and leaves them (and their rows) as they are.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from customers.audit import record_change
from kernel.recording_files import file_name
from kernel.runtime import Runtime
from kernel.settings import Settings
from qa.recordings import StoredRecording, expired
from store.models.qa import QaEvaluation
from store.models.recordings import Recording, RecordingComment

log = logging.getLogger(__name__)

PLAY_ANY_ROLES = frozenset({"qa", "supervisor", "admin"})


def recording_path(settings: Settings, call_id: str) -> Path:
    return settings.recordings_folder / file_name(call_id)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    deleted: list[str]  # call ids whose file was deleted
    missing: list[str]  # expired, no file any more: marked purged
    kept_remote: list[str]  # expired, on the PBX host (url_template): left alone


async def purge(engine: AsyncEngine, settings: Settings, now: datetime) -> PurgeResult:
    """Delete the files of every expired recording; one log line each."""
    t = Recording.__table__
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(t.c.call_id, t.c.queue_id, t.c.started_at, t.c.stopped_at).where(
                    t.c.purged_at.is_(None)
                )
            )
        ).all()
    stored = [StoredRecording(r[0], r[1], r[2], r[3], None) for r in rows]
    days = {q.id: q.retention_days for q in settings.queues if q.retention_days is not None}
    due = expired(stored, now, days, settings.recording.retention_days)
    result = PurgeResult([], [], [])
    for r in due:
        if settings.recording.url_template:
            log.warning(
                "recording of call %s expired but kept: it is on the PBX host "
                "([recording] url_template); delete it there",
                r.call_id,
            )
            result.kept_remote.append(r.call_id)
            continue
        path = recording_path(settings, r.call_id)
        try:
            path.unlink()
            note = "deleted"
            result.deleted.append(r.call_id)
        except FileNotFoundError:
            note = "file already gone"
            result.missing.append(r.call_id)
        async with engine.begin() as conn:
            await conn.execute(
                update(t).where(t.c.call_id == r.call_id).values(purged_at=now, purge_note=note)
            )
        log.info(
            "recording of call %s purged (queue %s, ended %s): %s %s",
            r.call_id,
            r.queue_id,
            (r.stopped_at or r.started_at).isoformat(),
            note,
            path,
        )
    return result


async def run_recordings_purge(rt: Runtime) -> None:
    """The piece ``recordings-purge``: a purge every ``[recording] purge_every_s`` (a failed pass
    is logged by the supervisor, which starts the piece again with back-off)."""
    while True:
        await purge(rt.engine, rt.settings, datetime.now(UTC))
        await asyncio.sleep(rt.settings.recording.purge_every_s)


async def recording_row(conn: AsyncConnection, call_id: str) -> dict[str, Any] | None:
    t = Recording.__table__
    row = (await conn.execute(select(t).where(t.c.call_id == call_id))).mappings().first()
    return dict(row) if row is not None else None


async def note_size(conn: AsyncConnection, call_id: str, size_bytes: int) -> None:
    """The file's size, once the platform has seen the file."""
    t = Recording.__table__
    await conn.execute(update(t).where(t.c.call_id == call_id).values(size_bytes=size_bytes))


async def may_play(conn: AsyncConnection, role: str, agent_id: str | None, call_id: str) -> bool:
    """qa, supervisor and admin play any recording; an agent only their own evaluated calls."""
    if role in PLAY_ANY_ROLES:
        return True
    if role != "agent" or not agent_id:
        return False
    e = QaEvaluation.__table__
    found = await conn.execute(
        select(e.c.evaluation_id).where(e.c.call_id == call_id, e.c.agent_id == agent_id).limit(1)
    )
    return found.first() is not None


async def audit_playback(
    conn: AsyncConnection, *, actor: str, role: str, call_id: str, action: str, at: datetime
) -> None:
    """One audit row per playback session (``recording.play``) or download."""
    await record_change(
        conn,
        actor=actor,
        role=role,
        action=action,
        entity="recording",
        entity_id=call_id,
        fields=("audio",),
        reason="quality review" if role != "agent" else "own evaluated call",
        at=at,
    )


@dataclass(frozen=True, slots=True)
class TimedComment:
    at_s: float
    text: str
    author: str = ""
    evaluation_id: int | None = None


async def save_timed_comments(
    conn: AsyncConnection,
    evaluation_id: int,
    call_id: str,
    comments: Sequence[TimedComment],
    author: str,
    now: datetime,
) -> None:
    if not comments:
        return
    await conn.execute(
        insert(RecordingComment.__table__),
        [
            {
                "evaluation_id": evaluation_id,
                "call_id": call_id,
                "at_s": c.at_s,
                "text": c.text,
                "author": author,
                "created_at": now,
            }
            for c in comments
        ],
    )


async def timed_comments(conn: AsyncConnection, call_id: str) -> list[TimedComment]:
    t = RecordingComment.__table__
    rows = await conn.execute(
        select(t.c.at_s, t.c.text, t.c.author, t.c.evaluation_id)
        .where(t.c.call_id == call_id)
        .order_by(t.c.at_s, t.c.comment_id)
    )
    return [TimedComment(r[0], r[1], r[2], r[3]) for r in rows]
