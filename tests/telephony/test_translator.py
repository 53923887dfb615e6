"""The translator replayed over every capture: the domain events a person reading it expects
(the tables: ``callcenter_testkit.capture_tables``)."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from callcenter_testkit.capture_tables import AMI, C04, C07, DAVE, ERIN, EXPECTED, REAL, T0, replay

from kernel.events import make_event_id
from telephony.ami_frames import Frame
from telephony.captures import capture_frames
from telephony.reconcile import end_by_guess, known_from_memory
from telephony.translator import TranslatorState, new_state, translate


def test_every_capture_has_a_table() -> None:
    files = {p.name for p in REAL.glob("*.ami")} | {p.name for p in AMI.glob("*.txt")}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_capture_translates_to_expected_events(name: str) -> None:
    path = REAL / name if name.endswith(".ami") else AMI / name
    state, events = replay(path)
    got = [(e.type, e.call_id, e.agent_id, e.payload) for e in events]
    assert got == EXPECTED[name]
    assert state.calls == {}  # every call that started also ended
    ids = [e.id for e in events]
    assert len(set(ids)) == len(ids)
    # deterministic: a second replay gives the same ids
    assert [e.id for e in replay(path)[1]] == ids
    assert all(e.ts.tzinfo is not None for e in events)


DIAL_VARS = [
    "DIALSTATUS",
    "DIALEDPEERNUMBER",
    "DIALEDPEERNAME",
    "ANSWEREDTIME",
    "ANSWEREDTIME_MS",
    "DIALEDTIME",
    "DIALEDTIME_MS",
    "RINGTIME",
    "RINGTIME_MS",
    "PROGRESSTIME",
    "PROGRESSTIME_MS",
]


def test_unregistered_endpoint_shows_only_dialstatus_right_after_the_dial() -> None:
    """Capture 18: Dial(PJSIP/1002,15) to an endpoint with no contact. No channel is created
    and no Dial event comes at all: the Dial's Newexten is followed by its variables cleared,
    then ``DIALSTATUS=CHANUNAVAIL`` (about 1 ms after the Dial started, by the README's receive
    times); the dialplan then goes back to holding. The translator ends the offer on that very
    frame (``call.connect_failed``), before the caller's music starts again."""
    frames = [
        f
        for f in capture_frames(
            (REAL / "18-redirect-to-unregistered-pjsip-chanunavail.ami").read_bytes()
        )
        if f.action is None
    ]
    dial = next(
        i for i, f in enumerate(frames) if f.event == "Newexten" and f["Application"] == "Dial"
    )
    # (the Dial events before are the Originate of the simulated caller phone's Local pair)
    assert not {"DialBegin", "DialState", "DialEnd"} & {f.event for f in frames[dial:]}
    assert not [f for f in frames if f.event == "Newchannel" and "PJSIP/" in f["Channel"]]
    assert frames[dial]["AppData"] == "PJSIP/1002,15"
    after = frames[dial + 1 : dial + 13]
    assert [(f["Variable"], f["Value"]) for f in after] == [
        *((name, "") for name in DIAL_VARS),
        ("DIALSTATUS", "CHANUNAVAIL"),
    ]
    caller = frames[dial]["Channel"]
    assert {f["Channel"] for f in after} == {caller}
    music = next(i for i, f in enumerate(frames) if i > dial and f.event == "MusicOnHoldStart")
    state, found_at = new_state(), None
    for i, f in enumerate(frames):
        state, events = translate(state, f, T0)
        if any(e.type == "call.connect_failed" for e in events):
            found_at = i
    assert found_at == dial + 12 < music  # the CHANUNAVAIL VarSet itself


