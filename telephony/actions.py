"""Commands to AMI actions: what to send for each command kind. Pure: values in, values out.

``plan(command, call, config)`` returns the AMI actions (ordered ``(key, value)`` pairs, without
ActionID) that carry out one command against the call as the translator knows it, or raises
``CommandTargetError`` naming the argument that cannot be acted on (unknown call, call not in a
state that allows it, bad transfer target). The bridge sends them one after the other and stops
at the first ``Response: Error``.

The dialplan contract (config/asterisk/extensions.conf, DESIGN section 5):

* connect: ``Setvar CC_AGENT_ENDPOINT=<agent dial string>`` and ``CC_RING_TIMEOUT_S`` (the
  queue's ring timeout, from the router's command) on the caller, then ``Redirect`` to
  ``connect_context``/<agent id>, whose Dial uses both: Asterisk gives up on the agent's phone
  when the router does; when some queue surveys its callers, ``CC_SURVEY`` too (``1`` when the
  call's queue does, else ``0``), which sends the caller to the survey context when its agent
  hangs up first;
* return_to_hold / transfer to a queue: ``Redirect`` to ``hold_context``/s (a queue transfer sets
  ``CC_QUEUE`` first);
* announce: ``Setvar CC_POSITION`` and ``CC_WAIT_S`` then ``Redirect`` to ``announce_context``/s,
  which plays them and returns to ``hold_context``;
* hold: ``Redirect`` of both parties (caller and ``ExtraChannel`` agent leg) to
  ``onhold_context`` (``s`` for the caller, music on hold; ``agent`` for the agent, silence);
  unhold: ``Bridge`` of the two channels again;
* originate: ``Originate`` (async) of ``outbound_channel`` into ``connect_context``/<agent id>
  with ``CC_CALL_ID`` (so events carry the platform's call id), ``CC_AGENT_ENDPOINT``, the ring
  timeout, and ``CC_ORIGIN_CALL_ID`` for a callback asked for in line (the caller's call, which
  this dial's events name as ``origin_call_id``);
* spy: ``Originate`` of the supervisor's endpoint into ``ChanSpy(<agent leg>,qE|qwE|qBE)``;
* recording_pause / recording_resume: ``MixMonitorMute`` of the customer's channel
  (``telephony.recording``);
* consult (warm transfer, conference: Asterisk's attended transfer, config/asterisk/features.conf):
  ``Setvar CC_CONSULT=<target>`` on the customer (the translator names the consultation from
  it), then ``Atxfer`` on the agent's leg (which cc-connect dials with option ``t``) with the
  target as ``Exten`` and ``Context``: a ``Local/<exten>@<context>`` dial string's own, else
  ``consult_context`` (an agent: ``PJSIP/<agent>``) or ``consult_out_context`` (a number: the
  trunk); consult_complete: ``Hangup`` of the agent's leg (the customer stays with the target);
  consult_back: ``Hangup`` of the consulted leg (the agent is back with the customer);
  conference: ``PlayDTMF`` ``Receive`` of the ``atxferthreeway`` code on the agent's leg; a
  hang-up during a conference hangs up the agent's leg only (the other two stay together);
* spy_stop: ``Hangup`` of each supervisor's ChanSpy leg on the call (``ChanSpyStart`` named it);
* answer (the dashboard's Answer button): ``PJSIPNotify`` of ``Event: talk`` (``answer_event``)
  to the agent's PJSIP endpoint while its phone rings; the phone, allowed to take remote
  answers, picks up, and ``call.answered`` follows from the channel events as for a hand answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kernel.commands import Command
from telephony.call_controls import (
    dtmf_actions,
    flag,
    mute_actions,
    number_of,
    number_transfer_actions,
)
from telephony.errors import CommandTargetError
from telephony.recording import mute_action
from telephony.translator import VAR_CALL_ID, VAR_CONSULT, VAR_ORIGIN_CALL_ID, CallState

Action = list[tuple[str, str]]
VAR_AGENT_ENDPOINT = "CC_AGENT_ENDPOINT"  # what cc-connect dials
VAR_RING_TIMEOUT = "CC_RING_TIMEOUT_S"  # for how long (the dialplan's global when not set)
VAR_SURVEY = "CC_SURVEY"  # 1: survey the caller when the agent hangs up first

# E: ChanSpy ends (the supervisor's phone hangs up) when the spied-on agent leg does
SPY_OPTIONS = {"listen": "qE", "whisper": "qwE", "barge": "qBE"}


@dataclass(frozen=True, slots=True)
class ActionConfig:
    hold_context: str = "cc-hold"
    connect_context: str = "cc-connect"
    announce_context: str = "cc-announce"
    onhold_context: str = "cc-onhold"
    transfer_context: str = "cc-transfer-out"
    supervisor_endpoint: str = "PJSIP/9000"
    answer_event: str = "talk"
    outbound_channel: str = "PJSIP/{number}@trunk"
    outbound_caller_id: str = '"Call Center" <5000>'
    originate_timeout_s: int = 30
    agent_endpoints: Mapping[str, str] = field(default_factory=dict)  # agent id -> dial string
    consult_context: str = "cc-consult"
    consult_out_context: str = "cc-consult-out"
    threeway_code: str = "*3"  # features.conf [general] atxferthreeway
    survey_queues: frozenset[str] = frozenset()  # queues with ``survey = true``

    def dial_string(self, agent_id: str) -> str:
        return self.agent_endpoints.get(agent_id) or f"PJSIP/{agent_id}"


def _need_call(command: Command, call: CallState | None) -> CallState:
    if call is None:
        raise CommandTargetError("call_id", command.args.get("call_id"), "no such live call")
    return call


def _need_connected(command: Command, call: CallState) -> CallState:
    if not call.connected or not call.agent_channel:
        raise CommandTargetError("call_id", call.call_id, "call is not connected to an agent")
    return call


def _need_agent(command: Command, call: CallState) -> CallState:
    """An agent's control acts only while the call is that agent's: once handed on (a transfer to
    another agent, ringing or answered) the previous agent may no longer mute, key, hold, hang up
    or transfer it. Commands without ``agent_id`` (the router's, a supervisor's) are not agents'."""
    given = command.args.get("agent_id")
    current = call.agent_id or call.target_agent_id
    if given not in (None, "") and current is not None and str(given) != current:
        raise CommandTargetError("agent_id", given, f"call {call.call_id} is another agent's")
    return call


