"""Recordings on the web: pause / resume from the desk and the wallboard, and playback beside
the QA form (metadata, waveform peaks, timed comments, the audio itself, a download).

Who may play: qa, supervisor, admin; an agent their own evaluated calls
(``qa.recordings_store.may_play``). A playback session starts with ``POST .../plays``: one audit
row, and a session token the audio URL carries; the browser's range requests on that URL
(``web.FileResponse`` answers ``Range``) write no more rows. A download is one request and one
row. The file is always the one derived from the call id; with ``[recording] url_template`` the
audio is a redirect to the PBX host, after the same check and audit.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from kernel.keys import recording_play
from kernel.recording_files import file_name
from qa.recordings import RecordingFileError, wav_peaks
from qa.recordings_store import (
    audit_playback,
    may_play,
    note_size,
    recording_path,
    recording_row,
    timed_comments,
)
from web.calls.commands import send_command
from web.calls.http import own_call
from web.calls.schemas import CommandOut
from web.endpoints import ApiCall, Endpoints
from web.errors import ConflictError, ForbiddenError, NotFoundError
from web.i18n.catalog import N_
from web.keys import SERVICES
from web.roles import AGENT, EVERYONE, SUPERVISOR

api = Endpoints(tag="recordings")
PLAY_TTL_S = 4 * 3600


class PauseBody(BaseModel):
    paused: bool


class TimedCommentOut(BaseModel):
    at_s: float
    text: str
    author: str
    evaluation_id: int | None


class RecordingOut(BaseModel):
    call_id: str
    file: str
    started_at: datetime
    duration_s: float | None
    size_bytes: int | None
    paused_spans: list[list[float]]
    purged_at: datetime | None
    comments: list[TimedCommentOut]


class PlayOut(BaseModel):
    audio_url: str = Field(description="the audio for this playback session (range requests)")


class PeaksOut(BaseModel):
    duration_s: float
    rate_hz: int
    peaks: list[float]


@api.op(
    "POST",
    "/api/calls/{call_id}/recording",
    roles=AGENT | SUPERVISOR,
    summary="Pause or resume the call's recording",
    body=PauseBody,
    response=CommandOut,
)
async def recording_pause(call: ApiCall) -> CommandOut:
    """The agent on their own call, a supervisor on any connected call."""
    call_id = call.path["call_id"]
    if call.user.role == "agent":
        await own_call(call)
    else:
        live = await call.request.app[SERVICES].live_state.call_anywhere(call_id)
        if not live:
            raise NotFoundError(
                N_("no live call %(call_id)s"), field="call_id", params={"call_id": call_id}
            )
    kind = "recording_pause" if call.body.paused else "recording_resume"
    cid = await send_command(call.rt.redis, call.rt.streams, kind, call_id=call_id)
    return CommandOut(command_id=cid)


async def _allowed(call: ApiCall) -> dict[str, Any]:
    """The call's recording row when the user may play it: 403 / 404 otherwise."""
    call_id = call.path["call_id"]
    async with call.rt.engine.connect() as conn:
        if not await may_play(conn, call.user.role, call.user.agent_id, call_id):
            raise ForbiddenError(
                N_("recording of call %(call_id)s is not yours to play"),
                field="call_id",
                params={"call_id": call_id},
            )
        row = await recording_row(conn, call_id)
    if row is None:
        raise NotFoundError(
            N_("call %(call_id)s was not recorded"), field="call_id", params={"call_id": call_id}
        )
    return row


def _file(call: ApiCall, row: dict[str, Any]) -> Path:
    if row["purged_at"] is not None:
        raise NotFoundError(
            N_("recording of call %(call_id)s was purged"),
            field="call_id",
            params={"call_id": row["call_id"]},
        )
    path = recording_path(call.rt.settings, row["call_id"])
    if not path.is_file():
        raise NotFoundError(
            N_("no file for the recording of call %(call_id)s"),
            field="call_id",
            params={"call_id": row["call_id"]},
        )
    return path


