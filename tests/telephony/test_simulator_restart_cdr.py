"""The PBX simulator like Asterisk at a bridge's login: ``(null)`` for unset variables in
``Status``, a restart (every channel gone, a new session sees only live channels), and the CDR
it writes with the project's dialplan, read back into the platform's calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from callcenter_testkit.ami_client import SECRET, USER, Ami, advance

from telephony.cdr import ANSWERED, calls_from_records, parse_bytes
from telephony.simulator import Scenario, Simulator, start_simulator
from telephony.simulator.phones import Device
from telephony.simulator.traffic import AgentPhone, Dist, OutboundProfile, QueueTraffic

EPOCH = 1_800_000_000.0


@pytest.fixture
async def sim(tmp_path: Path) -> AsyncIterator[Simulator]:
    scenario = Scenario(
        queues=[QueueTraffic(queue="sales", did="5000")],
        agents=[
            AgentPhone(agent_id="1001", answer_delay_s=Dist(mean=2), no_answer_p=0, hold_p=0),
            AgentPhone(agent_id="1002", no_answer_p=1.0, hold_p=0),
        ],
        unknown_endpoints_answer=False,
        outbound=OutboundProfile(ring_s=Dist(mean=2)),
    )
    async with start_simulator(
        scenario=scenario,
        username=USER,
        secret=SECRET,
        speed=None,
        traffic=False,
        epoch_s=EPOCH,
        cdr_csv=tmp_path / "Master.csv",
    ) as s:
        yield s


def caller(sim: Simulator, number: str, patience_s: float = 600) -> str:
    device = Device(kind="caller", cid_name="Li", patience_s=patience_s)
    return sim.engine.inbound_call("5000", number, "Li", device).linkedid


async def connect(ami: Ami, sim: Simulator, call: str, agent: str) -> None:
    [ch] = [c for c in sim.engine.channels.values() if c.uniqueid == call]
    await ami.action(
        "Setvar",
        ("Channel", ch.name),
        ("Variable", "CC_AGENT_ENDPOINT"),
        ("Value", f"PJSIP/{agent}"),
    )
    await ami.action("Redirect", ("Channel", ch.name), ("Context", "cc-connect"), ("Exten", agent))


async def test_status_lists_an_unset_variable_as_null(sim: Simulator) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    caller(sim, "+8613800000001")
    await advance(sim, ami, 1)
    await ami.action("Status", ("Variables", "CC_QUEUE,CC_CALL_ID"))
    await ami.settle()
    [item] = ami.events("Status")
    assert item.getall("Variable") == ["CC_QUEUE=sales", "CC_CALL_ID=(null)"]


async def test_a_restart_ends_every_channel_and_a_new_session_sees_only_new_calls(
    sim: Simulator,
) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    talking = caller(sim, "+8613800000001")
    await advance(sim, ami, 1)
    await connect(ami, sim, talking, "1001")
    holding = caller(sim, "+8613800000002")
    await advance(sim, ami, 5)
    assert len(sim.engine.channels) == 3
    await sim.restart()
    await sim.advance(0.5)
    while not ami.closed:
        await ami._read(1.0)
    assert sim.engine.channels == {}
    after = caller(sim, "+8613800000003")
    fresh = await Ami.connect(sim)
    assert (await fresh.login())["Response"] == "Success"
    await advance(sim, fresh, 1)
    await fresh.action("CoreShowChannels")
    await fresh.settle()
    assert [f["Linkedid"] for f in fresh.events("CoreShowChannel")] == [after]
    assert not fresh.events("Hangup")  # nothing of the old calls reaches the new session
    # the calls the restart ended have their CDR, ended at the restart
    records, errors = parse_bytes(sim.cdr_csv.read_bytes())  # type: ignore[union-attr]
    assert errors == []
    calls = calls_from_records(records)
    assert set(calls) == {talking, holding}
    assert calls[talking].agent_id == "1001"
    assert {c.ended_at for c in calls.values()} == {datetime.fromtimestamp(EPOCH + 6, UTC)}


async def test_the_cdr_of_the_projects_dialplan_tells_the_backfill_what_happened(
    sim: Simulator,
) -> None:
    """A caller offered to 1002 (never answers: Dial 15 s, NO ANSWER), then to 1001 (answers
    after 2 s), talks, hangs up; another gives up on hold. Master.csv has what a backfill
    needs: queue, DID, the answering agent, the time its Dial began, all times in UTC."""
    ami = await Ami.connect(sim)
    await ami.login()
    answered = caller(sim, "+8613800000001")
    await advance(sim, ami, 2)
    await connect(ami, sim, answered, "1002")
    await advance(sim, ami, 16)  # the Dial gives up at 15 s: back on hold
    gave_up = caller(sim, "+8613800000002", patience_s=20)
    await connect(ami, sim, answered, "1001")
    await advance(sim, ami, 10)
    [ch] = [c for c in sim.engine.channels.values() if c.uniqueid == answered]
    await ami.action("Hangup", ("Channel", ch.name))
    await advance(sim, ami, 20)
    records, errors = parse_bytes(sim.cdr_csv.read_bytes())  # type: ignore[union-attr]
    assert errors == []
    # the caller's lines: the unanswered Dial's, then the rest of the call
    mine = [r for r in records if r.uniqueid == answered]
    assert [(r.dst, r.lastapp, r.disposition) for r in mine] == [
        ("1002", "Dial", "NO ANSWER"),
        ("1001", "Dial", ANSWERED),
    ]
    assert mine[0].userfield.startswith("cc;q=sales;n=5000/a=1002;c=;t=")
    calls = calls_from_records(records)
    assert set(calls) == {answered, gave_up}
    t0 = datetime.fromtimestamp(EPOCH, UTC)
    call = calls[answered]
    assert (call.queue, call.dialled, call.caller, call.agent_id) == (
        "sales",
        "5000",
        "+8613800000001",
        "1001",
    )
    assert call.arrived_at == t0
    assert (call.answered_at - t0).total_seconds() == 18  # the second Dial began at +18 s
    assert (call.ended_at - t0).total_seconds() == 28  # hung up 8 s after the answer
    assert calls[gave_up].agent_id is None and calls[gave_up].queue == "sales"


def test_simulate_command_has_the_cdr_option() -> None:
    from click.testing import CliRunner

    from config.cli import cli

    result = CliRunner().invoke(cli, ["simulate", "--help"])
    assert result.exit_code == 0 and "--cdr-csv" in result.output


async def test_a_caller_who_hangs_up_while_the_agent_rings_has_no_answered_line(
    sim: Simulator,
) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    call = caller(sim, "+8613800000001", patience_s=5)
    await advance(sim, ami, 1)
    await connect(ami, sim, call, "1002")  # never answers; the caller gives up meanwhile
    await advance(sim, ami, 10)
    records, _ = parse_bytes(sim.cdr_csv.read_bytes())  # type: ignore[union-attr]
    assert [(r.lastapp, r.disposition) for r in records if r.uniqueid == call] == [
        ("Dial", "NO ANSWER")
    ]
    assert calls_from_records(records)[call].agent_id is None
