"""Recordings kept on the PBX host (``[recording] url_template``): after the same permission
check and audit row, playback and download are redirects to the PBX host's URL of the file
named after the call id; there is no waveform to compute (404: no local file)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from callcenter_testkit.webtools import Login, web_settings
from sqlalchemy import select

from kernel.events import DomainEvent
from kernel.runtime import Runtime
from kernel.settings import Settings
from store.models.customers import AuditEntry
from store.writer import write_events

pytestmark = pytest.mark.timeout(60)
T0 = datetime.now(UTC) - timedelta(hours=1)


@pytest.fixture
def settings(prefix: str) -> Settings:
    return web_settings(prefix, recording={"url_template": "https://pbx.example/rec/{file}"})


async def test_playback_redirects_to_the_pbx_host(web_rt: Runtime, login: Login) -> None:
    events = [
        DomainEvent(
            id=f"far:{kind}",
            ts=T0 + timedelta(seconds=at_s),
            type=f"call.recording_{kind}",
            call_id="far-1",
            agent_id="a1",
            payload={"file": "cc-far-1.wav", "duration_s": 20.0}
            if kind == "stopped"
            else {"file": "cc-far-1.wav"},
        )
        for kind, at_s in (("started", 0), ("stopped", 20))
    ]
    async with web_rt.engine.begin() as conn:
        await write_events(conn, events)
    quinn = await login("quinn")
    async with quinn.post("/api/recordings/far-1/plays") as r:
        assert r.status == 201, await r.text()
        audio_url = (await r.json())["audio_url"]
    async with quinn.get(audio_url, allow_redirects=False) as r:
        assert r.status == 302
        assert r.headers["Location"] == "https://pbx.example/rec/cc-far-1.wav"
    async with quinn.get("/api/recordings/far-1/download", allow_redirects=False) as r:
        assert r.status == 302
    async with quinn.get("/api/recordings/far-1/peaks") as r:
        assert r.status == 404  # the platform has no file to draw
    t = AuditEntry.__table__
    async with web_rt.engine.connect() as conn:
        rows = (await conn.execute(select(t.c.action).where(t.c.entity_id == "far-1"))).all()
    assert sorted(a for (a,) in rows) == ["recording.download", "recording.play"]