def _redirect(channel: str, context: str, exten: str) -> Action:
    return [
        ("Action", "Redirect"),
        ("Channel", channel),
        ("Context", context),
        ("Exten", exten),
        ("Priority", "1"),
    ]


def _ring_timeout_s(command: Command) -> int | None:
    """The router's ring timeout for this offer (whole seconds, at least 1), if it gave one."""
    raw = command.args.get("ring_timeout_s")
    if raw in (None, ""):
        return None
    try:
        return max(1, round(float(raw)))
    except (TypeError, ValueError):
        raise CommandTargetError("ring_timeout_s", raw, "must be a number of seconds") from None


def _survey_flag(channel: str, call: CallState, config: ActionConfig) -> list[Action]:
    """``CC_SURVEY`` for this connect (set every time: a transfer may change the queue); no
    Setvar at all while no queue surveys."""
    if not config.survey_queues:
        return []
    return [_setvar(channel, VAR_SURVEY, "1" if call.queue in config.survey_queues else "0")]


def _setvar(channel: str, name: str, value: str) -> Action:
    return [("Action", "Setvar"), ("Channel", channel), ("Variable", name), ("Value", value)]


CONSULT_KINDS = ("consult", "consult_complete", "consult_back", "conference")


def consult_exten(target: str, config: ActionConfig) -> tuple[str, str]:
    """``Atxfer``'s (Exten, Context) for ``agent:<id>`` or ``number:<digits>``. Asterisk keys
    the extension on the leg as DTMF, so it must be digits (an agent's id may be its extension)."""
    what, _, target_id = target.partition(":")
    if what == "agent" and target_id:
        dial, context = config.dial_string(target_id), config.consult_context
    elif what == "number" and target_id.isdigit():
        dial, context = config.outbound_channel.format(number=target_id), config.consult_out_context
    else:
        raise CommandTargetError("target", target, "must be agent:<id> or number:<digits>")
    if dial.startswith("Local/") and "@" in dial:  # the dial string names its own context
        exten, _, rest = dial[len("Local/") :].partition("@")
        return exten, rest.split("/", 1)[0]
    return target_id, context


