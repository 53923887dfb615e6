"""A login's reconcile: the snapshot read the way real Asterisk 22 lists it (captures 16, 17:
``(null)`` for unset variables, Local halves in any order), and the rules that end, keep or
backfill calls (``telephony.reconcile``), checked against values written by hand."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kernel.events import make_event_id
from telephony.ami_frames import Frame
from telephony.captures import capture_frames
from telephony.cdr import CdrCall
from telephony.reconcile import Gap, KnownCall, merge_known, plan
from telephony.translator import new_state, translate

REAL = Path(__file__).parents[1] / "fixtures" / "ami" / "real-asterisk"
NOW = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)


def snapshot(name: str, action_id: str) -> list[Frame]:
    """A list action of a capture (the action sent, its response, items, completion)."""
    frames = capture_frames((REAL / name).read_bytes())
    return [f for f in frames if f.action_id == action_id]


def translate_all(frames: list[Frame]) -> tuple[object, list]:
    state, events = new_state(), []
    for f in frames:
        state, got = translate(state, f, NOW)
        events += got
    return state, events


# --- capture 16: (null) and the order of Status items ----------------------------------------

ALICE = "1796648777.0"  # holding in cc-hold, DID 5000 (sales)
BOB = "1796648777.2"  # connected to Local/1001@sim-agent (support)


def test_null_is_an_unset_variable_not_a_call_id() -> None:
    """A bridge that starts while Alice holds and Bob talks (capture 16's Status with
    Variables): two calls under their Linkedids, Bob answered by 1001; ``(null)`` is nobody."""
    frames = snapshot("16-status-variables-null-and-local-pair-order.ami", "cc-6")
    assert sum("=(null)" in v for f in frames for k, v in f.pairs if k == "Variable") > 10
    state, events = translate_all(frames)
    assert [(e.type, e.call_id, e.agent_id) for e in events] == [
        ("call.arrived", BOB, None),
        ("call.answered", BOB, "1001"),
        ("call.arrived", ALICE, None),
    ]
    assert {e.id for e in events} == {
        make_event_id(BOB, "arrived"),
        make_event_id(BOB, "answered"),
        make_event_id(ALICE, "arrived"),
    }
    alice = next(e for e in events if e.call_id == ALICE)
    assert alice.payload["queue"] == "sales" and alice.payload["customer_id"] == "cust-15551230101"
    assert state.calls[BOB].queue == "support" and state.calls[BOB].agent_id == "1001"
    assert "(null)" not in state.present_ids() and "(null)" not in state.aliases.values()


def test_the_order_of_status_items_does_not_matter() -> None:
    frames = snapshot("16-status-variables-null-and-local-pair-order.ami", "cc-6")
    head, items, tail = frames[:2], frames[2:-1], frames[-1:]
    assert [f["Channel"][-2:] for f in items] == [";1", ";2", ";1", ";2", ";2", ";1"]
    _, want = translate_all(frames)
    want_ids = sorted(e.id for e in want)
    orders = list(itertools.permutations(items))
    for order in random.Random(16).sample(orders, 60) + [tuple(reversed(items))]:
        state, got = translate_all([*head, *order, *tail])
        assert sorted(e.id for e in got) == want_ids
        assert set(state.calls) == {ALICE, BOB}


# --- capture 17: a fresh login after a restart sees only the live channels -------------------

ERIN = "1796648788.12"  # holding
FRANK = "1796648788.14"  # connected to 1004
CAROL = "1796648788.6"  # gave up while the old bridge was gone (not in the file)
DAN = "1796648788.8"  # talked to 1003, who hung up (not in the file)


def test_a_fresh_login_ends_what_ended_and_keeps_what_lives() -> None:
    state, events = translate_all(snapshot("17-fresh-login-resync-after-restart.ami", "cc-2"))
    assert events == []  # CoreShowChannels has no variables: nothing to queue from it
    present = state.present_ids()
    assert {ERIN, FRANK} <= present and not {CAROL, DAN} & present
    known = {
        CAROL: KnownCall(CAROL, queue="sales", arrived_at=NOW - timedelta(seconds=9)),
        DAN: KnownCall(DAN, queue="sales", answered=True, agent_id="1003"),
        ERIN: KnownCall(ERIN, queue="sales"),
        FRANK: KnownCall(FRANK, queue="complaints", answered=True, agent_id="1004"),
    }
    gap = Gap("pbx:5038", NOW - timedelta(seconds=2), NOW)
    result = plan(known, present, gap, {}, set(), NOW)
    assert [(e.type, e.call_id, e.agent_id) for e in result.events] == [
        ("telephony.gap", None, None),
        ("call.abandoned", CAROL, None),
        ("call.ended", CAROL, None),
        ("call.ended", DAN, "1003"),
    ]
    assert result.ended_by_guess == [CAROL, DAN]


# --- the rules ----------------------------------------------------------------------------


GAP = Gap("10.0.0.5:5038", datetime(2026, 12, 7, 11, 58, 0, tzinfo=UTC), NOW)


def cdr_call(call_id: str, **kw: object) -> CdrCall:
    values: dict[str, object] = {
        "call_id": call_id,
        "uniqueid": call_id,
        "direction": "inbound",
        "queue": "sales",
        "caller": "13800000001",
        "caller_name": "Li",
        "dialled": "5000",
        "channel": "PJSIP/trunk-0000002a",
        "arrived_at": GAP.from_at + timedelta(seconds=10),
        "ended_at": GAP.from_at + timedelta(seconds=70),
        "agent_id": None,
        "answered_at": None,
    }
    values.update(kw)
    return CdrCall(**values)  # type: ignore[arg-type]


def test_the_gap_is_an_event_with_its_bounds() -> None:
    [event] = plan({}, set(), GAP, {}, set(), NOW).events
    assert event.type == "telephony.gap" and event.ts == NOW
    assert event.payload == {
        "source": "10.0.0.5:5038",
        "from_at": "2026-12-07T11:58:00+00:00",
        "to_at": "2026-12-07T12:00:00+00:00",
    }
    assert plan({}, set(), GAP, {}, set(), NOW).events[0].id == event.id  # once


def test_a_guess_is_dated_at_the_gaps_end_with_its_bounds() -> None:
    waiting = KnownCall("c1", queue="sales", arrived_at=GAP.from_at - timedelta(seconds=30))
    events = plan({"c1": waiting}, set(), GAP, {}, set(), NOW).events[1:]
    assert [(e.type, e.ts, e.id) for e in events] == [
        ("call.abandoned", NOW, make_event_id("c1", "abandoned")),
        ("call.ended", NOW, make_event_id("c1", "ended")),
    ]
    abandoned, ended = events
    assert abandoned.payload == {
        "queue": "sales",
        "wait_s": 150.0,
        "reason": "gap",
        "gap_from_at": "2026-12-07T11:58:00+00:00",
        "gap_to_at": "2026-12-07T12:00:00+00:00",
    }
    assert ended.payload["answered"] is False and ended.payload["reason"] == "gap"


def test_an_offered_call_is_abandoned_and_an_outbound_one_only_ends() -> None:
    offered = KnownCall("c1", queue="sales", agent_id="1001")  # offered to 1001, not answered
    outbound = KnownCall("o1", direction="outbound", agent_id="1002")
    events = plan({"c1": offered, "o1": outbound}, set(), GAP, {}, set(), NOW).events[1:]
    assert [(e.type, e.call_id, e.agent_id) for e in events] == [
        ("call.abandoned", "c1", None),
        ("call.ended", "c1", None),
        ("call.ended", "o1", None),
    ]


def test_the_cdr_tells_how_a_known_call_ended() -> None:
    """The platform had c1 waiting (offered to 1001); the CDR says 1001 answered it and it
    ended at +70 s: answered then ended, at the CDR's times, with the ids of the guesses."""
    known = {"c1": KnownCall("c1", queue="sales", agent_id="1001")}
    cdr = {"c1": cdr_call("c1", agent_id="1001", answered_at=GAP.from_at + timedelta(seconds=15))}
    result = plan(known, set(), GAP, cdr, set(), NOW)
    events = result.events[1:]
    assert [(e.type, e.ts - GAP.from_at, e.agent_id) for e in events] == [
        ("call.answered", timedelta(seconds=15), "1001"),
        ("call.ended", timedelta(seconds=70), "1001"),
    ]
    assert events[1].id == make_event_id("c1", "ended")  # replaces a guess of the same id
    assert all(e.payload["reason"] == "backfilled" for e in events)
    assert events[0].payload["wait_s"] == 5.0
    assert result.ended_by_cdr == ["c1"] and result.ended_by_guess == []


