"""The domain events a person reading each real-Asterisk capture expects, and the replay of a
capture through the translator (``tests/telephony/test_translator.py``, and the bridge's replay
in ``test_bridge_replay.py``).

Expected tables were written from the captures (tests/fixtures/ami/real-asterisk/README.md and the
frames themselves), not copied from the code's output. ``now`` during the replay is the time of
the last action sent (the ``>>> SENT +x.xxxs`` lines), so wait times are readable in the files.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telephony.ami_frames import parse_frames
from telephony.captures import split_capture
from telephony.translator import TranslatorState, new_state, translate

AMI = Path(__file__).resolve().parents[2] / "fixtures" / "ami"
REAL = AMI / "real-asterisk"
T0 = datetime(2026, 11, 22, 21, 4, 25, tzinfo=UTC)


def replay(
    path: Path | bytes, state: TranslatorState | None = None
) -> tuple[TranslatorState, list]:
    """``path``'s capture (or a capture's bytes) through the translator."""
    state = state or new_state()
    events: list = []
    now = T0
    rest = b""
    for chunk in split_capture(path if isinstance(path, bytes) else path.read_bytes()):
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
    # Three supervisor sessions (ChanSpyStart / ChanSpyStop on the agent's leg) one after
    # another: the wallboard's monitoring indicator; the caller is hung up by AMI.
    "13-chanspy-listen-whisper-barge.ami": [
        ("call.arrived", C13, None, arrived("15551230030", "Grace", "5000", "sales", "0000000f")),
        ("call.answered", C13, "1004", {"agent_id": "1004", "queue": "sales", "wait_s": 0.001}),
        *[("call.monitor_started", C13, "1004", {}), ("call.monitor_stopped", C13, "1004", {})] * 3,
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
        # the transferer left first, so AttendedTransfer names no target: the one that entered
        # Karl's bridge just before it (1004) is
        (
            "call.transferred",
            C22,
            "1004",
            {"kind": "attended", "from_agent_id": "1001", "target": "agent:1004"},
        ),
        (
            "call.transferred",
            C22,
            "1003",
            {"kind": "blind", "from_agent_id": "1004", "target": "agent:1003"},
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
