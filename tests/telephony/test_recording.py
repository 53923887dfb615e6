"""Recording: the bridge's MixMonitor rules against the real capture 20 and the PBX simulator.

* replaying capture 20 (Asterisk 22.10.1: MixMonitor, MixMonitorMute on/off, StopMixMonitor)
  through the translator and the recorder gives started / paused / resumed / stopped with the
  capture's times, and the actions the bridge builds have the capture's keys;
* through the bridge against the simulator over TCP: MixMonitor on connect for a queue that
  records and not for another, pause / resume by command (MixMonitorMute), stop at hang-up, the
  WAV the simulator writes (8 kHz, 16-bit mono, as long as the recording, silence when paused);
* the recording notice: the simulator's callers of a recorded queue hear ``cc-recording-notice``.
"""

from __future__ import annotations

import wave
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import redis.asyncio as aioredis
from callcenter_testkit.ami_client import Ami
from callcenter_testkit.pbx_rig import (
    SECRET,
    Rig,
    customers_who_answer,
    manual_pbx,
    running_bridge,
)

from kernel.events import DomainEvent
from kernel.settings import QueueConfig
from telephony import recording
from telephony.captures import capture_frames
from telephony.simulator import Scenario
from telephony.simulator.phones import Device
from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic
from telephony.translator import CallState, new_state, translate

pytestmark = pytest.mark.timeout(60)
REAL = Path(__file__).parents[1] / "fixtures" / "ami" / "real-asterisk"
ASTERISK_DIR = "/var/spool/asterisk/monitor/callcenter"


def test_file_names_come_from_the_call_id_only() -> None:
    assert recording.file_name("1796648790.33") == "cc-1796648790.33.wav"
    assert recording.file_name("../../etc/passwd") == "cc-_.._etc_passwd.wav"
    assert "/" not in recording.file_name("a/b\\c d")


def test_capture_20_replayed_gives_the_recording_events() -> None:
    frames = capture_frames((REAL / "20-mixmonitor-mute-stop.ami").read_bytes())
    state, rec = new_state(), recording.RecorderState()
    policy = recording.RecordingPolicy(frozenset({"sales"}), None, ASTERISK_DIR)
    out: list[DomainEvent] = []
    now = datetime(2026, 12, 7, 13, 7, tzinfo=UTC)
    for frame in frames:
        state, events = translate(state, frame, now)
        rec, more, _actions = recording.step(rec, state, frame, events, now, policy)
        out += more
    kinds = [e.type for e in out]
    assert kinds == [
        "call.recording_started",
        "call.recording_paused",
        "call.recording_resumed",
        "call.recording_stopped",
    ]
    call_ids = {e.call_id for e in out}
    assert len(call_ids) == 1
    (call_id,) = call_ids
    assert all(e.payload["file"] == recording.file_name(str(call_id)) for e in out)


def test_the_bridge_builds_the_actions_of_capture_20() -> None:
    """Same action names and keys, in the same order, as the recorder sent to Asterisk 22."""
    frames = capture_frames((REAL / "20-mixmonitor-mute-stop.ami").read_bytes())
    sent = {
        f.action: [k for k, _ in f.pairs if k != "ActionID"]
        for f in frames
        if f.action in ("MixMonitor", "MixMonitorMute")
    }
    call = CallState("1.1", "c-1", "inbound", "1.1", "Local/1@x-00000001;1", queue="sales")
    policy = recording.RecordingPolicy(frozenset({"sales"}), None, ASTERISK_DIR)
    start = recording.start_action(call, policy)
    assert [k for k, _ in start] == sent["MixMonitor"][: len(start)]  # capture adds Options: b
    assert dict(start)["File"] == f"{ASTERISK_DIR}/cc-c-1.wav"  # absolute: not Asterisk's spool
    assert [k for k, _ in recording.mute_action(call, True)] == sent["MixMonitorMute"]


FIXED = {"kind": "fixed"}


@pytest.fixture
async def rig(redis: aioredis.Redis, prefix: str, tmp_path: Path) -> AsyncIterator[Rig]:
    scenario = Scenario(
        queues=[
            QueueTraffic(queue="sales", did="5000", record=True),
            QueueTraffic(queue="support", did="5001"),
        ],
        agents=[
            AgentPhone(
                agent_id="1001", answer_delay_s=Dist(**FIXED, mean=2), no_answer_p=0, hold_p=0
            ),
            AgentPhone(
                agent_id="1002", answer_delay_s=Dist(**FIXED, mean=2), no_answer_p=0, hold_p=0
            ),
        ],
        unknown_endpoints_answer=False,
        outbound=customers_who_answer(ring_s=2, talk_s=300),
    )
    # outbound calls follow the first queue's setting (no [outbound] queue): sales records
    queues = [QueueConfig(id="sales", record=True), QueueConfig(id="support")]
    async with (
        manual_pbx(scenario, recordings=(ASTERISK_DIR, tmp_path)) as sim,
        running_bridge(sim, redis, prefix, ["1001", "1002"], queues, (ASTERISK_DIR, tmp_path)) as r,
    ):
        yield r


async def steps(rig: Rig, seconds: int) -> list[DomainEvent]:
    out: list[DomainEvent] = []
    for _ in range(seconds):
        out += await rig.step(1.0)
    return out


