"""The simulator's dialplan: the platform's contexts (DESIGN section 5) and the simulated phones.

Pure module. Each priority is an application name plus a function that renders its argument for
a channel, exactly as Asterisk would after variable substitution (that text is the ``AppData`` of
the ``Newexten`` event). The contract contexts mirror ``config/asterisk/extensions.conf``
(``tests/telephony/test_simulator_dialplan.py`` checks that they stay in step); the ``sim-*``
contexts are the Local-channel phones of the real-Asterisk captures
(``tests/fixtures/ami/real-asterisk/README.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from telephony.simulator.model import Channel

Render = Callable[[Channel], str]

# Agent ids (``[A-Za-z0-9_.-]+`` in the settings) as extensions of cc-connect: two characters or
# more, so that the pattern can never match the special extension ``h``.
AGENT_PATTERN = "_[0-9a-zA-Z]."
RECORDING_NOTICE = "cc-recording-notice"  # the prompt (sounds/<lang>/cc-recording-notice.wav)
SURVEY_PROMPT = "custom/cc-survey"  # [globals] CC_SURVEY_PROMPT


@dataclass(frozen=True)
class Step:
    app: str
    data: Render
    label: str | None = None


@dataclass(frozen=True)
class Extension:
    pattern: str
    steps: tuple[Step, ...]

    def matches(self, exten: str) -> bool:
        if not self.pattern.startswith("_"):
            return exten == self.pattern
        return _pattern_match(self.pattern[1:], exten)

    def extends(self, exten: str) -> bool:
        """A longer extension than ``exten`` that starts with it matches this one."""
        if not self.pattern.startswith("_"):
            return len(self.pattern) > len(exten) and self.pattern.startswith(exten)
        tokens = _pattern_tokens(self.pattern[1:])
        for i, c in enumerate(exten):
            if i >= len(tokens):
                return False
            if tokens[i] in (".", "!"):
                return True
            if not _token_matches(tokens[i], c):
                return False
        return len(tokens) > len(exten)


def _pattern_tokens(pattern: str) -> list[str]:
    """``1X[a-c].`` -> ["1", "X", "abc", "."]: one token per character position."""
    tokens: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "[" and "]" in pattern[i:]:
            end = pattern.index("]", i)
            body = pattern[i + 1 : end]
            chars = ""
            j = 0
            while j < len(body):
                if j + 2 < len(body) and body[j + 1] == "-":
                    chars += "".join(chr(k) for k in range(ord(body[j]), ord(body[j + 2]) + 1))
                    j += 3
                else:
                    chars += body[j]
                    j += 1
            tokens.append("[" + chars)
            i = end + 1
        else:
            tokens.append(c)
            i += 1
    return tokens


def _pattern_match(pattern: str, exten: str) -> bool:
    """Asterisk extension patterns: X, Z, N, [classes], ``.`` (one or more), ``!`` (zero or more)."""
    tokens = _pattern_tokens(pattern)
    for i, token in enumerate(tokens):
        if token in (".", "!"):
            return len(exten) > i or (token == "!" and len(exten) >= i)
        if i >= len(exten) or not _token_matches(token, exten[i]):
            return False
    return len(exten) == len(tokens)


def _token_matches(token: str, c: str) -> bool:
    if token == "X":
        return c.isdigit()
    if token == "Z":
        return "1" <= c <= "9"
    if token == "N":
        return "2" <= c <= "9"
    if token.startswith("[") and len(token) > 1:
        return c in token[1:]
    return token == c


@dataclass
class Dialplan:
    """Contexts → extensions (exact names are tried before patterns, as Asterisk sorts them)."""

    contexts: dict[str, list[Extension]] = field(default_factory=dict)

    def add(self, context: str, pattern: str, *steps: Step) -> None:
        self.contexts.setdefault(context, []).append(Extension(pattern, steps))

    def find(self, context: str, exten: str) -> Extension | None:
        extensions = self.contexts.get(context, [])
        for ext in extensions:
            if not ext.pattern.startswith("_") and ext.matches(exten):
                return ext
        for ext in extensions:
            if ext.pattern.startswith("_") and ext.matches(exten):
                return ext
        return None

    def exists(self, context: str, exten: str) -> bool:
        return self.find(context, exten) is not None

    def can_match_more(self, context: str, exten: str) -> bool:
        """``ast_matchmore_extension``: some extension of ``context`` is longer than ``exten``
        and starts like it (more digits could still name it)."""
        return any(ext.extends(exten) for ext in self.contexts.get(context, []))

    def step(self, context: str, exten: str, priority: int) -> Step | None:
        ext = self.find(context, exten)
        if ext is None or not 1 <= priority <= len(ext.steps):
            return None
        return ext.steps[priority - 1]

    def label_priority(self, context: str, exten: str, label: str) -> int | None:
        ext = self.find(context, exten)
        if ext is None:
            return None
        for i, s in enumerate(ext.steps, start=1):
            if s.label == label:
                return i
        return None


def _s(text: str) -> Render:
    return lambda ch: text


def _wait_or(var: str, default: str) -> Render:
    return lambda ch: ch.var(var) or default


def to_survey(ch: Channel) -> str:
    """``GotoIf($["${CC_SURVEY}" = "1"]?cc-survey,s,1)``: the queue surveys its callers."""
    return f"{int(ch.var('CC_SURVEY') == '1')}?cc-survey,s,1"


def _with_option(dial: Render, option: str) -> Render:
    """cc-connect's Dial argument with one more option (``g``: the caller outlives the agent)."""

    def render(ch: Channel) -> str:
        args = dial(ch).split(",")
        args += [""] * (3 - len(args))
        args[2] += option
        return ",".join(args)

    return render