def consult_actions(command: Command, call: CallState, config: ActionConfig) -> list[Action]:
    """Consult, complete, back, conference: see the module docstring."""
    kind, agent_leg = command.kind, call.agent_channel or ""
    if kind == "consult":
        if call.consult_target is not None:
            raise CommandTargetError("call_id", call.call_id, "a consultation is already going on")
        target = str(command.args["target"])
        exten, context = consult_exten(target, config)
        return [
            _setvar(call.customer_channel, VAR_CONSULT, target),
            [("Action", "Atxfer"), ("Channel", agent_leg), ("Exten", exten), ("Context", context)],
        ]
    if not call.consult_channel:
        raise CommandTargetError("call_id", call.call_id, "no consultation is going on")
    if kind == "consult_complete":
        return [[("Action", "Hangup"), ("Channel", agent_leg), ("Cause", "16")]]
    if kind == "consult_back":
        return [[("Action", "Hangup"), ("Channel", call.consult_channel), ("Cause", "16")]]
    return [
        [
            ("Action", "PlayDTMF"),
            ("Channel", agent_leg),
            ("Digit", digit),
            ("Duration", "100"),
            ("Receive", "true"),
        ]
        for digit in config.threeway_code
    ]


def plan(command: Command, call: CallState | None, config: ActionConfig) -> list[Action]:
    """The AMI actions for ``command``; raises ``CommandTargetError`` when it cannot apply."""
    a = command.args
    kind = command.kind
    if kind == "originate":
        if call is not None:
            raise CommandTargetError("call_id", a["call_id"], "a live call already has this id")
        agent_id = str(a["agent_id"])
        number = str(a["number"])
        originate = [
            ("Action", "Originate"),
            ("Channel", config.outbound_channel.format(number=number)),
            ("Context", config.connect_context),
            ("Exten", agent_id),
            ("Priority", "1"),
            ("CallerID", str(a.get("caller_id") or config.outbound_caller_id)),
            ("Timeout", str(int(a.get("timeout_s") or config.originate_timeout_s) * 1000)),
            ("Async", "true"),
            ("Variable", f"{VAR_CALL_ID}={a['call_id']}"),
            ("Variable", f"{VAR_AGENT_ENDPOINT}={config.dial_string(agent_id)}"),
        ]
        ring_s = _ring_timeout_s(command)
        if ring_s is not None:
            originate.append(("Variable", f"{VAR_RING_TIMEOUT}={ring_s}"))
        if a.get("origin_call_id"):
            originate.append(("Variable", f"{VAR_ORIGIN_CALL_ID}={a['origin_call_id']}"))
        return [originate]
    call = _need_call(command, call)
    channel = call.customer_channel
    if kind == "connect":
        if call.connected:
            raise CommandTargetError("call_id", call.call_id, "call is already with an agent")
        agent_id = str(a["agent_id"])
        ring_s = _ring_timeout_s(command)
        return [
            _setvar(channel, VAR_AGENT_ENDPOINT, config.dial_string(agent_id)),
            *([_setvar(channel, VAR_RING_TIMEOUT, str(ring_s))] if ring_s is not None else []),
            *_survey_flag(channel, call, config),
            _redirect(channel, config.connect_context, agent_id),
        ]
    if kind == "answer":
        if call.connected:
            raise CommandTargetError("call_id", call.call_id, "call is already answered")
        if call.ringing_uid is None:  # e.g. an outbound call whose customer has not answered
            raise CommandTargetError("call_id", call.call_id, "the agent's phone is not ringing")
        agent_id = str(a["agent_id"])  # the NOTIFY goes to this agent's own phone only
        tech, _, endpoint = config.dial_string(agent_id).partition("/")
        if tech.upper() != "PJSIP" or not endpoint:
            raise CommandTargetError(
                "agent_id", agent_id, "remote answer needs a PJSIP endpoint (PJSIP/<name>)"
            )
        return [
            [
                ("Action", "PJSIPNotify"),
                ("Endpoint", endpoint.partition("@")[0].partition("/")[0]),
                ("Variable", f"Event={config.answer_event}"),
            ]
        ]
    if kind in ("recording_pause", "recording_resume"):  # Asterisk answers an unrecorded call
        return [mute_action(call, kind == "recording_pause")]  # with "Cannot set mute flag"
    if kind == "return_to_hold":
        return [_redirect(channel, config.hold_context, "s")]
    if kind in ("hangup", "hold", "mute", "dtmf") or (
        kind == "transfer" and number_of(str(a.get("target", ""))) is not None
    ):
        _need_agent(command, call)
    if kind == "hangup":
        if call.conference is not None and call.agent_channel:
            channel = call.agent_channel  # the agent leaves; the customer stays with the other
        return [[("Action", "Hangup"), ("Channel", channel), ("Cause", "16")]]
    if kind == "hold":
        _need_connected(command, call)
        return [
            [
                *_redirect(channel, config.onhold_context, "s"),
                ("ExtraChannel", call.agent_channel or ""),
                ("ExtraContext", config.onhold_context),
                ("ExtraExten", "agent"),
                ("ExtraPriority", "1"),
            ]
        ]
    if kind == "unhold":
        if not call.held or not call.agent_channel:
            raise CommandTargetError("call_id", call.call_id, "call is not on hold")
        return [
            [
                ("Action", "Bridge"),
                ("Channel1", channel),
                ("Channel2", call.agent_channel),
                ("Tone", "no"),
            ]
        ]
    if kind == "mute":
        _need_connected(command, call)
        return mute_actions(call.agent_channel or "", flag(a["muted"]))
    if kind == "dtmf":
        _need_connected(command, call)
        return dtmf_actions(channel, a["digits"])
    if kind == "transfer":
        target = str(a["target"])
        outside = number_of(target)
        if outside is not None:
            _need_connected(command, call)
            if call.held:  # BlindTransfer needs the agent's leg bridged with the customer
                raise CommandTargetError(
                    "call_id", call.call_id, "call is on hold: resume it first"
                )
            dial = config.outbound_channel.format(number=outside)
            return number_transfer_actions(
                channel, call.agent_channel or "", outside, config.transfer_context, dial
            )
        what, _, target_id = target.partition(":")
        if what == "queue" and target_id:
            return [
                _setvar(channel, "CC_QUEUE", target_id),
                _redirect(channel, config.hold_context, "s"),
            ]
        if what == "agent" and target_id:
            ring_s = _ring_timeout_s(command)  # the queue's, as for the router's offers
            return [
                _setvar(channel, VAR_AGENT_ENDPOINT, config.dial_string(target_id)),
                *([_setvar(channel, VAR_RING_TIMEOUT, str(ring_s))] if ring_s is not None else []),
                _redirect(channel, config.connect_context, target_id),
            ]
        raise CommandTargetError(
            "target", target, "must be queue:<id>, agent:<id> or number:<E.164>"
        )
    if kind in CONSULT_KINDS:
        return consult_actions(command, _need_connected(command, call), config)
    if kind == "spy_stop":
        if not call.spies:
            raise CommandTargetError("call_id", call.call_id, "no one is listening to this call")
        return [[("Action", "Hangup"), ("Channel", spyer), ("Cause", "16")] for spyer in call.spies]
    if kind == "spy":
        _need_connected(command, call)
        mode = str(a["mode"])
        if mode not in SPY_OPTIONS:
            raise CommandTargetError("mode", mode, "must be listen, whisper or barge")
        supervisor = str(a["supervisor"])
        if "/" in supervisor:
            endpoint = supervisor
        elif supervisor in config.agent_endpoints:
            endpoint = config.agent_endpoints[supervisor]
        else:
            endpoint = config.supervisor_endpoint
        return [
            [
                ("Action", "Originate"),
                ("Channel", endpoint),
                ("Application", "ChanSpy"),
                ("Data", f"{call.agent_channel},{SPY_OPTIONS[mode]}"),
                ("CallerID", f'"Supervisor" <{supervisor}>'),
                ("Timeout", str(config.originate_timeout_s * 1000)),
                ("Async", "true"),
            ]
        ]
    if kind == "announce":
        if call.connected:
            raise CommandTargetError("call_id", call.call_id, "call is already with an agent")
        return [
            _setvar(channel, "CC_POSITION", str(int(a["position"]))),
            _setvar(channel, "CC_WAIT_S", str(int(float(a["wait_s"])))),
            _redirect(channel, config.announce_context, "s"),
        ]
    raise CommandTargetError("kind", kind, "no AMI mapping")  # pragma: no cover - COMMAND_KINDS
