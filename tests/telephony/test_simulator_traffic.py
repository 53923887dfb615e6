"""Traffic generation: Poisson arrivals per hour of the day, seeded behaviour, hours in milliseconds.

These drive the pure engine directly (no TCP): a tiny router in the test connects waiting
callers to free agents the way the platform does (Setvar CC_AGENT_ENDPOINT, Redirect to
cc-connect), so abandons, offer timeouts, talk, hold and wrap-up all happen.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephony.simulator.engine import Engine
from telephony.simulator.traffic import (
    AgentPhone,
    Dist,
    QueueTraffic,
    Scenario,
    ScenarioError,
    Traffic,
    next_arrival_s,
)

FLAT = [60.0] * 24  # one call a minute


@pytest.mark.parametrize(
    ("now_s", "start_hour", "rates", "u", "expected_s"),
    [
        # constant rate 60/h: the gap is -ln(u) minutes
        (0.0, 9.0, FLAT, math.exp(-1), 60.0),
        (100.0, 9.0, FLAT, math.exp(-2), 220.0),
        # no calls before 10:00, 3600/h after: from 09:30 the first call is 30 min + 1 s away
        (0.0, 9.5, [0.0] * 10 + [3600.0] * 14, math.exp(-1), 1801.0),
        # 60/h until 10:00 then 120/h; need 2 units from 09:59: 1 in the last minute, 1 in 30 s
        (0.0, 9 + 59 / 60, [60.0] * 10 + [120.0] * 14, math.exp(-2), 90.0),
    ],
)
def test_next_arrival_against_hand_computation(
    now_s: float, start_hour: float, rates: list[float], u: float, expected_s: float
) -> None:
    got = next_arrival_s(now_s, start_hour, rates, u)
    assert got is not None and math.isclose(got, expected_s, rel_tol=1e-9)


def test_no_arrivals_when_every_rate_is_zero() -> None:
    assert next_arrival_s(0.0, 0.0, [0.0] * 24, 0.5) is None


@given(st.floats(0.001, 1.0), st.floats(0.001, 1.0), st.floats(0, 23.9), st.floats(0, 1e6))
def test_next_arrival_is_monotone_in_the_draw(
    u1: float, u2: float, hour: float, now: float
) -> None:
    curve = [float(h % 7) * 10 for h in range(24)]
    a = next_arrival_s(now, hour, curve, max(u1, u2))
    b = next_arrival_s(now, hour, curve, min(u1, u2))
    assert a is not None and b is not None and now <= a <= b


def scenario(seed: int = 5) -> Scenario:
    return Scenario(
        seed=seed,
        queues=[
            QueueTraffic(
                queue="sales",
                did="5000",
                calls_per_hour=120,
                patience_s=Dist(kind="exponential", mean=60),
                talk_s=Dist(kind="uniform", low=60, high=240),
                key_account_share=0.3,
                vip_share=0.1,
            ),
            QueueTraffic(queue="support", did="5001", calls_per_hour=60),
        ],
        agents=[
            AgentPhone(agent_id=str(n), no_answer_p=0.2, hold_p=0.5, hold_s=Dist(mean=10))
            for n in range(1001, 1007)
        ],
        key_account_numbers=["+8613800000001", "+8613800000002"],
        vip_numbers=["+8613900000001"],
    )


class Router:
    """What the platform does, minimally: first waiting caller to the first free agent."""

    def __init__(self, engine: Engine, agents: list[str]) -> None:
        self.engine = engine
        self.free = list(agents)
        self.busy: dict[str, str] = {}  # caller channel -> agent id

    def step(self) -> None:
        for caller, agent in list(self.busy.items()):
            ch = self.engine.channels.get(caller)
            if ch is None or ch.context == "cc-hold":  # call over, or the offer timed out
                del self.busy[caller]
                self.free.append(agent)
        waiting = sorted(
            (c for c in self.engine.channels.values() if c.context == "cc-hold" and c.moh_on),
            key=lambda c: c.created_at,
        )
        for ch in waiting:
            if not self.free or ch.name in self.busy:
                continue
            agent = self.free.pop(0)
            self.busy[ch.name] = agent
            self.engine.set_var(ch, "CC_AGENT_ENDPOINT", f"PJSIP/{agent}")
            self.engine.set_var(ch, "CC_RING_TIMEOUT_S", "10")
            self.engine.redirect(ch, "cc-connect", agent, 1)


def run(seed: int, hours: float) -> tuple[Engine, list[list[tuple[str, str]]]]:
    traffic = Traffic(scenario(seed))
    engine = Engine(traffic.dialplan(), phonebook=traffic.phonebook, seed=seed)
    traffic.attach(engine)
    router = Router(engine, [a.agent_id for a in traffic.scenario.agents])
    frames: list[list[tuple[str, str]]] = []
    for second in range(int(hours * 3600)):
        engine.advance_to(float(second))
        router.step()
        frames += [o.pairs for o in engine.take_output()]
    return engine, frames


def test_same_seed_same_calls_other_seed_other_calls() -> None:
    _, a = run(11, 0.25)
    _, b = run(11, 0.25)
    _, c = run(12, 0.25)
    assert a == b
    assert a != c


def test_two_hours_of_traffic_cover_every_outcome() -> None:
    engine, frames = run(5, 2.0)
    events = [dict(f) for f in frames]
    arrived = [e for e in events if e["Event"] == "Newchannel" and e["Context"] == "cc-inbound"]
    # 180 calls/h expected over 2 h: Poisson, so allow a wide band
    assert 250 < len(arrived) < 470
    by_queue = Counter(
        e["Value"] for e in events if e["Event"] == "VarSet" and e["Variable"] == "CC_QUEUE"
    )
    assert by_queue["sales"] > by_queue["support"] > 0
    numbers = Counter(e["CallerIDNum"] for e in arrived)
    assert numbers["+8613800000001"] + numbers["+8613800000002"] > 20  # key accounts
    assert numbers["+8613900000001"] > 5  # VIP
    abandoned = [
        e
        for e in events
        if e["Event"] == "Hangup"
        and e["Context"] == "cc-hold"
        and e["Channel"].startswith("PJSIP/trunk-")
    ]
    assert abandoned, "impatient callers hang up while holding"
    dial_ends = Counter(e["DialStatus"] for e in events if e["Event"] == "DialEnd")
    assert dial_ends["ANSWER"] > 100 and dial_ends["NOANSWER"] > 10
    assert any(e["Event"] == "Hold" for e in events) and any(e["Event"] == "Unhold" for e in events)
    wrapups = [e for e in events if e["Event"] == "UserEvent" and e["UserEvent"] == "CcWrapUp"]
    assert len(wrapups) > 100 and all(10 <= float(e["WrapUpS"]) <= 40 for e in wrapups)
    # every channel that hung up had been created, and nothing leaks: only live calls remain
    created = {e["Channel"] for e in events if e["Event"] == "Newchannel"}
    ended = {e["Channel"] for e in events if e["Event"] == "Hangup"}
    assert ended <= created
    assert created - ended == set(engine.channels)
    assert len(engine.channels) < 40


def test_scenario_toml_round_trip_and_errors_name_the_field(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(
        """
