"""Recordings in the store (SQLite and PostgreSQL): the ``call.recording_*`` events projected
by the store writer, the retention purge (expired files deleted, rows kept, one log line each),
the playback rights, and the waveform peaks of a WAV file."""

from __future__ import annotations

import asyncio
import io
import logging
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from config.cli import cli
from kernel.events import DomainEvent
from kernel.recording_files import file_name
from kernel.settings import QueueConfig, RecordingSettings, Settings
from qa.recordings import RecordingFileError, wav_peaks
from qa.recordings_store import may_play, purge
from store.db import create_engine
from store.models.qa import QaEvaluation, QaForm, QaFormVersion
from store.models.recordings import Recording
from store.writer import write_events

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def ev(kind: str, call_id: str, offset_s: float, **payload: object) -> DomainEvent:
    return DomainEvent(
        id=f"{call_id}:{kind}:{offset_s}",
        ts=T0 + timedelta(seconds=offset_s),
        type=f"call.recording_{kind}",
        call_id=call_id,
        agent_id="1001",
        payload={"file": file_name(call_id), **payload},
    )


def recorded(call_id: str, queue: str, day: int) -> list[DomainEvent]:
    start = day * 86400.0
    return [
        ev("started", call_id, start, queue=queue),
        ev("paused", call_id, start + 10, at_s=10),
        ev("resumed", call_id, start + 14, at_s=14),
        ev("stopped", call_id, start + 30, duration_s=30.0, paused_spans=[[10.0, 14.0]]),
    ]


async def rows(engine: AsyncEngine) -> dict[str, dict]:
    async with engine.connect() as conn:
        res = await conn.execute(select(Recording.__table__))
        return {r["call_id"]: dict(r) for r in res.mappings()}


async def test_recording_events_make_one_row_per_call(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await write_events(conn, recorded("c-1", "sales", 0)[:2])
    (row,) = (await rows(engine)).values()
    assert row["paused_at"] == T0 + timedelta(seconds=10) and row["stopped_at"] is None
    async with engine.begin() as conn:
        await write_events(conn, recorded("c-1", "sales", 0))  # replayed: no change twice
    row = (await rows(engine))["c-1"]
    assert (row["file"], row["queue_id"], row["agent_id"]) == ("cc-c-1.wav", "sales", "1001")
    assert row["duration_s"] == 30.0 and row["paused_spans"] == [[10.0, 14.0]]
    assert row["paused_at"] is None and row["stopped_at"] == T0 + timedelta(seconds=30)


async def test_purge_deletes_expired_files_keeps_rows_and_logs(
    engine: AsyncEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with engine.begin() as conn:
        for call_id, queue, day in (
            ("old", "sales", 0),
            ("kept", "support", 0),
            ("new", "sales", 9),
        ):
            await write_events(conn, recorded(call_id, queue, day))
    folder = tmp_path / "recordings"
    folder.mkdir()
    for call_id in ("old", "kept", "new"):
        (folder / file_name(call_id)).write_bytes(b"RIFF")
    settings = Settings(
        recording=RecordingSettings(folder=folder, retention_days=30),
        queues=[QueueConfig(id="sales", retention_days=5), QueueConfig(id="support")],
    )
    now = T0 + timedelta(days=10)
    with caplog.at_level(logging.INFO, logger="qa.recordings_store"):
        result = await purge(engine, settings, now)
    assert result.deleted == ["old"] and result.missing == [] and result.kept_remote == []
    assert sorted(p.name for p in folder.iterdir()) == ["cc-kept.wav", "cc-new.wav"]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "call old purged" in lines[0] and "deleted" in lines[0]
    table = await rows(engine)
    assert set(table) == {"old", "kept", "new"}  # that a recording existed stays known
    assert table["old"]["purged_at"] == now and table["old"]["purge_note"] == "deleted"
    assert table["kept"]["purged_at"] is None and table["new"]["purged_at"] is None

    again = await purge(engine, settings, now + timedelta(days=40))
    assert sorted(again.deleted) == ["kept", "new"]
    assert list(folder.iterdir()) == []


async def test_purge_leaves_files_on_the_pbx_host(
    engine: AsyncEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with engine.begin() as conn:
        await write_events(conn, recorded("far", "sales", 0))
    settings = Settings(
        recording=RecordingSettings(
            folder=tmp_path, retention_days=1, url_template="https://pbx.example/rec/{file}"
        )
    )
    with caplog.at_level(logging.INFO, logger="qa.recordings_store"):
        result = await purge(engine, settings, T0 + timedelta(days=3))
    assert result.kept_remote == ["far"] and result.deleted == []
    assert "delete it there" in caplog.records[0].getMessage()
    assert (await rows(engine))["far"]["purged_at"] is None


async def test_who_may_play(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(QaForm.__table__).values(form_id=1, name="f", created_at=T0))
        await conn.execute(
            insert(QaFormVersion.__table__).values(
                form_version_id=1,
                form_id=1,
                version=1,
                fingerprint="x",
                definition={},
                created_at=T0,
            )
        )
        await conn.execute(
            insert(QaEvaluation.__table__).values(
                evaluation_id=1,
                form_version_id=1,
                call_id="c-9",
                agent_id="1001",
                evaluator_id="qa1",
                answers={},
                comments={},
                section_scores={},
                critical_failed=[],
                status="submitted",
                created_at=T0,
                updated_at=T0,
            )
        )
    async with engine.connect() as conn:
        assert await may_play(conn, "qa", None, "c-9")
        assert await may_play(conn, "supervisor", None, "anything")
        assert await may_play(conn, "agent", "1001", "c-9")
        assert not await may_play(conn, "agent", "1002", "c-9")  # another agent's call
        assert not await may_play(conn, "agent", "1001", "c-10")  # not evaluated
        assert not await may_play(conn, "planner", None, "c-9")


def wav(samples: np.ndarray) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(samples.astype("<i2").tobytes())
    return buf.getvalue()


def test_peaks_follow_the_loud_and_silent_parts() -> None:
    audio = np.zeros(8000 * 4)
    audio[8000:16000] = 16384 * np.sin(np.arange(8000) / 3)  # second 1-2: half scale
    peaks = wav_peaks(wav(audio), buckets=4)
    assert peaks.duration_s == 4.0 and peaks.rate_hz == 8000
    assert peaks.peaks[0] == 0 and peaks.peaks[2:] == [0, 0]
    assert peaks.peaks[1] == pytest.approx(0.5, abs=0.001)


def test_peaks_refuse_what_is_not_a_wav() -> None:
    with pytest.raises(RecordingFileError, match="not a WAV"):
        wav_peaks(b"ID3 an mp3")


def test_purge_command(db_url: str, tmp_path: Path) -> None:
    """``callcenter recordings purge``: the settings' queues and folder, one line of totals."""
    folder = tmp_path / "rec"
    folder.mkdir()
    (folder / file_name("cli-1")).write_bytes(b"RIFF")

    async def seed() -> None:
        engine = create_engine(db_url)
        async with engine.begin() as conn:
            await write_events(conn, recorded("cli-1", "sales", 0))
        await engine.dispose()

    asyncio.run(seed())
    config = tmp_path / "cc.toml"
    config.write_text(
        f'db_url = "{db_url}"\nvar_dir = "{tmp_path}"\n'
        f'[recording]\nfolder = "{folder}"\n[[queues]]\nid = "sales"\nretention_days = 1\n'
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "recordings", "purge"])
    assert result.exit_code == 0, result.output
    assert "recordings purged: 1 deleted, 0 already gone, 0 kept on the PBX host" in result.output
    assert not (folder / file_name("cli-1")).exists()