@api.op(
    "GET",
    "/api/recordings/{call_id}",
    roles=EVERYONE,
    summary="A call's recording: length, paused spans, comments",
    response=RecordingOut,
)
async def recording_info(call: ApiCall) -> RecordingOut:
    row = await _allowed(call)
    async with call.rt.engine.connect() as conn:
        comments = await timed_comments(conn, row["call_id"])
    return RecordingOut(
        **{k: row[k] for k in ("call_id", "file", "started_at", "duration_s", "size_bytes")},
        paused_spans=row["paused_spans"] or [],
        purged_at=row["purged_at"],
        comments=[TimedCommentOut(**asdict(c)) for c in comments],
    )


@api.op(
    "GET",
    "/api/recordings/{call_id}/peaks",
    roles=EVERYONE,
    summary="The waveform of a call's recording",
    response=PeaksOut,
)
async def recording_peaks(call: ApiCall) -> PeaksOut:
    row = await _allowed(call)
    path = _file(call, row)
    data = await asyncio.to_thread(path.read_bytes)
    try:
        peaks = wav_peaks(data)
    except RecordingFileError as exc:
        raise ConflictError(
            N_("recording of call %(call_id)s: %(reason)s"),
            field="call_id",
            params={"call_id": row["call_id"], "reason": str(exc)},
        ) from exc
    if row["size_bytes"] != len(data):
        async with call.rt.engine.begin() as conn:
            await note_size(conn, row["call_id"], len(data))
    return PeaksOut(duration_s=peaks.duration_s, rate_hz=peaks.rate_hz, peaks=peaks.peaks)


async def _audit(call: ApiCall, call_id: str, action: str) -> None:
    async with call.rt.engine.begin() as conn:
        await audit_playback(
            conn,
            actor=call.user.username,
            role=call.user.role,
            call_id=call_id,
            action=action,
            at=datetime.now(UTC),
        )


@api.op(
    "POST",
    "/api/recordings/{call_id}/plays",
    roles=EVERYONE,
    summary="Start a playback session (one audit row)",
    response=PlayOut,
    status=201,
)
async def recording_play_session(call: ApiCall) -> PlayOut:
    row = await _allowed(call)
    if not call.rt.settings.recording.url_template:
        _file(call, row)
    token = secrets.token_urlsafe(18)
    key = recording_play(call.rt.settings.redis_prefix, token)
    await call.rt.redis.set(key, f"{call.user.username}|{row['call_id']}", ex=PLAY_TTL_S)
    await _audit(call, row["call_id"], "recording.play")
    return PlayOut(audio_url=f"/api/recordings/{row['call_id']}/audio?play={token}")


class AudioQuery(BaseModel):
    play: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


def _serve(call: ApiCall, row: dict[str, Any], download: bool) -> web.StreamResponse:
    template = call.rt.settings.recording.url_template
    if template:
        raise web.HTTPFound(template.format(file=file_name(row["call_id"])))
    headers = {"Cache-Control": "private, no-store", "Content-Type": "audio/wav"}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{file_name(row["call_id"])}"'
    return web.FileResponse(_file(call, row), headers=headers)


@api.op(
    "GET",
    "/api/recordings/{call_id}/audio",
    roles=EVERYONE,
    summary="The audio of a playback session (HTTP range requests)",
    query=AudioQuery,
)
async def recording_audio(call: ApiCall) -> web.StreamResponse:
    row = await _allowed(call)
    key = recording_play(call.rt.settings.redis_prefix, call.query.play)
    owner = await call.rt.redis.get(key)
    owner = owner.decode() if isinstance(owner, bytes) else owner
    if owner != f"{call.user.username}|{row['call_id']}":
        raise ForbiddenError(N_("start a playback session first (POST .../plays)"), field="play")
    return _serve(call, row, download=False)


@api.op(
    "GET",
    "/api/recordings/{call_id}/download",
    roles=EVERYONE,
    summary="Download a call's recording (one audit row)",
)
async def recording_download(call: ApiCall) -> web.StreamResponse:
    row = await _allowed(call)
    if not call.rt.settings.recording.url_template:
        _file(call, row)  # no file: 404, and no audit row for a download that did not happen
    await _audit(call, row["call_id"], "recording.download")
    return _serve(call, row, download=True)