def test_a_dial_answered_or_cancelled_is_no_failed_connect() -> None:
    """Only statuses that say the phone could not be dialled end an offer: the DIALSTATUS of an
    answered dial (04), of a ring timeout (06: NOANSWER, the router's own timer), of a Redirect
    away from a ringing phone (CANCEL) give no ``call.connect_failed``."""
    for name in ("04-inbound-answered.ami", "06-redirect-noanswer-then-second-agent.ami"):
        _, events = replay(REAL / name)
        assert "call.connect_failed" not in [e.type for e in events]
    call = _connect_call()
    for status in ("NOANSWER", "CANCEL", "ANSWER", ""):
        state, events = translate(call, _dialstatus(status), T0)
        assert events == []
    for status in ("CHANUNAVAIL", "CONGESTION", "BUSY"):
        state, events = translate(call, _dialstatus(status), T0)
        assert [(e.type, e.agent_id, e.payload) for e in events][-1:] == [
            ("call.connect_failed", "1002", {"agent_id": "1002", "dial_status": status})
        ]
        assert state.calls["9.1"].target_agent_id is None  # a next connect names its agent


def _channel(**extra: str) -> list[tuple[str, str]]:
    return [
        ("Channel", "PJSIP/trunk-00000001"),
        ("Context", "cc-connect"),
        ("Exten", "1002"),
        ("Uniqueid", "9.1"),
        ("Linkedid", "9.1"),
        *extra.items(),
    ]


def _dialstatus(status: str) -> Frame:
    return Frame([("Event", "VarSet"), *_channel(), ("Variable", "DIALSTATUS"), ("Value", status)])


def _connect_call() -> TranslatorState:
    """An inbound caller (queue sales) Redirected to cc-connect for agent 1002."""
    state = new_state()
    for frame in (
        Frame(
            [
                ("Event", "VarSet"),
                *_channel(Context="cc-inbound"),
                ("Variable", "CC_QUEUE"),
                ("Value", "sales"),
            ]
        ),
        Frame([("Event", "VarSet"), *_channel(), ("Variable", "CC_AGENT"), ("Value", "1002")]),
    ):
        state, _ = translate(state, frame, T0)
    return state


def test_a_callbacks_dial_names_the_callers_call_in_every_event() -> None:
    """The Originate of a callback's dial carries CC_ORIGIN_CALL_ID: each event of that call
    (originated, answered, ended, failed) has ``origin_call_id`` in its payload."""
    originate = Frame(
        [
            ("Action", "Originate"),
            ("ActionID", "d-1"),
            ("Channel", "PJSIP/+8613800000001@trunk"),
            ("Context", "cc-connect"),
            ("Exten", "1001"),
            ("Variable", "CC_CALL_ID=in1-cb"),
            ("Variable", "CC_AGENT_ENDPOINT=PJSIP/1001"),
            ("Variable", "CC_ORIGIN_CALL_ID=in1"),
        ]
    )
    state, _ = translate(new_state(), originate, T0)
    failed = Frame(
        [
            ("Event", "OriginateResponse"),
            ("ActionID", "d-1"),
            ("Response", "Failure"),
            ("Channel", "PJSIP/+8613800000001@trunk"),
            ("Context", "cc-connect"),
            ("Exten", "1001"),
            ("Reason", "5"),
            ("Uniqueid", "<unknown>"),
        ]
    )
    _, events = translate(state, failed, T0)
    assert [(e.type, e.call_id, e.payload["origin_call_id"]) for e in events] == [
        ("call.failed", "in1-cb", "in1")
    ]
    answered = Frame(
        [
            ("Event", "OriginateResponse"),
            ("ActionID", "d-1"),
            ("Response", "Success"),
            ("Channel", "PJSIP/trunk-00000003"),
            ("Context", "cc-connect"),
            ("Exten", "1001"),
            ("Reason", "4"),
            ("Uniqueid", "7.3"),
        ]
    )
    state, events = translate(state, answered, T0)
    assert [(e.type, e.call_id, e.payload["origin_call_id"]) for e in events] == [
        ("call.originated", "in1-cb", "in1")
    ]
    hangup = Frame(
        [
            ("Event", "Hangup"),
            ("Channel", "PJSIP/trunk-00000003"),
            ("Uniqueid", "7.3"),
            ("Linkedid", "7.3"),
            ("Cause", "16"),
        ]
    )
    _, events = translate(state, hangup, T0)
    assert [(e.type, e.payload["origin_call_id"]) for e in events] == [("call.ended", "in1")]


