"""Channels and bridges of the simulated PBX, and the AMI header blocks that describe them.

Pure module. The header blocks reproduce Asterisk 22's snapshot layout exactly (field names and
order as in ``tests/fixtures/ami/real-asterisk/``): a channel snapshot is 14 fields
(``Channel`` … ``Linkedid``) that other events prefix (``Dest``, ``Spyer``, ``LocalOne`` …); a
bridge snapshot is 7 fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telephony.simulator.phones import Device

Pairs = list[tuple[str, str]]

STATE_DESC = {
    0: "Down",
    1: "Rsrvd",
    2: "OffHook",
    3: "Dialing",
    4: "Ring",
    5: "Ringing",
    6: "Up",
    7: "Busy",
}
DOWN, RING, RINGING, UP, BUSY = 0, 4, 5, 6, 7

CAUSE_TEXT = {
    0: "Unknown",
    3: "No route to destination",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    20: "Subscriber absent",
    21: "Call Rejected",
    34: "Circuit/channel congestion",
}

UNKNOWN = "<unknown>"


@dataclass(eq=False)
class Bridge:
    """A basic two-party bridge (Dial's bridge, or the consult bridge of a transfer)."""

    bridge_id: str
    members: list[Channel] = field(default_factory=list)

    def headers(self, prefix: str = "") -> Pairs:
        return [
            (f"{prefix}BridgeUniqueid", self.bridge_id),
            (f"{prefix}BridgeType", "basic"),
            (f"{prefix}BridgeTechnology", "simple_bridge"),
            (f"{prefix}BridgeCreator", UNKNOWN),
            (f"{prefix}BridgeName", UNKNOWN),
            (f"{prefix}BridgeNumChannels", str(len(self.members))),
            (f"{prefix}BridgeVideoSourceMode", "none"),
        ]


@dataclass(eq=False)
class Channel:
    """One Asterisk channel: identity, caller id, dialplan location, variables, what it runs."""

    name: str
    uniqueid: str
    linkedid: str
    created_at: float
    context: str
    exten: str
    priority: int = 1
    state: int = DOWN
    cid_num: str = UNKNOWN
    cid_name: str = UNKNOWN
    conn_num: str = UNKNOWN
    conn_name: str = UNKNOWN
    tech: str = "Local"
    variables: dict[str, str] = field(default_factory=dict)
    app: str = ""
    app_data: str = ""
    alive: bool = True
    # Local pairs: ``half`` is 1 or 2 and ``peer`` the other half; 0 for other technologies.
    half: int = 0
    peer: Channel | None = None
    # Runs dialplan (a PBX thread) rather than being a dialled leg or an originate channel.
    in_pbx: bool = False
    # What the channel is blocked in: "moh", "wait", "dial", "spy", "waitexten", "busy", "playback".
    blocked: str | None = None
    token: int = 0  # bumped whenever a pending timer of this channel must be ignored
    bridge: Bridge | None = None
    hangup_cause: int = 0
    hangup_pending: int | None = None  # cause queued by the peer / device, not yet acted on
    moh_on: bool = False
    redirecting: bool = False  # moved out of its bridge by a dual Redirect (hold)
    feature_digits: str = ""  # DTMF collected towards a bridge feature (*2 = attended transfer)
    xfer_digits: str | None = None  # transfer target being dialled after *2 (None: not now)
    xfer: Any = None  # the ConsultCall of an attended transfer this channel started
    # a caller id change not yet applied: it is, with a NewCallerid, at the channel's next
    # Newexten (shown there already) or at its Hangup (shown from the Hangup on)
    pending_cid: tuple[str, str] | None = None
    dial: Any = None  # the DialAttempt this channel runs as caller
    dialed_by: Any = None  # the DialAttempt / OriginateJob that created this channel
    spy: Any = None  # the SpySession this channel runs as spyer
    device: Device | None = None  # simulated phone behind a PJSIP channel
    dialed_string: str = ""  # how the dialler named it (DIALEDPEERNUMBER)
    on_gone: Any = None  # called once the channel has hung up (a failed Originate's response)
    read: ReadState | None = None  # the Read application collecting digits
    mixmonitor: MixMonitorState | None = None  # the recording of this channel, if any
    muted: set[str] = field(default_factory=set)  # MuteAudio: "in" (heard), "out" (said)
    cdr: Any = None  # its call detail records (``cdr.ChannelCdr``); None: a Dial's leg (party B)
    epoch_s: float = 0.0  # ${EPOCH}: the PBX's wall clock when the current priority runs

    def var(self, name: str, default: str = "") -> str:
        """``${NAME}``: as in Asterisk, a variable set for inheritance (``_NAME``, ``__NAME``)
        is found by its plain name too."""
        for key in (name, f"_{name}", f"__{name}"):
            if key in self.variables:
                return self.variables[key]
        return default

    def headers(self, prefix: str = "") -> Pairs:
        return [
            (f"{prefix}Channel", self.name),
            (f"{prefix}ChannelState", str(self.state)),
            (f"{prefix}ChannelStateDesc", STATE_DESC[self.state]),
            (f"{prefix}CallerIDNum", self.cid_num),
            (f"{prefix}CallerIDName", self.cid_name),
            (f"{prefix}ConnectedLineNum", self.conn_num),
            (f"{prefix}ConnectedLineName", self.conn_name),
            (f"{prefix}Language", "en"),
            (f"{prefix}AccountCode", ""),
            (f"{prefix}Context", self.context),
            (f"{prefix}Exten", self.exten),
            (f"{prefix}Priority", str(self.priority)),
            (f"{prefix}Uniqueid", self.uniqueid),
            (f"{prefix}Linkedid", self.linkedid),
        ]

    @property
    def device_name(self) -> str:
        """``Local/1001@sim-agent`` for ``Local/1001@sim-agent-00000001;1``; ``PJSIP/1001``."""
        base = self.name.rsplit(";", 1)[0] if self.half else self.name
        return base.rsplit("-", 1)[0]


def calling_pres(ch: Channel) -> tuple[str, str]:
    """The ``CID-CallingPres`` header of a NewCallerid: unavailable when the number is unknown."""
    if ch.cid_num == UNKNOWN:
        return ("CID-CallingPres", "67 (Number Unavailable)")
    return ("CID-CallingPres", "0 (Presentation Allowed, Not Screened)")


def event(name: str, *blocks: Pairs, privilege: str = "call,all") -> Pairs:
    out: Pairs = [("Event", name), ("Privilege", privilege)]
    for block in blocks:
        out.extend(block)
    return out


@dataclass(eq=False)
class ReadState:
    """``Read(variable,prompt,max_digits,...)`` waiting for digits."""

    variable: str
    max_digits: int
    digits: str = ""


@dataclass(eq=False)
class MixMonitorState:
    """A ``MixMonitor`` recording: its file, and the directions muted now."""

    file: str
    options: str = ""
    muted: set[str] = field(default_factory=set)


@dataclass(eq=False)
class OriginateJob:
    action_id: str | None
    session_id: int | None
    dial_string: str
    context: str
    exten: str
    priority: int
    application: str
    data: str
    cid_num: str | None
    cid_name: str | None
    timeout_s: float
    variables: list[tuple[str, str]]
    is_async: bool = True
    callee: Channel | None = None
    rang: bool = False
    done: bool = False


@dataclass(eq=False)
class DialAttempt:
    caller: Channel
    callee: Channel
    dialstring: str  # DialString / DIALEDPEERNUMBER
    started_at: float
    timeout_s: float | None
    options: str = ""
    rang_at: float | None = None
    answered_at: float | None = None
    done: bool = False


@dataclass(eq=False)
class SpySession:
    spyer: Channel
    target: str
    options: str
    spyee: Channel | None = None


@dataclass(eq=False)
class ConsultCall:
    """The consultation leg of an attended transfer (feature ``*2`` on a Dial with ``t``)."""

    transferer: Channel
    target: Channel
    orig_bridge: Bridge
    consult_bridge: Bridge
    rang: bool = False
    answered: bool = False


@dataclass
class Recording:
    """One MixMonitor recording: what the file would hold (seconds from its start)."""

    channel: str
    uniqueid: str
    file: str
    started_s: float
    stopped_s: float | None = None
    muted: list[tuple[str, float, float | None]] = field(default_factory=list)  # dir, from, to

    @property
    def length_s(self) -> float | None:
        """Start to stop: muted stretches are recorded as silence, not left out."""
        return None if self.stopped_s is None else self.stopped_s - self.started_s


@dataclass
class Session:
    session_id: int
    local_address: str  # "IPV4/TCP/127.0.0.1/5038"
    remote_address: str
    started_wall_s: float
    authenticated: bool = False
    username: str = ""
    closing: bool = False

    @property
    def hex_id(self) -> str:
        return f"0x{0x7F22CC0011A0 + self.session_id * 0x1000:x}"