def recorded_customer_id(ch: Channel) -> str:
    """``Set(CC_CUSTOMER_ID=cust-${CALLERID(num)})``: what the sample dialplan set when the
    real-Asterisk captures were recorded (today's sets none); the captures' dialplans keep it
    so the simulator answers like them (the live feed masks such ids by value)."""
    return f"CC_CUSTOMER_ID=cust-{ch.cid_num}"


def add_contract(
    plan: Dialplan,
    did_queues: Mapping[str, str],
    default_queue: str,
    dial_target: Render,
    *,
    agent_pattern: str = AGENT_PATTERN,
    failed_extension: bool = True,
    cdr_userfield: bool = True,
    customer_id: Render | None = None,
    recorded_queues: frozenset[str] | None = None,
    survey: bool = True,
) -> None:
    """The platform contexts: cc-inbound, cc-hold, cc-connect, cc-announce, cc-onhold,
    cc-transfer-out, cc-survey.

    ``agent_pattern``, ``failed_extension`` and ``cdr_userfield`` reproduce older dialplans the
    real-Asterisk captures were recorded with: the first run's cc-connect matched ``_X.``; the
    second run's had today's pattern without the explicit ``failed`` extension, so the pattern
    caught a failed Originate (capture 24); neither wrote the CDR userfield (the
    ``Set(CDR(userfield)=...)`` priorities). ``customer_id`` renders ``CC_CUSTOMER_ID=...`` when
    the dialplan sets one (the captures' did; the shipped dialplan does not: the platform finds
    the customer from the caller's number). ``recorded_queues``: the queues whose callers hear
    the recording notice (``CC_RECORD_<queue> = 1`` in the globals); None: the captures'
    dialplans, which had no notice. ``survey`` False: the dialplan of both runs, whose
    cc-connect had no Dial ``g`` (the caller was hung up with the agent) and no cc-survey."""

    def queue_of(ch: Channel) -> str:
        return f"CC_QUEUE={did_queues.get(ch.exten, default_queue)}"

    inbound_cdr = (
        [Step("Set", lambda ch: f"CDR(userfield)=cc;q={ch.var('CC_QUEUE')};n={ch.exten}")]
        if cdr_userfield
        else []
    )

    def connect_userfield(ch: Channel) -> str:
        head = ch.cdr.current.userfield.split("/", 1)[0] if ch.cdr is not None else ""
        call_id = ch.var("CC_CALL_ID")
        return f"CDR(userfield)={head}/a={ch.exten};c={call_id};t={int(ch.epoch_s)}"

    connect_cdr = [Step("Set", connect_userfield)] if cdr_userfield else []

    def not_recorded(ch: Channel) -> str:
        return f"{int(ch.var('CC_QUEUE') not in (recorded_queues or ()))}?held"

    notice = (
        [
            Step("GotoIf", not_recorded),
            Step("Playback", _s(RECORDING_NOTICE)),
        ]
        if recorded_queues is not None
        else []
    )
    plan.add(
        "cc-inbound",
        "_X.",
        Step("NoOp", lambda ch: f"CC inbound call {ch.name} DID {ch.exten} from {ch.cid_num}"),
        Step("Answer", _s("")),
        Step("Set", queue_of),
        *inbound_cdr,
        *([Step("Set", customer_id)] if customer_id is not None else []),
        *notice,
        Step("Goto", _s("cc-hold,s,1"), label="held" if notice else None),
    )
    plan.add("cc-inbound", "_+X.", Step("Goto", lambda ch: f"{ch.exten[1:]},1"))
    plan.add(
        "cc-hold",
        "s",
        Step(
            "NoOp",
            lambda ch: (
                f"CC holding {ch.name} queue={ch.var('CC_QUEUE')} "
                f"customer={ch.var('CC_CUSTOMER_ID')}"
            ),
        ),
        Step("MusicOnHold", _s("default")),
        Step("Goto", _s("s,1")),
    )
    plan.add(
        "cc-connect",
        agent_pattern,
        Step("NoOp", lambda ch: f"CC connect {ch.name} to agent {ch.exten}"),
        Step("Set", lambda ch: f"CC_AGENT={ch.exten}"),
        *connect_cdr,
        Step("Dial", _with_option(dial_target, "g") if survey else dial_target),
        Step("NoOp", lambda ch: f"CC dial result {ch.var('DIALSTATUS')}"),
        Step("GotoIf", lambda ch: f"{int(ch.var('DIALSTATUS') == 'ANSWER')}?done"),
        Step("Goto", _s("cc-hold,s,1")),
        *(
            [Step("GotoIf", to_survey, label="done"), Step("Hangup", _s(""))]
            if survey
            else [Step("Hangup", _s(""), label="done")]
        ),
    )
    if failed_extension:
        # A failed Originate into cc-connect runs this (exact names win over patterns) and is
        # reported at once, instead of waiting in cc-hold for ever
        plan.add(
            "cc-connect",
            "failed",
            Step("NoOp", lambda ch: f"CC originate failed, reason {ch.var('REASON')}"),
            Step("Hangup", _s("")),
        )

    plan.add(
        "cc-onhold",
        "s",
        Step("NoOp", lambda ch: f"CC on hold {ch.name}"),
        Step("MusicOnHold", _s("default")),
        *([Step("GotoIf", to_survey)] if survey else []),
        Step("Hangup", _s("")),
    )
    if survey:
        plan.add(
            "cc-survey",
            "s",
            Step("NoOp", lambda ch: f"CC survey {ch.name} agent={ch.var('CC_AGENT')}"),
            Step("Read", lambda ch: f"CC_SURVEY_SCORE,{SURVEY_PROMPT},1,,1,10"),
            Step(
                "NoOp",
                lambda ch: (
                    f"CC survey score {ch.var('CC_SURVEY_SCORE')} status {ch.var('READSTATUS')}"
                ),
            ),
            Step("Playback", _s("auth-thankyou")),
            Step("Hangup", _s("")),
        )
    plan.add(
        "cc-onhold",
        "agent",
        Step("NoOp", lambda ch: f"CC agent waits while the customer is on hold {ch.name}"),
        Step("Wait", _s("3600")),
        Step("Hangup", _s("")),
    )

    for pattern in ("_X.", "_+X."):  # a blind transfer's target starts at priority 2 (22)
        plan.add(
            "cc-transfer-out",
            pattern,
            Step("NoOp", lambda ch: f"CC transfer out {ch.name} to {ch.exten}"),
            Step("Dial", lambda ch: f"{ch.var('CC_TRANSFER_DIAL')},60"),
            Step("Hangup", _s("")),
        )

    def wait_min(ch: Channel) -> str:
        try:
            return str(int(float(ch.var("CC_WAIT_S") or "0")) // 60)
        except ValueError:
            return "0"

    def short_wait(ch: Channel) -> str:
        try:
            short = float(ch.var("CC_WAIT_S") or "0") < 60
        except ValueError:
            short = True
        return f"{int(short)}?seconds"

    plan.add(
        "cc-announce",
        "s",
        Step(
            "NoOp",
            lambda ch: (
                f"CC announce {ch.name} position={ch.var('CC_POSITION')} wait={ch.var('CC_WAIT_S')}"
            ),
        ),
        Step("Playback", _s("queue-thereare")),
        Step("SayNumber", lambda ch: ch.var("CC_POSITION") or "0"),
        Step("Playback", _s("queue-callswaiting")),
        Step("GotoIf", short_wait),
        Step("Playback", _s("queue-holdtime")),
        Step("SayNumber", wait_min),
        Step("Playback", _s("queue-minutes")),
        Step("Goto", _s("cc-hold,s,1")),
        Step("Playback", _s("queue-holdtime"), label="seconds"),
        Step("SayNumber", lambda ch: ch.var("CC_WAIT_S") or "0"),
        Step("Playback", _s("queue-seconds")),
        Step("Goto", _s("cc-hold,s,1")),
    )


def add_sim_phones(plan: Dialplan) -> None:
    """The Local-channel phones of the captures: sim-agent, sim-caller, sim-customer, sim-supervisor."""
    plan.add(
        "sim-agent",
        "1002",
        Step("NoOp", lambda ch: f"sim agent {ch.exten} never answers"),
        Step("Ringing", _s("")),
        Step("Wait", _s("3600")),
        Step("Hangup", _s("")),
    )
    plan.add(
        "sim-agent",
        "1009",
        Step("NoOp", lambda ch: f"sim agent {ch.exten} answers then holds"),
        Step("Ringing", _s("")),
        Step("Wait", _s("2")),
        Step("Answer", _s("")),
        Step("Wait", _s("2")),
        Step("WaitExten", _s("4,m(default)")),
        Step("Wait", _s("2")),
        Step("Hangup", _s("")),
    )
    plan.add(
        "sim-agent",
        "1010",
        Step("NoOp", lambda ch: f"sim agent {ch.exten} answers then attended-transfers to 1001"),
        Step("Ringing", _s("")),
        Step("Wait", _s("2")),
        Step("Answer", _s("")),
        Step("Wait", _s("2")),
        Step("SendDTMF", _s("*2")),
        Step("Wait", _s("1")),
        Step("SendDTMF", _s("1001")),
        Step("Wait", _s("8")),
        Step("Hangup", _s("")),
    )
    plan.add(
        "sim-agent",
        "_1XXX",
        Step("NoOp", lambda ch: f"sim agent {ch.exten} answers"),
        Step("Ringing", _s("")),
        Step("Wait", _s("2")),
        Step("Answer", _s("")),
        Step("Wait", _s("60")),
        Step("Hangup", _s("")),
    )
    plan.add(
        "sim-caller",
        "_X.",
        Step("NoOp", lambda ch: f"sim caller {ch.exten}"),
        Step("Answer", _s("")),
        Step("Wait", _wait_or("CALLER_HOLDS", "3600")),
        Step("Hangup", _s("")),
    )
    plan.add(
        "sim-customer",
        "5550486",
        Step("NoOp", _s("sim customer busy")),
        Step("Busy", _s("10")),
    )
    plan.add(
        "sim-customer",
        "5550503",
        Step("NoOp", _s("sim customer congestion")),
        Step("Congestion", _s("10")),
    )
    plan.add(
        "sim-customer",
        "5550000",
        Step("NoOp", _s("sim customer no answer")),
        Step("Ringing", _s("")),
        Step("Wait", _s("3600")),
    )
    plan.add(
        "sim-customer",
        "_X.",
        Step("NoOp", lambda ch: f"sim customer {ch.exten} answers"),
        Step("Ringing", _s("")),
        Step("Wait", _s("1")),
        Step("Answer", _s("")),
        Step("Wait", _wait_or("CUST_TALK", "60")),
        Step("Hangup", _s("")),
    )
    plan.add(
        "sim-supervisor",
        "_X.",
        Step("NoOp", lambda ch: f"sim supervisor {ch.exten}"),
        Step("Answer", _s("")),
        Step("Wait", _s("3600")),
        Step("Hangup", _s("")),
    )


def add_local_agent(plan: Dialplan, context: str, exten: str, ring_s: float) -> None:
    """A Local-channel agent phone for an endpoint like ``Local/1001@agents`` (the settings
    allow any dial string): rings, answers after ``ring_s``, stays until the call ends."""
    plan.add(
        context,
        exten,
        Step("NoOp", lambda ch: f"sim agent {ch.exten} answers"),
        Step("Ringing", _s("")),
        Step("Wait", _s(f"{ring_s:g}")),
        Step("Answer", _s("")),
        Step("Wait", _s("3600")),
        Step("Hangup", _s("")),
    )


def capture_dialplan() -> Dialplan:
    """The dialplan the real-Asterisk captures were recorded with (Local-channel agents)."""
    plan = Dialplan()
    add_contract(
        plan,
        {"5001": "support"},
        "sales",
        lambda ch: f"Local/{ch.exten}@sim-agent/m,8",
        agent_pattern="_X.",
        failed_extension=False,
        cdr_userfield=False,
        survey=False,
        customer_id=recorded_customer_id,
    )
    plan.add(
        "cc-connect-xfer",
        "_X.",
        Step("NoOp", lambda ch: f"CC connect with transfer rights {ch.name} to agent {ch.exten}"),
        Step("Set", lambda ch: f"CC_AGENT={ch.exten}"),
        Step("Set", _s("__TRANSFER_CONTEXT=sim-agent")),
        Step("Dial", lambda ch: f"Local/{ch.exten}@sim-agent/m,8,t"),
        Step("NoOp", lambda ch: f"CC dial result {ch.var('DIALSTATUS')}"),
        Step("Hangup", _s("")),
    )
    add_sim_phones(plan)
    return plan


def agent_dial(ring_timeout_s: int, options: str = "") -> Render:
    """cc-connect's Dial argument: ``${CC_AGENT_ENDPOINT}`` (set by the bridge) or
    ``PJSIP/<agent>``, for ``${CC_RING_TIMEOUT_S}`` (the channel's, set by the bridge from the
    queue's ring timeout, else the dialplan's global)."""

    def target(ch: Channel) -> str:
        endpoint = ch.var("CC_AGENT_ENDPOINT") or f"PJSIP/{ch.exten}"
        timeout = ch.var("CC_RING_TIMEOUT_S") or str(ring_timeout_s)
        return f"{endpoint},{timeout}" + (f",{options}" if options else "")

    return target


def add_consult(plan: Dialplan, ring_timeout_s: int) -> None:
    """cc-consult and cc-consult-out: what a consultation (AMI ``Atxfer`` with one of them as
    its ``Context``) dials for an agent (``PJSIP/<agent>``) or an outside number (the trunk)."""

    def noop(what: str) -> Render:
        return lambda ch: f"CC consult {what} {ch.exten}"

    def dial(template: str) -> Render:
        timeout = str(ring_timeout_s)
        return lambda ch: (
            f"{template.format(exten=ch.exten)},{ch.var('CC_RING_TIMEOUT_S') or timeout}"
        )

    for context, pattern, what, template in (
        ("cc-consult", AGENT_PATTERN, "agent", "PJSIP/{exten}"),
        ("cc-consult-out", "_X.", "outside number", "PJSIP/{exten}@trunk"),
    ):
        plan.add(
            context,
            pattern,
            Step("NoOp", noop(what)),
            Step("Dial", dial(template)),
            Step("Hangup", _s("")),
        )


def contract_dialplan(
    did_queues: Mapping[str, str],
    default_queue: str,
    ring_timeout_s: int = 15,
    recorded_queues: frozenset[str] = frozenset(),
) -> Dialplan:
    """The deployment dialplan: cc-connect dials ``${CC_AGENT_ENDPOINT}`` (set by the bridge)
    with option ``t`` (the agent's leg may start an attended transfer: the consultation);
    callers of ``recorded_queues`` hear the recording notice before they wait."""
    plan = Dialplan()
    add_contract(
        plan,
        did_queues,
        default_queue,
        agent_dial(ring_timeout_s, "t"),
        recorded_queues=recorded_queues,
    )
    add_consult(plan, ring_timeout_s)
    add_sim_phones(plan)
    return plan