seed = 9
[[queues]]
queue = "sales"
did = "5000"
daily_curve = [0,0,0,0,0,0,0,10,60,120,120,90,60,90,120,120,90,60,20,0,0,0,0,0]
patience_s = { kind = "exponential", mean = 90 }
[[agents]]
agent_id = "1001"
no_answer_p = 0.1
""",
        encoding="utf-8",
    )
    s = Scenario.from_toml(good.read_text(encoding="utf-8"))
    assert s.seed == 9 and s.queues[0].hourly_rates()[9] == 120
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[queues]]\nqueue = "sales"\ndid = "5000"\ndaily_curve = [1, 2]\n', encoding="utf-8"
    )
    with pytest.raises(ScenarioError) as err:
        Scenario.from_toml(bad.read_text(encoding="utf-8"))
    assert err.value.field.startswith("queues.0")
    worse = tmp_path / "worse.toml"
    worse.write_text("[outbound]\nanswer_p = 0.9\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="outbound"):
        Scenario.from_toml(worse.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("dist", "mean"),
    [
        (Dist(kind="fixed", mean=30), 30),
        (Dist(kind="exponential", mean=120), 120),
        (Dist(kind="uniform", low=10, high=40), 25),
        (Dist(kind="lognormal", mean=180, sd=90), 180),
    ],
)
def test_distributions_have_the_stated_mean(dist: Dist, mean: float) -> None:
    import random

    rng = random.Random(1)
    samples = [dist.sample(rng) for _ in range(20000)]
    assert min(samples) >= 0
    assert math.isclose(sum(samples) / len(samples), mean, rel_tol=0.03)


def test_the_example_scenario_file_parses() -> None:
    path = Path(__file__).parents[2] / "telephony" / "simulator" / "scenario.example.toml"
    s = Scenario.from_toml(path.read_text(encoding="utf-8"), str(path))
    assert [q.queue for q in s.queues] == ["sales", "support"]
    assert s.queues[0].hourly_rates()[10] == 130 and s.agents[0].dial_string == "PJSIP/1001"


def test_originate_response_comes_before_or_after_the_dialplan_like_real_asterisk() -> None:
    from telephony.simulator.dialplan import capture_dialplan
    from telephony.simulator.model import OriginateJob
    from telephony.simulator.originate import originate

    engine = Engine(capture_dialplan(), seed=3)
    for n in range(12):
        job = OriginateJob(
            action_id=f"o{n}",
            session_id=None,
            dial_string=f"Local/1555123{n:04d}@sim-caller",
            context="cc-inbound",
            exten="5000",
            priority=1,
            application="",
            data="",
            cid_num=f"1555123{n:04d}",
            cid_name="X",
            timeout_s=30,
            variables=[],
        )
        originate(engine, job)
        engine.advance_to(engine.now_s + 1)
    frames = [dict(o.pairs) for o in engine.take_output()]
    orders = set()
    for n in range(12):
        response = next(i for i, f in enumerate(frames) if f.get("ActionID") == f"o{n}")
        channel = frames[response]["Channel"]
        moh = next(
            i
            for i, f in enumerate(frames)
            if f["Event"] == "MusicOnHoldStart" and f["Channel"] == channel
        )
        orders.add(response < moh)
    assert orders == {True, False}
