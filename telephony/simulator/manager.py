"""The AMI side of the simulated PBX: sessions, Login, and every action the platform sends.

Pure module (Asterisk's ``manager.c`` in miniature): ``Manager.handle(session_id, frame)``
validates an action, applies it to the ``Engine`` and queues the response and events in the
engine's output. Response texts, their order and the security events are those of Asterisk 22
(``tests/fixtures/ami/real-asterisk/`` files 01-03, 11 and 12): field checks come before channel
lookups, an unknown action also raises a ``RequestBadFormat`` security event, a failed Login is
answered and then the connection is closed.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from datetime import UTC, datetime

from telephony.ami_frames import Frame
from telephony.simulator.control_actions import ControlActions
from telephony.simulator.engine import Engine
from telephony.simulator.model import Channel, OriginateJob, Pairs, Session
from telephony.simulator.originate import originate

BANNER = "Asterisk Call Manager/11.0.0"
UNSET = "(null)"  # how Status with Variables lists a variable that is not set (capture 16)
CHANNEL_BUCKETS = 1567  # AST_NUM_CHANNEL_BUCKETS (main/channel.c)


def _tv(wall_s: float) -> str:
    dt = datetime.fromtimestamp(wall_s, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def _duration(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


class Manager(ControlActions):
    """Asterisk Manager Interface over an ``Engine``; the TCP server does the I/O (the call
    control actions: ``control_actions.ControlActions``)."""

    engine: Engine

    def __init__(self, engine: Engine, username: str, secret: str) -> None:
        self.engine = engine
        self.username = username
        self.secret = secret
        self.sessions: dict[int, Session] = {}
        self.boot_wall_s = engine.wall_s()

    # ------------------------------------------------------------------ sessions

    def connect(self, session: Session) -> None:
        self.sessions[session.session_id] = session

    def disconnect(self, session_id: int) -> None:
        self.sessions.pop(session_id, None)

    def _respond(
        self, session: Session, frame: Frame, response: str, *pairs: tuple[str, str]
    ) -> None:
        out: Pairs = [("Response", response)]
        action_id = frame.action_id
        if action_id is not None:
            out.append(("ActionID", action_id))
        out.extend(pairs)
        self.engine.emit(out, session.session_id)

    def _error(self, session: Session, frame: Frame, message: str) -> None:
        self._respond(session, frame, "Error", ("Message", message))

    def _success(self, session: Session, frame: Frame, message: str) -> None:
        self._respond(session, frame, "Success", ("Message", message))

    def _security(
        self, name: str, session: Session, severity: str, version: str, *extra: tuple[str, str]
    ) -> Pairs:
        return [
            ("Event", name),
            ("Privilege", "security,all"),
            ("EventTV", _tv(self.engine.wall_s())),
            ("Severity", severity),
            ("Service", "AMI"),
            ("EventVersion", version),
            *extra,
        ]

    # ------------------------------------------------------------------ dispatch

    def handle(self, session_id: int, frame: Frame) -> bool:
        """Apply one client frame; returns False when the connection must be closed."""
        session = self.sessions[session_id]
        action = frame.action
        if action is None:
            self._error(session, frame, "Missing action in request")
            self._bad_format(session, "Action: NONE")
            return True
        name = action.strip().lower()
        if name == "login":
            return self._login(session, frame)
        if name == "logoff":
            self._respond(session, frame, "Goodbye", ("Message", "Thanks for all the fish."))
            session.closing = True
            return False
        if not session.authenticated:
            self._error(session, frame, "Authentication Required")
            return True
        handler = getattr(self, f"_action_{name}", None)
        if handler is None:
            self._error(
                session,
                frame,
                f"Invalid/unknown command: {action}. Use Action: ListCommands to show available commands.",
            )
            self._bad_format(session, f"Action: {action}")
            return True
        handler(session, frame)
        return True

    def _bad_format(self, session: Session, request_type: str) -> None:
        self.engine.emit(
            self._security(
                "RequestBadFormat",
                session,
                "Error",
                "1",
                ("SessionID", session.hex_id),
                ("LocalAddress", session.local_address),
                ("RemoteAddress", session.remote_address),
                ("RequestType", request_type),
                ("SessionTV", _tv(session.started_wall_s)),
                ("AccountID", session.username or self.username),
            )
        )

    def _login(self, session: Session, frame: Frame) -> bool:
        username = frame.get("Username") or ""
        if username == self.username and (frame.get("Secret") or "") == self.secret:
            session.authenticated = True
            session.username = username
            self._success(session, frame, "Authentication accepted")
            uptime = str(int(self.engine.wall_s() - self.boot_wall_s))
            self.engine.emit(
                [
                    ("Event", "FullyBooted"),
                    ("Privilege", "system,all"),
                    ("Uptime", uptime),
                    ("LastReload", uptime),
                    ("Status", "Fully Booted"),
                ],
                session.session_id,
            )
            self.engine.emit(
                self._security(
                    "SuccessfulAuth",
                    session,
                    "Informational",
                    "1",
                    ("AccountID", username),
                    ("SessionID", session.hex_id),
                    ("LocalAddress", session.local_address),
                    ("RemoteAddress", session.remote_address),
                    ("UsingPassword", "0"),
                    ("SessionTV", _tv(session.started_wall_s)),
                )
            )
            return True
        self._error(session, frame, "Authentication failed")
        self.engine.emit(
            self._security(
                "InvalidPassword",
                session,
                "Error",
                "2",
                ("AccountID", username),
                ("SessionID", session.hex_id),
                ("LocalAddress", session.local_address),
                ("RemoteAddress", session.remote_address),
                ("SessionTV", "1970-01-01T00:00:00.000+0000"),
            )
        )
        session.closing = True
        return False

    # ------------------------------------------------------------------ simple actions

    def _action_ping(self, session: Session, frame: Frame) -> None:
        wall = self.engine.wall_s()
        self._respond(session, frame, "Success", ("Ping", "Pong"), ("Timestamp", f"{wall:.6f}"))

    def _action_events(self, session: Session, frame: Frame) -> None:
        mask = (frame.get("EventMask") or "on").lower()
        self._respond(session, frame, "Success", ("Events", "Off" if mask == "off" else "On"))

    def _action_userevent(self, session: Session, frame: Frame) -> None:
        name = frame.get("UserEvent")
        if not name:
            self._error(session, frame, "UserEvent needs a UserEvent header")
            return
        self._success(session, frame, "Event Sent")
        extra = [
            (k, v) for k, v in frame.pairs if k.lower() not in ("action", "actionid", "userevent")
        ]
        self.engine.emit(
            [("Event", "UserEvent"), ("Privilege", "user,all"), ("UserEvent", name), *extra]
        )

    # ------------------------------------------------------------------ channel actions

    def _action_hangup(self, session: Session, frame: Frame) -> None:
        name = frame.get("Channel")
        if not name:
            self._error(session, frame, "No channel specified")
            return
        ch = self.engine.find_channel(name)
        if ch is None:
            self._error(session, frame, "No such channel")
            return
        cause_text = frame.get("Cause")
        cause = int(cause_text) if cause_text and cause_text.strip().isdigit() else None
        self._success(session, frame, "Channel Hungup")
        self.engine.hangup(ch, cause)

    def _action_redirect(self, session: Session, frame: Frame) -> None:
        name = frame.get("Channel")
        if not name:
            self._error(session, frame, "Channel not specified")
            return
        exten = frame.get("Exten") or ""
        context = frame.get("Context") or ""
        priority_text = (frame.get("Priority") or "1").strip()
        ch = self.engine.find_channel(name)
        if ch is None:
            self._error(session, frame, f"Channel does not exist: {name}")
            return
        if not priority_text.isdigit():
            self._error(session, frame, "Invalid priority")
            return
        if not exten or not self.engine.dialplan.exists(context or ch.context, exten):
            self._error(session, frame, "Redirect failed")
            return
        extra = None
        extra_name = frame.get("ExtraChannel")
        if extra_name:
            other = self.engine.find_channel(extra_name)
            extra_exten = frame.get("ExtraExten") or exten
            extra_context = frame.get("ExtraContext") or context or ch.context
            extra_priority = (frame.get("ExtraPriority") or "1").strip()
            if other is None:
                self._error(session, frame, f"ExtraChannel does not exist: {extra_name}")
                return
            if not extra_priority.isdigit():
                self._error(session, frame, "Invalid extra priority")
                return
            extra = (other, extra_context, extra_exten, int(extra_priority))
        self._success(session, frame, "Redirect successful")
        self.engine.redirect(ch, context or ch.context, exten, int(priority_text), extra)

    def _action_bridge(self, session: Session, frame: Frame) -> None:
        name1, name2 = frame.get("Channel1"), frame.get("Channel2")
        if not name1 or not name2:
            self._error(session, frame, "Missing channel parameter in request")
            return
        one = self.engine.find_channel(name1)
        if one is None:
            self._error(session, frame, f"Channel1 does not exist: {name1}")
            return
        two = self.engine.find_channel(name2)
        if two is None:
            self._error(session, frame, f"Channel2 does not exist: {name2}")
            return
        self._success(session, frame, "Channels have been bridged")
        self.engine.bridge_channels(one, two)

    def _action_setvar(self, session: Session, frame: Frame) -> None:
        variable = frame.get("Variable")
        if not variable:
            self._error(session, frame, "No variable specified")
            return
        name = frame.get("Channel")
        value = frame.get("Value") or ""
        if name:
            ch = self.engine.find_channel(name)
            if ch is None:
                self._error(session, frame, "No such channel")
                return
            self.engine.set_var(ch, variable, value)
        self._success(session, frame, "Variable Set")

    def _action_getvar(self, session: Session, frame: Frame) -> None:
        variable = frame.get("Variable")
        if not variable:
            self._error(session, frame, "No variable specified")
            return
        name = frame.get("Channel")
        value = ""
        if name:
            ch = self.engine.find_channel(name)
            if ch is None:
                self._error(session, frame, "No such channel")
                return
            value = _channel_value(ch, variable)
        self._respond(session, frame, "Success", ("Variable", variable), ("Value", value))

    def _action_pjsipnotify(self, session: Session, frame: Frame) -> None:
        """res_pjsip_notify: one of Endpoint, URI or Channel; ``Variable: Event=talk`` makes a
        ringing phone of that endpoint answer (remote answer, as Yealink/Polycom/Snom allow)."""
        endpoint, uri, channel = (frame.get(k) or "" for k in ("Endpoint", "URI", "Channel"))
        if sum(1 for v in (endpoint, uri, channel) if v) > 1:
            self._error(
                session,
                frame,
                "PJSIPNotify requires either an endpoint name, a SIP URI, or a channel.  "
                "You must use only one of them.",
            )
            return
        headers = dict(v.partition("=")[::2] for v in frame.getall("Variable"))
        talk = any(k.lower() == "event" and v.lower() == "talk" for k, v in headers.items())
        if endpoint:
            for tech in ("sip/", "pjsip/"):
                if endpoint.lower().startswith(tech):
                    endpoint = endpoint[len(tech) :]
            if not self.engine.endpoint_known(endpoint):
                self._error(session, frame, f"Unable to retrieve endpoint {endpoint}")
                return
        elif channel:
            ch = self.engine.find_channel(channel)
            if ch is None or ch.tech != "PJSIP":
                self._error(session, frame, "Channel not found")
                return
            endpoint = ch.name.rpartition("-")[0].partition("/")[2]
        elif not uri:
            self._error(
                session,
                frame,
                "PJSIPNotify requires either an endpoint name, a SIP URI, or a channel.",
            )
            return
        self._success(session, frame, "NOTIFY sent")
        if talk and endpoint:
            self.engine.remote_answer(endpoint)

    def _action_originate(self, session: Session, frame: Frame) -> None:
        channel = frame.get("Channel")
        if not channel:
            self._error(session, frame, "Channel not specified")
            return
        if "/" not in channel:
            self._error(session, frame, "Invalid channel")
            return
        priority_text = (frame.get("Priority") or "1").strip()
        if not priority_text.isdigit():
            self._error(session, frame, "Invalid priority")
            return
        timeout_text = (frame.get("Timeout") or "30000").strip()
        try:
            timeout_s = int(timeout_text) / 1000
        except ValueError:
            self._error(session, frame, "Invalid timeout")
            return
        cid_num, cid_name = _parse_callerid(frame.get("CallerID"))
        variables: list[tuple[str, str]] = []
        for spec in frame.getall("Variable"):
            for item in spec.split(","):
                key, sep, value = item.partition("=")
                if sep and key:
                    variables.append((key.strip(), value))
        is_async = (frame.get("Async") or "").strip().lower() in ("true", "yes", "1", "on")
        job = OriginateJob(
            action_id=frame.action_id,
            session_id=session.session_id,
            dial_string=channel,
            context=frame.get("Context") or "default",
            exten=frame.get("Exten") or "s",
            priority=int(priority_text),
            application=frame.get("Application") or "",
            data=frame.get("Data") or "",
            cid_num=cid_num,
            cid_name=cid_name,
            timeout_s=timeout_s,
            variables=variables,
            is_async=is_async,
        )
        if is_async:
            self._success(session, frame, "Originate successfully queued")
        originate(self.engine, job)

    # ------------------------------------------------------------------ lists

    def _action_coreshowchannels(self, session: Session, frame: Frame) -> None:
        self._respond(
            session, frame, "Success", ("EventList", "start"), ("Message", "Channels will follow")
        )
        aid = [("ActionID", frame.action_id)] if frame.action_id is not None else []
        channels = container_order(self.engine.channels.values())
        for ch in channels:
            self.engine.emit(
                [
                    ("Event", "CoreShowChannel"),
                    *aid,
                    *ch.headers(),
                    ("Application", ch.app),
                    ("ApplicationData", ch.app_data),
                    ("Duration", _duration(self.engine.now_s - ch.created_at)),
                    ("BridgeId", ch.bridge.bridge_id if ch.bridge else ""),
                ],
                session.session_id,
            )
        self.engine.emit(
            [
                ("Event", "CoreShowChannelsComplete"),
                *aid,
                ("EventList", "Complete"),
                ("ListItems", str(len(channels))),
            ],
            session.session_id,
        )

    def _action_status(self, session: Session, frame: Frame) -> None:
        name = frame.get("Channel")
        if name and name.lower() != "all":
            ch = self.engine.find_channel(name)
            if ch is None:
                self._error(session, frame, "No such channel")
                return
            channels = [ch]
        else:
            channels = container_order(self.engine.channels.values())
        wanted = [v.strip() for v in (frame.get("Variables") or "").split(",") if v.strip()]
        self._respond(
            session,
            frame,
            "Success",
            ("EventList", "start"),
            ("Message", "Channel status will follow"),
        )
        aid = [("ActionID", frame.action_id)] if frame.action_id is not None else []
        for ch in channels:
            moh = ch.moh_on
            pairs: Pairs = [
                ("Event", "Status"),
                ("Privilege", "Call"),
                *ch.headers(),
                ("Type", ch.tech),
                ("DNID", ""),
                ("EffectiveConnectedLineNum", ch.conn_num),
                ("EffectiveConnectedLineName", ch.conn_name),
                ("TimeToHangup", "0"),
                ("BridgeID", ch.bridge.bridge_id if ch.bridge else ""),
                ("Application", ch.app),
                ("Data", ch.app_data),
                ("Nativeformats", "(slin)"),
                ("Readformat", "slin"),
                ("Readtrans", ""),
                ("Writeformat", "gsm" if moh else "slin"),
                ("Writetrans", "(gsm@8000)->(slin@8000)" if moh else ""),
                ("Callgroup", "0"),
                ("Pickupgroup", "0"),
                ("Seconds", str(int(self.engine.now_s - ch.created_at))),
            ]
            pairs += [("Variable", f"{v}={_channel_value(ch, v) or UNSET}") for v in wanted]
            pairs += aid
            self.engine.emit(pairs, session.session_id)
        self.engine.emit(
            [
                ("Event", "StatusComplete"),
                *aid,
                ("EventList", "Complete"),
                ("ListItems", str(len(channels))),
                ("Items", str(len(channels))),
            ],
            session.session_id,
        )


def _channel_name_hash(name: str) -> int:
    """Asterisk's ``ast_str_case_hash`` (djb2 over the lower-cased name, kept to 31 bits)."""
    h = 5381
    for c in name.lower().encode():
        h = (h * 33 ^ c) & 0xFFFFFFFF
    return h & 0x7FFFFFFF