def actions(rig: Rig, name: str) -> list[list[tuple[str, str]]]:
    return [
        [(k, v) for k, v in f.pairs if k != "ActionID"]
        for _, f in rig.sim.received
        if f.action == name
    ]


async def connect(rig: Rig, did: str, agent: str) -> tuple[str, list[DomainEvent]]:
    device = Device(kind="caller", label=did, cid_name="Alice", patience_s=1000)
    caller = rig.sim.engine.inbound_call(did, "+8613800000001", "Alice", device)
    events = await steps(rig, 4)  # the notice (a recorded queue), then holding
    await rig.command("connect", call_id=caller.linkedid, agent_id=agent)
    events += await steps(rig, 4)
    assert any(e.type == "call.answered" for e in events)
    return caller.linkedid, events


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def types(events: list[DomainEvent]) -> list[str]:
    return [e.type for e in events if e.type.startswith("call.recording")]


async def test_recorded_queue_records_from_connect_to_hang_up(rig: Rig, tmp_path: Path) -> None:
    call_id, events = await connect(rig, "5000", "1001")
    caller = next(c for c in rig.sim.engine.channels.values() if c.linkedid == call_id)
    assert actions(rig, "MixMonitor") == [
        [
            ("Action", "MixMonitor"),
            ("Channel", caller.name),
            ("File", f"{ASTERISK_DIR}/{recording.file_name(call_id)}"),
        ]
    ]
    assert types(events) == ["call.recording_started"]
    events = await steps(rig, 3)
    events += await rig.command("recording_pause", call_id=call_id) + await steps(rig, 2)
    events += await rig.command("recording_resume", call_id=call_id) + await steps(rig, 3)
    assert [a[-1] for a in actions(rig, "MixMonitorMute")] == [("State", "1"), ("State", "0")]
    assert types(events) == ["call.recording_paused", "call.recording_resumed"]
    assert [e.type for e in events if e.type.startswith("command.")] == ["command.succeeded"] * 2
    events = await rig.command("hangup", call_id=call_id) + await steps(rig, 1)
    (stopped,) = [e for e in events if e.type == "call.recording_stopped"]
    assert stopped.payload["why"] == "hangup"
    (span,) = stopped.payload["paused_spans"]
    assert span[1] - span[0] == pytest.approx(2.0, abs=0.01)  # PBX times (Timestamp headers)
    duration_s = stopped.payload["duration_s"]
    assert duration_s == pytest.approx(9.0, abs=1.01)

    path = tmp_path / recording.file_name(call_id)
    assert stopped.payload["size_bytes"] == path.stat().st_size  # the bridge saw the file
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getsampwidth(), w.getnchannels()) == (8000, 2, 1)
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert len(audio) / 8000 == pytest.approx(duration_s, abs=0.01)
    start, end = (round(x * 8000) for x in span)
    assert not audio[start + 8 : end - 8].any()  # paused: silence, kept in the file
    assert np.abs(audio[:start]).max() > 1000  # voices before


async def test_other_queue_is_not_recorded(rig: Rig, tmp_path: Path) -> None:
    call_id, events = await connect(rig, "5001", "1002")
    assert actions(rig, "MixMonitor") == []
    events += await rig.command("recording_pause", call_id=call_id)
    (failed,) = [e for e in events if e.type == "command.failed"]
    assert failed.payload["error"].endswith("Cannot set mute flag")  # Asterisk's own answer
    events += await rig.command("hangup", call_id=call_id) + await steps(rig, 1)
    assert types(events) == [] and files_in(tmp_path) == []


async def test_recorded_queue_callers_hear_the_notice_first(rig: Rig) -> None:
    ami = await Ami.connect(rig.sim)
    assert (await ami.login(SECRET)).get("Response") == "Success"
    for did in ("5000", "5001"):
        device = Device(kind="caller", label=did, cid_name="Bo", patience_s=1000)
        rig.sim.engine.inbound_call(did, "+8613800000002", "Bo", device)
    await steps(rig, 4)
    await ami.settle()
    played = [
        (f.get("Exten"), f.get("AppData")) for f in ami.events("Newexten", Application="Playback")
    ]
    assert played == [("5000", "cc-recording-notice")]
    held = [f.get("Exten") for f in ami.events("MusicOnHoldStart")]
    assert len(held) == 2  # both wait; the recorded queue's caller after the notice


async def test_outbound_calls_are_recorded_too(rig: Rig, tmp_path: Path) -> None:
    await rig.command("originate", call_id="out-1", agent_id="1001", number="5551234")
    events = await steps(rig, 6)  # the customer answers, then the agent
    customer = next(
        c for c in rig.sim.engine.channels.values() if c.name.startswith("PJSIP/trunk-")
    )
    assert actions(rig, "MixMonitor") == [
        [
            ("Action", "MixMonitor"),
            ("Channel", customer.name),
            ("File", f"{ASTERISK_DIR}/cc-out-1.wav"),
        ]
    ]
    assert types(events) == ["call.recording_started"]
    events = await rig.command("hangup", call_id="out-1") + await steps(rig, 1)
    assert types(events) == ["call.recording_stopped"]
    assert files_in(tmp_path) == ["cc-out-1.wav"]
