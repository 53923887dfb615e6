"""The post-call survey end to end: the PBX simulator over loopback TCP (the shipped dialplan:
cc-connect dials with ``g``, cc-survey reads one key), the AMI bridge, the real router on a real
Redis, the store writer on SQLite and PostgreSQL, then the scorecard's ``csat_pct`` and the
queue report, against figures counted by hand from what the callers were set to press.

Four queues, one agent (a2), every caller waits as long as it takes:

- sales (survey): the agent hangs up after 10 s, the caller presses 5 (twice);
- care (survey): the agent hangs up, the caller presses 2;
- support (no survey): the agent hangs up, the caller is hung up with it (CC_SURVEY=0);
- complaints (survey): the caller hangs up first: nobody to survey.

So a2 has three scores, two of them 4 or more: csat_pct = 2 / 3. Talk time ends when the agent
hangs up (10 s), the survey after it is not counted.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from callcenter_testkit.pbx_rig import manual_pbx, routed_settings, router_and_bridge
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.events import DomainEvent
from kernel.keys import StreamNames
from kernel.settings import Settings
from qa.kpi_store import KpiOptions, read_totals
from qa.periods import parse_period
from qa.scorecard import DEFAULT_ROLES, build_scorecards
from queueing.actions import AgentActions
from reports.service import ReportRequest, build_report
from store.models.core import Call
from store.writer import StoreWriter
from telephony.simulator import Scenario, Simulator
from telephony.simulator.phones import Device
from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic

pytestmark = pytest.mark.timeout(120)

TALK_S = 10.0
ALWAYS = {"sales": [0, 0, 0, 0, 1], "care": [0, 1, 0, 0, 0]}  # weights of the keys 1-5
QUEUES = {"sales": "5000", "support": "5001", "care": "5002", "complaints": "5003"}
SURVEYED = {"sales", "care", "complaints"}
CALLERS = [("sales", "+8613800000001"), ("sales", "+8613800000002"), ("care", "+8613800000003")]
CALLERS += [("support", "+8613800000004"), ("complaints", "+8613800000005")]


def settings_for(prefix: str, port: int) -> Settings:
    queues = [
        {"id": q, "skills": {"general": 1}, "wrap_up_s": 0, "survey": q in SURVEYED} for q in QUEUES
    ]
    return routed_settings(
        prefix, port, queues=queues, agents=[{"id": "a2", "skills": {"general": 1}}]
    )


SCENARIO = Scenario(
    queues=[
        QueueTraffic(
            queue=q,
            did=did,
            talk_s=Dist(kind="fixed", mean=TALK_S),
            caller_ends_share=1.0 if q == "complaints" else 0.0,
            survey_scores=ALWAYS.get(q, [1, 1, 1, 1, 1]),
            survey_skip_p=0.0,
        )
        for q, did in QUEUES.items()
    ],
    agents=[
        AgentPhone(
            agent_id="a2", answer_delay_s=Dist(kind="fixed", mean=1), no_answer_p=0.0, hold_p=0.0
        )
    ],
    unknown_endpoints_answer=False,
)


@contextlib.asynccontextmanager
async def platform(
    redis: aioredis.Redis, prefix: str, engine: AsyncEngine
) -> AsyncIterator[tuple[Simulator, StoreWriter, AgentActions, StreamNames]]:
    async with manual_pbx(SCENARIO) as sim:
        async with router_and_bridge(settings_for(prefix, sim.port), redis) as routing:
            streams = StreamNames(prefix)
            writer = StoreWriter(redis, engine, streams, consumer="test-writer")
            await writer.ensure_group()
            yield sim, writer, AgentActions(routing), streams


async def stored_calls(engine: AsyncEngine) -> dict[str, dict]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(Call.__table__))).mappings().all()
    return {r["queue_id"] + ":" + (r["caller"] or ""): dict(r) for r in rows}


async def test_survey_from_the_simulator_to_the_scorecard(
    redis: aioredis.Redis, prefix: str, engine: AsyncEngine
) -> None:
    async with platform(redis, prefix, engine) as (sim, writer, actions, streams):
        await actions.login("a2", ready=True)
        for queue, number in CALLERS:
            sim.call_in(QUEUES[queue], number, Device(kind="caller", label=queue, cid_name="C"))

        async def done() -> bool:
            rows = await stored_calls(engine)
            ended = [r for r in rows.values() if r["ended_at"] is not None]
            scored = [r for r in rows.values() if r["survey_reason"] is not None]
            return len(ended) == len(CALLERS) and len(scored) == 3 and not sim.engine.channels

        for step in range(3000):  # 300 simulated seconds at most
            await sim.advance(0.1)
            await asyncio.sleep(0.005)
            if step % 10 == 9:
                await writer.run_once()
                if await done():
                    break
        else:
            raise AssertionError(f"calls not all ended and surveyed: {await stored_calls(engine)}")
        events = [DomainEvent.from_fields(f) for _, f in await redis.xrange(streams.events)]
        setvars = [(f["Variable"], f["Value"]) for _, f in sim.received if f.action == "Setvar"]

    # the bridge flags every connect from the queue's setting
    assert sorted(v for n, v in setvars if n == "CC_SURVEY") == ["0", "1", "1", "1", "1"]
    surveyed = [e for e in events if e.type == "call.surveyed"]
    assert sorted((e.payload["queue"], e.payload["score"]) for e in surveyed) == [
        ("care", 2),
        ("sales", 5),
        ("sales", 5),
    ]
    assert {e.agent_id for e in surveyed} == {"a2"}
    rows = await stored_calls(engine)
    for queue, number in CALLERS:
        row = rows[f"{queue}:{number}"]
        assert row["outcome"] == "answered" and row["agent_id"] == "a2"
        # talk time ends when the agent (or the caller) hangs up: no survey in it
        assert row["talk_s"] == pytest.approx(TALK_S, abs=0.01), row
        expected_by = "customer" if queue == "complaints" else "agent"
        assert row["ended_by"] == expected_by
    assert [rows[f"sales:{n}"]["survey_score"] for q, n in CALLERS if q == "sales"] == [5, 5]
    assert rows["care:+8613800000003"]["survey_score"] == 2
    for unsurveyed in ("support:+8613800000004", "complaints:+8613800000005"):
        assert (rows[unsurveyed]["survey_score"], rows[unsurveyed]["survey_reason"]) == (None, None)

    # the scorecard: 3 scores, 2 of them 4 or 5
    arrived = min(r["arrived_at"] for r in rows.values())
    period = parse_period(arrived.strftime("%Y-%m"))
    totals, teams = await read_totals(engine, period, KpiOptions())
    assert (totals["a2"].surveys, totals["a2"].surveys_satisfied) == (3, 2)
    [card] = build_scorecards(totals, teams)
    [csat] = [k for k in card.kpis if k.kpi == "csat_pct"]
    rule = next(r for r in DEFAULT_ROLES["agent"].rules if r.kpi == "csat_pct")
    assert csat.value == pytest.approx(200 / 3)
    assert csat.score == pytest.approx(100 * (200 / 3 - rule.floor) / (rule.target - rule.floor))

    # the queue report: sales 2 of 2, care 0 of 1, support and complaints without a score
    day = arrived.date()
    report = await build_report(engine, ReportRequest("queues", day, day, "UTC"), _queue_rules())
    figures = {r["queue"]: (r["surveyed"], r["csat_pct"]) for r in report.to_dict("records")}
    assert figures["sales"] == (2, 100.0) and figures["care"] == (1, 0.0)
    assert figures["support"][0] == 0 and figures["complaints"][0] == 0


def _queue_rules() -> list[object]:
    return list(settings_for("x", 1).queues)