def test_an_answer_the_platform_saw_is_not_repeated() -> None:
    known = {"c1": KnownCall("c1", queue="sales", answered=True, agent_id="1001")}
    cdr = {"c1": cdr_call("c1", agent_id="1001", answered_at=GAP.from_at)}
    events = plan(known, set(), GAP, cdr, set(), NOW).events[1:]
    assert [(e.type, e.agent_id, e.payload["answered"]) for e in events] == [
        ("call.ended", "1001", True)
    ]


def test_a_call_inside_the_gap_is_backfilled_whole_end_first() -> None:
    cdr = {
        "n1": cdr_call("n1", agent_id="1003", answered_at=GAP.from_at + timedelta(seconds=20)),
        "n2": cdr_call("n2", arrived_at=GAP.from_at + timedelta(seconds=5)),
    }
    result = plan({}, set(), GAP, cdr, set(), NOW)
    assert result.backfilled == ["n2", "n1"]  # by arrival
    assert [(e.type, e.call_id) for e in result.events[1:]] == [
        ("call.abandoned", "n2"),
        ("call.ended", "n2"),
        ("call.arrived", "n2"),
        ("call.answered", "n1"),
        ("call.ended", "n1"),
        ("call.arrived", "n1"),
    ]
    arrived = result.events[-1]
    assert arrived.ts == GAP.from_at + timedelta(seconds=10)
    assert arrived.payload["queue"] == "sales" and arrived.payload["caller"] == "13800000001"
    assert arrived.payload["reason"] == "backfilled" and arrived.id == make_event_id(
        "n1", "arrived"
    )