def test_event_ids_derive_from_linkedid_and_transition() -> None:
    _, events = replay(REAL / "04-inbound-answered.ami")
    assert [e.id for e in events] == [
        make_event_id(C04, "arrived"),
        make_event_id(C04, "answered"),
        make_event_id(C04, "ended"),
    ]


def test_frame_timestamp_is_used_when_present() -> None:
    """With timestampevents=yes every event carries ``Timestamp:``; wait_s comes from it."""
    frames = capture_frames((REAL / "05-inbound-abandoned-while-holding.ami").read_bytes())
    state, events = new_state(), []
    for f in frames:
        ts = "1795381488.500000" if f.event in ("HangupRequest", "Hangup") else "1795381476.25"
        if f.event:
            f = Frame([*f.pairs[:2], ("Timestamp", ts), *f.pairs[2:]])
        state, got = translate(state, f, T0)
        events += got
    abandoned = next(e for e in events if e.type == "call.abandoned")
    assert abandoned.payload["wait_s"] == 12.25
    assert abandoned.ts == datetime.fromtimestamp(1795381488.5, UTC)


def test_input_state_is_never_modified() -> None:
    state = new_state()
    for f in capture_frames((REAL / "15-agent-attended-transfer.ami").read_bytes()):
        before = copy.deepcopy(state)
        new, _ = translate(state, f, T0)
        assert state == before
        state = new


def test_unrelated_frame_returns_same_state_object() -> None:
    state = new_state()
    same, events = translate(state, Frame.of(Event="DeviceStateChange", State="INUSE"), T0)
    assert same is state and events == []


# --- resynchronisation ------------------------------------------------------------------------


def _status_with_variables() -> list[Frame]:
    """File 11's full Status list as ``Status`` with ``Variables: CC_QUEUE,...`` returns it.

    The variable lines use the format of the single-channel Status (cc-7) in the same file, the
    values its Getvar answers and VarSet events show.
    """
    frames = capture_frames((REAL / "11-coreshowchannels-status.ami").read_bytes())
    values = {
        "1795381530.22": {"CC_QUEUE": "sales", "CC_CUSTOMER_ID": "cust-15551230010"},
        "1795381530.24": {
            "CC_QUEUE": "support",
            "CC_CUSTOMER_ID": "cust-15551230011",
            "CC_AGENT": "1003",
        },
    }
    out = [
        Frame.of(
            Action="Status",
            ActionID="rs-1",
            Variables="CC_QUEUE,CC_CUSTOMER_ID,CC_AGENT,CC_CALL_ID",
        )
    ]
    for f in frames:
        if f.event == "Status" and f.action_id == "cc-6":
            var = values.get(f["Uniqueid"], {})
            names = ("CC_QUEUE", "CC_CUSTOMER_ID", "CC_AGENT", "CC_CALL_ID")
            pairs = [p for p in f.pairs if p[0] != "ActionID"]
            pairs += [("Variable", f"{n}={var.get(n, '')}") for n in names]
            out.append(Frame([*pairs, ("ActionID", "rs-1")]))
    out.append(
        Frame.of(
            Event="StatusComplete", ActionID="rs-1", EventList="Complete", ListItems="6", Items="6"
        )
    )
    return out


def test_resync_discovers_live_calls_with_the_live_ids() -> None:
    _, live = replay(REAL / "11-coreshowchannels-status.ami")
    state, events = new_state(), []
    for f in _status_with_variables():
        state, got = translate(state, f, T0)
        events += got
    assert [(e.type, e.call_id, e.agent_id) for e in events] == [
        ("call.arrived", DAVE, None),
        ("call.arrived", ERIN, None),
        ("call.answered", ERIN, "1003"),
    ]
    live_ids = {e.id for e in live}
    assert {e.id for e in events} <= live_ids
    assert events[0].payload["queue"] == "sales" and events[0].payload["caller"] == "15551230010"
    # Status says "Seconds: 3": the call is dated back
    assert events[0].ts == T0 - timedelta(seconds=3)
    assert state.calls[ERIN].agent_channel == "Local/1003@sim-agent-0000000d;1"
    # the same snapshot again changes nothing
    for f in _status_with_variables():
        state, got = translate(state, f, T0)
        assert got == []


