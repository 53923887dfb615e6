"""The translator replayed over every capture: the domain events a person reading it expects.

Expected tables were written from the captures (tests/fixtures/ami/real-asterisk/README.md and the
frames themselves), not copied from the code's output. ``now`` during the replay is the time of
the last action sent (the ``>>> SENT +x.xxxs`` lines), so wait times are readable in the files.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kernel.events import make_event_id
from telephony.ami_frames import Frame, parse_frames
from telephony.captures import capture_frames, split_capture
from telephony.reconcile import end_by_guess, known_from_memory
from telephony.translator import TranslatorState, new_state, translate

AMI = Path(__file__).parents[1] / "fixtures" / "ami"
REAL = AMI / "real-asterisk"
T0 = datetime(2026, 11, 22, 21, 4, 25, tzinfo=UTC)


def replay(path: Path, state: TranslatorState | None = None) -> tuple[TranslatorState, list]:
    state = state or new_state()
    events: list = []
    now = T0
    rest = b""
    for chunk in split_capture(path.read_bytes()):
        if chunk.direction == "sent":
            now = T0 + timedelta(seconds=chunk.at_s or 0.0)
            frames, _, _ = parse_frames(chunk.data)
        else:
            frames, rest, _ = parse_frames(rest + chunk.data)
        for frame in frames:
            state, got = translate(state, frame, now)
            events += got
    return state, events


def ended(who: str, cause: str, txt: str, answered: bool) -> dict[str, Any]:
    return {"who": who, "cause": cause, "cause_txt": txt, "answered": answered}


def arrived(caller: str, name: str, did: str, queue: str, chan: str) -> dict[str, Any]:
    return {
        "direction": "inbound",
        "caller": caller,
        "caller_name": name,
        "dialled": did,
        "queue": queue,
        "customer_id": f"cust-{caller}",
        "channel": f"Local/{caller}@sim-caller-{chan};1",
    }


def failed(number: str, reason: str, code: str) -> dict[str, Any]:
    return {
        "direction": "outbound",
        "number": number,
        "agent_id": "1001",
        "reason": reason,
        "reason_code": code,
    }


NORMAL = ("16", "Normal Clearing")
C04, C05, C06, C07 = "1795381465.0", "1795381476.4", "1795381484.6", "1795381506.12"
DAVE, ERIN, C12, C13 = "1795381530.22", "1795381530.24", "1795381536.28", "1795381542.30"
C14, C15 = "1795381558.40", "1795381572.44"
C18, C19, C20, C21 = "1796648815.20", "1796648830.22", "1796648842.25", "1796648857.29"
C22, C25 = "1796648945.45", "1796649076.85"
C16A, C16B, C24N, C24O = "1796648777.0", "1796648777.2", "1796649044.76", "1796649050.80"

# (type, call_id, agent_id, payload)
EXPECTED: dict[str, list[tuple[str, str, str | None, dict[str, Any]]]] = {
    "01-login-success.ami": [],
    "02-login-failure.ami": [],
    "03-login-failure-seen-by-other-session.ami": [],
    # Alice on DID 5000 -> sales; Redirect to 1001 at +3.007 s, 1001 answers; Alice hangs up.
    "04-inbound-answered.ami": [
        ("call.arrived", C04, None, arrived("15551230001", "Alice", "5000", "sales", "00000000")),
        ("call.answered", C04, "1001", {"agent_id": "1001", "queue": "sales", "wait_s": 3.006}),
        ("call.ended", C04, "1001", ended("customer", *NORMAL, True)),
    ],
    # Bob on DID 5001 -> support, hangs up while holding: abandoned.
    "05-inbound-abandoned-while-holding.ami": [
        ("call.arrived", C05, None, arrived("15551230002", "Bob", "5001", "support", "00000002")),
        ("call.abandoned", C05, None, {"queue": "support", "wait_s": 0.0}),
        ("call.ended", C05, None, ended("customer", *NORMAL, False)),
    ],
    # Carol: 1002 never answers (no event: back to holding), 1001 answers at +12.010 s.
    "06-redirect-noanswer-then-second-agent.ami": [
        ("call.arrived", C06, None, arrived("15551230003", "Carol", "5000", "sales", "00000003")),
        ("call.answered", C06, "1001", {"agent_id": "1001", "queue": "sales", "wait_s": 12.009}),
        ("call.ended", C06, "1001", ended("customer", *NORMAL, True)),
    ],
    # Originate 5550001 into cc-connect/1001: answered, bridged with 1001, customer hangs up.
    "07-outbound-answered.ami": [
        (
            "call.originated",
            C07,
            "1001",
            {
                "direction": "outbound",
                "number": "5550001",
                "agent_id": "1001",
                "channel": "Local/5550001@sim-customer-00000006;1",
            },
        ),
        ("call.answered", C07, "1001", {"agent_id": "1001", "queue": None, "wait_s": 0.0}),
        ("call.ended", C07, "1001", ended("customer", *NORMAL, True)),
    ],
    # Failed originates carry no channel (Uniqueid <unknown>): the call is named by ActionID.
    "08-outbound-busy.ami": [
        ("call.failed", "originate-cc-2", "1001", failed("5550486", "busy", "5")),
    ],
    "09-outbound-noanswer.ami": [
        ("call.failed", "originate-cc-2", "1001", failed("5550000", "no_answer", "3")),
    ],
    "10-outbound-congestion.ami": [
        ("call.failed", "originate-cc-2", "1001", failed("5550503", "congestion", "8")),
    ],
    # Dave holds, Erin is answered by 1003; CoreShowChannels/Status change nothing; both are
    # hung up by AMI (system); the empty CoreShowChannels at the end finds nothing to end.
    "11-coreshowchannels-status.ami": [
        ("call.arrived", DAVE, None, arrived("15551230010", "Dave", "5000", "sales", "0000000b")),
        ("call.arrived", ERIN, None, arrived("15551230011", "Erin", "5001", "support", "0000000c")),
        ("call.answered", ERIN, "1003", {"agent_id": "1003", "queue": "support", "wait_s": 0.001}),
        ("call.ended", DAVE, None, ended("system", "0", "Unknown", False)),
        ("call.ended", ERIN, "1003", ended("system", *NORMAL, True)),
    ],
    # A holding caller hung up by AMI (not abandoned); then only error responses, and a
    # NoSuchTech originate into cc-inbound (not an outbound call of the platform).
    "12-hangup-unknown-action-missing-fields.ami": [
        ("call.arrived", C12, None, arrived("15551230020", "Frank", "5000", "sales", "0000000e")),
        ("call.ended", C12, None, ended("system", *NORMAL, False)),
    ],
    # Spying adds nothing to the call; the caller is hung up by AMI.
    "13-chanspy-listen-whisper-barge.ami": [
        ("call.arrived", C13, None, arrived("15551230030", "Grace", "5000", "sales", "0000000f")),
        ("call.answered", C13, "1004", {"agent_id": "1004", "queue": "sales", "wait_s": 0.001}),
        ("call.ended", C13, "1004", ended("system", *NORMAL, True)),
    ],
    # The agent's phone holds (MOH on the caller inside the bridge), unholds, then hangs up.
    "14-hold-unhold-in-bridge.ami": [
        ("call.arrived", C14, None, arrived("15551230040", "Heidi", "5000", "sales", "00000014")),
        ("call.answered", C14, "1009", {"agent_id": "1009", "queue": "sales", "wait_s": 1.003}),
        ("call.held", C14, "1009", {}),
        ("call.resumed", C14, "1009", {}),
        ("call.ended", C14, "1009", ended("agent", *NORMAL, True)),
    ],
    # 1010 answers, holds the caller (Hold + MOH), consults 1001 and completes the transfer.
    "15-agent-attended-transfer.ami": [
        ("call.arrived", C15, None, arrived("15551230050", "Ivan", "5000", "sales", "00000016")),
        ("call.answered", C15, "1010", {"agent_id": "1010", "queue": "sales", "wait_s": 1.003}),
        ("call.held", C15, "1010", {}),
        ("call.resumed", C15, "1010", {}),
        (
            "call.transferred",
            C15,
            "1001",
            {"kind": "attended", "from_agent_id": "1010", "target": "agent:1001"},
        ),
        ("call.ended", C15, "1001", ended("system", *NORMAL, True)),
    ],
    # Second run (PJSIP, the project's dialplan). Grace is Redirected to 1002, an endpoint with
    # no contact: no Dial event at all, only DIALSTATUS=CHANUNAVAIL on her channel, which ends
    # the offer at once; she is back on hold, then hung up by AMI (the failed request's cause 3).
    "18-redirect-to-unregistered-pjsip-chanunavail.ami": [
        ("call.arrived", C18, None, arrived("15551230302", "Grace", "5000", "sales", "0000000a")),
        ("call.connect_failed", C18, "1002", {"agent_id": "1002", "dial_status": "CHANUNAVAIL"}),
        ("call.ended", C18, None, ended("system", "3", "No route to destination", False)),
    ],
    # Heidi with the SIPp phone 1003 (answered after the NOTIFY); hung up by AMI.
    "19-redirect-to-registered-sipp-phone-with-notify.ami": [
        ("call.arrived", C19, None, arrived("15551230401", "Heidi", "5000", "sales", "0000000b")),
        ("call.answered", C19, "1003", {"agent_id": "1003", "queue": "sales", "wait_s": 2.009}),
        ("call.ended", C19, "1003", ended("system", *NORMAL, True)),
    ],
    # Recording, muting, PlayDTMF change nothing in the call (DID 5001 -> support).
    "20-mixmonitor-mute-stop.ami": [
        ("call.arrived", C20, None, arrived("15551230501", "Ivan", "5001", "support", "0000000c")),
        ("call.answered", C20, "1001", {"agent_id": "1001", "queue": "support", "wait_s": 0.008}),
        ("call.ended", C20, "1001", ended("system", *NORMAL, True)),
    ],
    "21-muteaudio-playdtmf-agent-leg.ami": [
        ("call.arrived", C21, None, arrived("15551230601", "Judy", "5001", "support", "0000000e")),
        ("call.answered", C21, "1001", {"agent_id": "1001", "queue": "support", "wait_s": 0.013}),
        ("call.ended", C21, "1001", ended("system", *NORMAL, True)),
    ],
    # Karl: 1001 answers, Atxfer holds him (Hold on 1001's leg, music for Karl) and 1001 hangs
    # up into the merge, then a BlindTransfer sends him to 1003. This capture's AttendedTransfer
    # names no TransferTarget (the transferer had left the consult bridge first: the race in
    # test_fidelity.RACES), so the step to 1004 is not seen: 1003 takes over from 1001.
    "22-ami-atxfer-and-blindtransfer.ami": [
        ("call.arrived", C22, None, arrived("15551230701", "Karl", "5001", "support", "00000016")),
        ("call.answered", C22, "1001", {"agent_id": "1001", "queue": "support", "wait_s": 0.011}),
        ("call.held", C22, "1001", {}),
        ("call.resumed", C22, "1001", {}),
        (
            "call.transferred",
            C22,
            "1003",
            {"kind": "blind", "from_agent_id": "1001", "target": "agent:1003"},
        ),
        ("call.ended", C22, "1003", ended("system", *NORMAL, True)),
    ],
    # app_queue's own traffic (context fx-queue): no CC_* variables, no call of the platform.
    "23-app-queue-testq.ami": [],
    # Pia: 1001 answers and hangs up; Dial g keeps her for the survey, which ends the call.
    "25-post-call-survey-read-dtmf.ami": [
        ("call.arrived", C25, None, arrived("15551231001", "Pia", "5000", "sales", "00000029")),
        ("call.answered", C25, "1001", {"agent_id": "1001", "queue": "sales", "wait_s": 0.009}),
        ("call.ended", C25, "1001", ended("agent", *NORMAL, True)),
    ],
    # Second run (the project's dialplan). Alice holds, Bob is connected to 1001 (Setvar and
    # Redirect at +0.020 s, 10 ms after his Originate); three Status lists; both hung up by AMI.
    "16-status-variables-null-and-local-pair-order.ami": [
        ("call.arrived", C16A, None, arrived("15551230101", "Alice", "5000", "sales", "00000000")),
        ("call.arrived", C16B, None, arrived("15551230102", "Bob", "5001", "support", "00000001")),
        ("call.answered", C16B, "1001", {"agent_id": "1001", "queue": "support", "wait_s": 0.01}),
        ("call.ended", C16A, None, ended("system", "0", "Unknown", False)),
        ("call.ended", C16B, "1001", ended("system", *NORMAL, True)),
    ],
    # A fresh session after a restart: CoreShowChannels and Status without variables name no
    # call; nothing is said of the calls that ended before it.
    "17-fresh-login-resync-after-restart.ami": [],
    # Nina answered by 1001, who hangs up; Omar gives up on hold; the outbound Originate rings
    # out (reason 3). Its OutgoingSpoolFailed channel (CC_AGENT=failed) is no call.
    "24-cdr-events.ami": [
        ("call.arrived", C24N, None, arrived("15551230901", "Nina", "5000", "sales", "00000025")),
        ("call.answered", C24N, "1001", {"agent_id": "1001", "queue": "sales", "wait_s": 0.008}),
        ("call.ended", C24N, "1001", ended("agent", *NORMAL, True)),
        ("call.arrived", C24O, None, arrived("15551230902", "Omar", "5001", "support", "00000027")),
        ("call.abandoned", C24O, None, {"queue": "support", "wait_s": 0.0}),
        ("call.ended", C24O, None, ended("customer", *NORMAL, False)),
        ("call.failed", "originate-cc-6", "1001", failed("5550000", "no_answer", "3")),
    ],
}
# The public captures come from other dialplans: no CC_* variables, so no call of the platform.
for other in sorted(AMI.glob("*.txt")):
    EXPECTED[other.name] = []


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

PURE = [
    "telephony/ami_frames.py",
    "telephony/translator.py",
    "telephony/captures.py",
    "telephony/actions.py",
]
FORBIDDEN = {
    "redis",
    "aiohttp",
    "panoramisk",
    "sqlalchemy",
    "asyncio",
    "logging",
    "socket",
    "time",
    "random",
}


@pytest.mark.parametrize("module", PURE)
def test_pure_module_imports_no_io(module: str) -> None:
    path = Path(__file__).parents[2] / module
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & FORBIDDEN