def test_backfill_skips_what_is_live_stored_or_outbound() -> None:
    cdr = {
        "live": cdr_call("live"),
        "stored": cdr_call("stored"),
        "out": cdr_call("out", direction="outbound", queue=None),
    }
    result = plan({}, {"live"}, GAP, cdr, {"stored"}, NOW)
    assert result.backfilled == [] and len(result.events) == 1


def test_present_calls_are_left_alone() -> None:
    known = {"c1": KnownCall("c1", queue="sales"), "c2": KnownCall("c2", answered=True)}
    result = plan(known, {"c1", "c2"}, GAP, {}, set(), NOW)
    assert [e.type for e in result.events] == ["telephony.gap"]


def test_no_gap_on_a_first_start_but_calls_still_end() -> None:
    result = plan({"c1": KnownCall("c1", answered=True)}, set(), None, {}, set(), NOW)
    [ended] = result.events
    assert ended.ts == NOW and ended.payload["gap_from_at"] is None


def test_sources_merge_answered_wins_earliest_arrival() -> None:
    t = NOW - timedelta(minutes=5)
    merged = merge_known(
        [KnownCall("c1", queue="sales", arrived_at=t + timedelta(seconds=3))],
        [KnownCall("c1", answered=True, agent_id="1001", arrived_at=t)],
    )
    assert merged["c1"] == KnownCall(
        "c1", queue="sales", answered=True, agent_id="1001", arrived_at=t
    )