def test_resync_hands_over_calls_that_vanished() -> None:
    frames = capture_frames((REAL / "11-coreshowchannels-status.ami").read_bytes())
    cut = next(i for i, f in enumerate(frames) if f.action == "Hangup")
    state, live = new_state(), []
    for f in frames[:cut]:
        state, live_part = translate(state, f, T0)
        live += live_part
    assert set(state.calls) == {DAVE, ERIN}
    _, full = replay(REAL / "11-coreshowchannels-status.ami")
    # reconnect: the hangups happened while we were away; an empty CoreShowChannels list
    events = []
    for f in [
        Frame.of(Action="CoreShowChannels", ActionID="rs-2"),
        Frame.of(
            Response="Success", ActionID="rs-2", EventList="start", Message="Channels will follow"
        ),
        Frame.of(
            Event="CoreShowChannelsComplete", ActionID="rs-2", EventList="Complete", ListItems="0"
        ),
    ]:
        state, got = translate(state, f, T0)
        events += got
    # the translator does not guess how they ended: it hands them to the reconcile rules
    assert events == []
    assert state.calls == {}
    assert [(c.call_id, c.answered) for c in state.vanished] == [(DAVE, False), (ERIN, True)]
    ended = [
        e
        for call in known_from_memory(state.vanished)
        for e in end_by_guess(call, None, T0)
        if e.type == "call.ended"
    ]
    full_ended = {e.id for e in full if e.type == "call.ended"}
    assert {e.id for e in ended} == full_ended  # the ids the live ends had


# --- the agent's wrap-up report (the simulator's UserEvent: CcWrapUp) --------------------------


def wrap_up(linkedid: str, uid: str, agent: str = "1001", **extra: str) -> Frame:
    """As the PBX simulator writes it (telephony/simulator/engine.py ``_wrap_up_done``)."""
    pairs = [
        ("Event", "UserEvent"),
        ("Privilege", "user,all"),
        ("UserEvent", "CcWrapUp"),
        ("Agent", agent),
        ("Uniqueid", uid),
        ("Linkedid", linkedid),
        ("WrapUpS", "25"),
        ("Disposition", "resolved"),
    ]
    return Frame([(k, extra.get(k, v)) for k, v in pairs])


def test_wrap_up_report_after_the_call_ended_is_call_wrapped() -> None:
    state, _ = replay(REAL / "04-inbound-answered.ami")
    assert state.calls == {}  # the call ended before the agent finished the wrap-up
    state, events = translate(state, wrap_up(C04, "1795381468.2"), T0)
    assert [(e.type, e.call_id, e.agent_id, e.payload) for e in events] == [
        ("call.wrapped", C04, "1001", {"disposition": "resolved", "wrap_s": 25.0, "by": "agent"})
    ]
    assert events[0].id == make_event_id(C04, "wrapped", "1795381468.2")
    # a replay of the same report gives the same id (the store keeps one)
    assert translate(state, wrap_up(C04, "1795381468.2"), T0)[1][0].id == events[0].id


def test_wrap_up_of_an_outbound_call_uses_the_platform_call_id() -> None:
    state = replace(new_state(), aliases={C07: "out-7"})
    _, events = translate(state, wrap_up(C07, "1795381510.14", agent="1002"), T0)
    assert [(e.type, e.call_id, e.agent_id) for e in events] == [("call.wrapped", "out-7", "1002")]


@pytest.mark.parametrize(
    "frame",
    [
        Frame.of(Event="UserEvent", UserEvent="AgentLogin", Agent="1001", Linkedid=C04),
        wrap_up(C04, "1795381468.2", Agent=""),
        wrap_up("", "", Linkedid=""),
    ],
)
def test_other_user_events_change_nothing(frame: Frame) -> None:
    state = new_state()
    same, events = translate(state, frame, T0)
    assert same is state and events == []


# --- the pure modules stay pure ----------------------------------------------------------------