def container_order(channels: Iterable[Channel]) -> list[Channel]:
    """The order ``Status`` and ``CoreShowChannels`` list channels in: Asterisk's channel
    container, a hash table of ``CHANNEL_BUCKETS`` buckets on the name, walked bucket by bucket,
    a bucket in insertion order. Neither creation order nor ``;1`` first: every list of the 15+
    real captures (11, 16, 17, 24) follows it."""
    indexed = list(enumerate(channels))
    indexed.sort(key=lambda ic: (_channel_name_hash(ic[1].name) % CHANNEL_BUCKETS, ic[0]))
    return [ch for _, ch in indexed]


def _channel_value(ch: Channel, variable: str) -> str:
    special = {
        "CHANNEL": ch.name,
        "UNIQUEID": ch.uniqueid,
        "CALLERID(num)": ch.cid_num,
        "CALLERID(name)": ch.cid_name,
    }
    if variable in special:
        return special[variable]
    return ch.var(variable)


def _parse_callerid(text: str | None) -> tuple[str | None, str | None]:
    """``"Alice" <15551230001>`` → ("15551230001", "Alice"); a bare number → (number, "")."""
    if text is None or not text.strip():
        return None, None
    text = text.strip()
    if "<" in text and text.endswith(">"):
        name, _, num = text[:-1].rpartition("<")
        name = name.strip()
        if name.startswith('"'):
            try:
                name = shlex.split(name)[0] if name else ""
            except ValueError:
                name = name.strip('"')
        return num.strip(), name
    return text, ""
