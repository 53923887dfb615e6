"""Pure routing rules: steps, priorities, scores, translation, statistics (hand-computed values)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from kernel.commands import Command
from kernel.events import DomainEvent
from kernel.keys import DomainKeys
from kernel.settings import QueueConfig
from queueing.effects import join, messages, split, to_messages
from queueing.errors import CallError, RoutingConfigError
from queueing.rules import (
    build_plans,
    call_priority,
    earliest_step,
    eligibility,
    encode_eligibility,
    step_at,
    waiting_score,
)
from queueing.scripts import decode_result, script_args
from queueing.stats import day_id, expected_wait_s
from queueing.translate import parse_command_id, to_ops
from reports.definitions import abandons_against_sl, service_level_pct

BILLING = QueueConfig.model_validate(
    {
        "id": "billing",
        "skills": {"billing": 8, "chinese": 5},
        "escalation": [
            {"after": 0, "min_level": 7},
            {"after": 30, "min_level": 4},
            {"after": 90, "overflow": ["general"]},
            {"after": 120, "extra_skills": {"sales": 6}},
        ],
    }
)
GENERAL = QueueConfig.model_validate({"id": "general", "skills": {"general": 3}})
PLANS = build_plans([BILLING, GENERAL], "default")


def test_steps_are_cumulative() -> None:
    steps = PLANS["billing"].steps
    assert [s.after_s for s in steps] == [0, 30, 90, 120]
    assert steps[0].alternatives == ((("billing", 7), ("chinese", 5)),)
    assert steps[1].alternatives == ((("billing", 4), ("chinese", 4)),)
    assert set(steps[2].alternatives) == {(("billing", 4), ("chinese", 4)), (("general", 3),)}
    assert set(steps[3].alternatives) == {
        (("billing", 4), ("chinese", 4)),
        (("general", 3),),
        (("sales", 6),),
    }
    assert [s.after_s for s in PLANS["general"].steps] == [0]


@pytest.mark.parametrize(
    ("wait_s", "step"),
    [
        (0, 0),
        (29.999, 0),
        (30, 1),
        (30.001, 1),
        (89.9, 1),
        (90, 2),
        (119, 2),
        (120, 3),
        (9999, 3),
        (-5, 0),
    ],
)
def test_step_takes_effect_at_its_second(wait_s: float, step: int) -> None:
    assert step_at(PLANS["billing"], wait_s) == step


@pytest.mark.parametrize(
    ("skills", "first"),
    [
        ({"billing": 7, "chinese": 5}, 0),
        ({"billing": 10, "chinese": 10}, 0),
        ({"billing": 6, "chinese": 5}, 1),
        ({"billing": 4, "chinese": 4}, 1),
        ({"billing": 3, "chinese": 9}, None),
        ({"general": 3}, 2),
        ({"general": 2}, None),
        ({"sales": 6}, 3),
        ({"sales": 5}, None),
        ({}, None),
    ],
)
def test_earliest_step(skills: dict[str, int], first: int | None) -> None:
    assert earliest_step(skills, PLANS["billing"]) == first


def test_eligibility_encoding() -> None:
    entries = eligibility({"billing": 9, "chinese": 6, "general": 4}, PLANS.values())
    assert entries == [("billing", 0, 15, "longest_idle", 4), ("general", 0, 4, "longest_idle", 1)]
    assert encode_eligibility(entries) == '["billing",0,15,"l",4,"general",0,4,"l",1]'
    assert encode_eligibility([]) == "[]"


def test_overflow_to_unknown_or_foreign_queue_is_refused() -> None:
    a = QueueConfig.model_validate(
        {"id": "a", "domain": "east", "escalation": [{"after": 5, "overflow": ["b"]}]}
    )
    b = QueueConfig.model_validate({"id": "b", "domain": "west"})
    with pytest.raises(RoutingConfigError) as err:
        build_plans([a, b], "default")
    assert err.value.field == "queues.0.escalation.0.overflow" and err.value.value == "b"


@pytest.mark.parametrize(
    ("higher", "lower"),
    [
        (("vip", 0, 0), ("key_account", 100, 500)),
        (("key_account", 0, 0), ("ordinary", 100, 899)),
        (("ordinary", 50, 0), ("ordinary", 10, 0)),
        (("ordinary", 10, 5), ("ordinary", 10, 4)),
    ],
)
def test_tier_comes_before_queue_and_call_priority(higher: tuple, lower: tuple) -> None:
    hi = call_priority(higher[1], higher[0], higher[2])
    lo = call_priority(lower[1], lower[0], lower[2])
    assert hi > lo
    # and a higher priority is served first even when it arrived a day later
    assert waiting_score(hi, 1_760_086_400_000) < waiting_score(lo, 1_760_000_000_000)


def test_same_priority_earlier_arrival_first() -> None:
    assert waiting_score(5, 1_760_000_000_000) < waiting_score(5, 1_760_000_000_001)


def test_unknown_tier_is_a_call_error() -> None:
    ev = DomainEvent(
        id="e",
        ts=datetime(2025, 10, 9, tzinfo=UTC),
        type="call.arrived",
        call_id="c1",
        payload={"queue": "billing", "tier": "gold"},
    )
    with pytest.raises(CallError) as err:
        to_ops(ev, PLANS, lambda a: "default", ["default"])
    assert err.value.call_id == "c1" and "tier" in str(err.value)


def test_translate_arrival_and_outbound() -> None:
    at = datetime(2025, 10, 9, 8, 0, 1, 500000, tzinfo=UTC)
    ev = DomainEvent(
        id="e",
        ts=at,
        type="call.arrived",
        call_id="c1",
        payload={
            "queue": "billing",
            "tier": "vip",
            "priority": 3,
            "customer_id": 42,
            "caller": "+8613800000000",
        },
    )
    [(domain, op)] = to_ops(ev, PLANS, lambda a: "default", ["default"])
    assert domain == "default"
    assert op == {
        "op": "arrive",
        "call": "c1",
        "queue": "billing",
        "prio": 2003,
        "ts": int(at.timestamp() * 1000),
        "tier": "vip",
        "customer": "42",
        "caller": "+8613800000000",  # the wallboard's waiting list shows it masked
    }
    out = DomainEvent(
        id="e2",
        ts=at,
        type="call.arrived",
        call_id="c2",
        payload={"direction": "outbound", "queue": "billing"},
    )
    assert to_ops(out, PLANS, lambda a: "default", ["default"]) == []


@pytest.mark.parametrize(
    ("command_id", "parts"),
    [
        ("c1|connect|3", ("c1", "connect", 3)),
        ("17.5|x|y|originate|12", ("17.5|x|y", "originate", 12)),
        ("c1|connect|", None),
        ("nonsense", None),
    ],
)
def test_parse_command_id(command_id: str, parts: tuple | None) -> None:
    assert parse_command_id(command_id) == parts


def test_effects_become_events_and_commands_deterministically() -> None:
    fx = [
        {
            "e": "call.offered",
            "c": "c1",
            "a": "a1",
            "k": ["c1", "offered", 1],
            "ts": "1760000000000",
            "p": {"queue": "q", "wait_ms": "1500"},
        },
        {"cmd": "connect", "id": "c1|connect|1", "args": {"call_id": "c1", "agent_id": "a1"}},
        {
            "cmd": "announce",
            "id": "c1|announce|1",
            "args": {"call_id": "c1", "position": 3},
            "x": {"agents": 2, "handled": 4, "handle_ms": 480000},
        },
        {
            "e": "agent.logged_out",
            "c": "",
            "a": "a1",
            "k": ["a1", "logged_out", "1"],
            "ts": "1760000000000",
            "p": [],
        },
    ]
    first, second = to_messages(fx, 180.0), to_messages(fx, 180.0)
    assert first == second
    ev, connect, announce, out = first
    assert isinstance(ev, DomainEvent) and ev.payload["wait_ms"] == 1500 and ev.agent_id == "a1"
    assert ev.ts == datetime(2025, 10, 9, 8, 53, 20, tzinfo=UTC)
    assert connect == Command("c1|connect|1", "connect", {"call_id": "c1", "agent_id": "a1"})
    # 3 positions * 120 s average handle / 2 agents = 180 s
    assert isinstance(announce, Command) and announce.args["wait_s"] == 180
    assert isinstance(out, DomainEvent) and out.payload == {} and out.call_id is None


def test_script_results_decode_from_the_flat_reply_and_from_json() -> None:
    # finish (lib.lua): [result JSON, outbox id, effects] so the effects are not encoded twice
    assert decode_result(['{"errors":[1]}', "7", "[]\n[]\n[]"]) == {
        "errors": [1],
        "o": "7",
        "fx": "[]\n[]\n[]",
    }
    assert decode_result(["{}", "", ""]) == {}  # nothing to publish
    assert decode_result('{"q1":{"waiting":2}}') == {"q1": {"waiting": 2}}  # stats.lua


def test_script_args_name_the_streams_only_when_the_script_publishes() -> None:
    keys = DomainKeys("cc", "default")
    k, a = script_args(keys, 1_760_000_000_000, 5000, "20251009", "[]")
    assert k == ["cc:{default}:timers"] and len(a) == 6
    k, a = script_args(keys, 1_760_000_000_000, 5000, "20251009", "[]", ("e", "c", "router"))
    assert k == ["cc:{default}:timers", "e", "c"] and a[6] == "router"


def test_outbox_entries_split_into_stream_entries_without_decoding() -> None:
    event = [
        "id",
        "c1|offered|1",
        "ts",
        "2025-10-09T08:53:20+00:00",
        "type",
        "call.offered",
        "call_id",
        "c1",
        "agent_id",
        "a1",
        "payload",
        '{"queue":"q","wait_ms":1500}',
    ]
    command = ["id", "c1|connect|1", "kind", "connect", "args", '{"agent_id":"a1","call_id":"c1"}']
    announce = {
        "cmd": "announce",
        "id": "c1|announce|1",
        "args": {"call_id": "c1", "position": 3},
        "x": {"agents": 2, "handled": 4, "handle_ms": 480000},
    }
    data = "\n".join([json.dumps([event]), json.dumps([command]), json.dumps([announce])])
    events, commands = split(data, 180.0)
    assert json.loads(join(events)) == [event]
    [connect, ann] = json.loads(join(commands))
    assert connect == command and ann[:6] == [
        "id",
        "c1|announce|1",
        "kind",
        "announce",
        "args",
        ann[5],
    ]
    assert json.loads(ann[5])["wait_s"] == 180  # 3 positions * 120 s average handle / 2 agents
    # cjson writes an empty list as {}; nothing to publish is no fragment at all
    assert split("{}\n{}\n{}", 180.0) == ([], [])
    ev, offered, *_ = messages(data, 180.0)
    assert isinstance(ev, DomainEvent) and ev.payload == {"queue": "q", "wait_ms": 1500}
    # an entry left by an earlier router (one JSON list of effects) is still published
    legacy = [
        {
            "e": "call.offered",
            "c": "c1",
            "a": "a1",
            "k": ["c1", "offered", 1],
            "ts": "1760000000000",
            "p": {"wait_ms": "1"},
        },
        announce,
    ]
    events, commands = split(json.dumps(legacy), 180.0)
    assert [e[5] for e in json.loads(join(events))] == ["call.offered"]
    assert [c[3] for c in json.loads(join(commands))] == ["announce"]


@pytest.mark.parametrize(
    ("counts", "count_abandons", "pct"),
    [
        ((8, 10, 0, 0), True, 80.0),
        ((8, 10, 3, 1), True, 8 / 12 * 100),
        ((8, 10, 3, 1), False, 80.0),
        ((0, 0, 2, 2), True, None),
        ((0, 0, 0, 0), False, None),
    ],
)
def test_service_level(
    counts: tuple[int, int, int, int], count_abandons: bool, pct: float | None
) -> None:
    answered_sl, answered, abandoned, short = counts
    against = abandons_against_sl(abandoned, short, count_abandons)
    got = service_level_pct(answered_sl, answered, against)
    assert got == (pytest.approx(pct) if pct is not None else None)


@pytest.mark.parametrize(
    ("position", "agents", "handle_s", "wait_s"),
    [(1, 4, 240, 60), (5, 4, 240, 300), (3, 0, 100, 300), (0, 2, 100, 50)],
)
def test_expected_wait(position: int, agents: int, handle_s: float, wait_s: int) -> None:
    assert expected_wait_s(position, agents, handle_s) == wait_s


def test_day_follows_the_time_zone() -> None:
    ms = int(datetime(2025, 10, 9, 17, 30, tzinfo=UTC).timestamp() * 1000)
    assert day_id(ms, ZoneInfo("UTC")) == "20251009"
    assert day_id(ms, ZoneInfo("Asia/Shanghai")) == "20251010"
