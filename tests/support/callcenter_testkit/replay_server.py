"""A small AMI server over real TCP that replays a real-asterisk capture, byte-exact (CRLF).

Test helper, not a test. The capture is cut into steps: an action the recording client sent and
the bytes Asterisk sent after it. The server writes the banner, answers Login (the capture's own
response, or the ``02-login-failure`` error and a closed socket for a wrong secret), answers the
bridge's resynchronisation ``Status`` with ``status_items``, then plays the steps. A step whose
action kind is in ``wait_for`` is played only when the client sends that action: the capture's
response goes back with the client's ActionID. Bytes are written in small pieces so that frames
arrive cut at arbitrary places.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path

from telephony.ami_frames import Frame, format_frame, parse_frames
from telephony.captures import split_capture

REAL = Path(__file__).resolve().parents[2] / "fixtures" / "ami" / "real-asterisk"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"


@dataclass
class Step:
    action: Frame | None
    data: bytes


def load_steps(path: Path) -> list[Step]:
    steps: list[Step] = [Step(None, b"")]
    for chunk in split_capture(path.read_bytes()):
        if chunk.direction == "sent":
            frames, _, _ = parse_frames(chunk.data)
            steps.append(Step(frames[0] if frames else Frame([]), b""))
        else:
            steps[-1].data += chunk.data
    steps[0].data = steps[0].data.removeprefix(BANNER)
    return steps


def with_action_id(data: bytes, old: str | None, new: str) -> bytes:
    if not old:
        return data
    return re.sub(
        rb"ActionID: " + re.escape(old.encode()) + rb"\r\n",
        b"ActionID: " + new.encode() + b"\r\n",
        data,
    )


@dataclass
class ReplayServer:
    capture: str
    secret: str = "ccsecret"
    wait_for: tuple[str, ...] = ()
    status_items: list[list[tuple[str, str]]] = field(default_factory=list)  # from session 2 on
    stop_before: str | None = None  # stop playing (and drop the connection) before this step
    piece_size: int = 97
    cut_at: tuple[bytes, ...] = ()  # drop the connection after the frame holding all of these
    resume: bool = True  # after the drop, play the rest on the next session (else: the end)
    hang_up_on_login: tuple[int, ...] = ()  # these sessions (1, 2 ...) get no Login answer
    before_play: bytes = b""  # written once, after the first Status list and before the steps
    received: list[Frame] = field(default_factory=list)
    logins: int = 0
    port: int = 0

    def __post_init__(self) -> None:
        self.steps = load_steps(REAL / self.capture)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.cursor = 1  # steps[0] is what came before the Login
        self.login_seen = asyncio.Event()  # set at every Login (``wait_logins``)
        self._resume = b""
        self.sessions = 0

    async def start(self) -> ReplayServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        for w in list(self._writers):
            w.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def wait_logins(self, n: int) -> None:
        """Until ``n`` Login actions have come in (no clock involved)."""
        while self.logins < n:
            self.login_seen.clear()
            await self.login_seen.wait()

    async def drop_connections(self) -> None:
        for w in list(self._writers):
            w.close()

    async def _emit(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        """Write capture bytes; at ``cut_at`` keep the rest for the next session and drop."""
        end = _frame_end(data, self.cut_at) if self.cut_at else None
        if end is not None:
            await self._write(writer, data[:end])
            self._resume, self.cut_at = data[end:], ()
            if not self.resume:
                self._resume, self.cursor = b"", len(self.steps)
            raise _Dropped
        await self._write(writer, data)

    async def _write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        for i in range(0, len(data), self.piece_size):
            writer.write(data[i : i + self.piece_size])
            await writer.drain()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            await self._session(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, _Dropped):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(BANNER)
        self.sessions += 1
        rest = b""
        playing = False
        while True:
            data = await reader.read(4096)
            if not data:
                return
            frames, rest, _ = parse_frames(rest + data)
            for frame in frames:
                self.received.append(frame)
                kind = (frame.action or "").lower()
                aid = frame.action_id or ""
                if kind == "login":
                    self.logins += 1
                    self.login_seen.set()
                    if self.sessions in self.hang_up_on_login:
                        writer.close()
                        return
                    if frame.get("Secret") != self.secret:
                        await self._write(
                            writer,
                            format_frame(
                                [
                                    ("Response", "Error"),
                                    ("ActionID", aid),
                                    ("Message", "Authentication failed"),
                                ]
                            ),
                        )
                        writer.close()
                        return
                    step = self.steps[1]
                    await self._write(writer, with_action_id(step.data, step.action.action_id, aid))
                    self.cursor = max(self.cursor, 2)
                elif kind == "status" and not frame.get("Channel"):
                    out = format_frame(
                        [
                            ("Response", "Success"),
                            ("ActionID", aid),
                            ("EventList", "start"),
                            ("Message", "Channel status will follow"),
                        ]
                    )
                    items = self.status_items if self.sessions > 1 else []
                    for item in items:
                        out += format_frame([*item, ("ActionID", aid)])
                    n = str(len(items))
                    out += format_frame(
                        [
                            ("Event", "StatusComplete"),
                            ("ActionID", aid),
                            ("EventList", "Complete"),
                            ("ListItems", n),
                            ("Items", n),
                        ]
                    )
                    await self._write(writer, out)
                    if self.before_play:
                        before, self.before_play = self.before_play, b""
                        await self._write(writer, before)
                    if self._resume:
                        resume, self._resume = self._resume, b""
                        await self._emit(writer, resume)
                    playing = True
                elif kind == "ping":
                    await self._write(
                        writer,
                        format_frame(
                            [
                                ("Response", "Success"),
                                ("ActionID", aid),
                                ("Ping", "Pong"),
                                ("Timestamp", "1795381465.000000"),
                            ]
                        ),
                    )
                elif (
                    self.cursor < len(self.steps)
                    and self._action_kind(self.cursor) == kind
                    and kind == "redirect"
                    and frame.get("Channel") != self.steps[self.cursor].action.get("Channel")
                ):
                    # as capture 12 shows for a Redirect of a channel that is not there
                    await self._write(
                        writer,
                        format_frame(
                            [
                                ("Response", "Error"),
                                ("ActionID", aid),
                                ("Message", f"Channel does not exist: {frame.get('Channel')}"),
                            ]
                        ),
                    )
                elif self.cursor < len(self.steps) and self._action_kind(self.cursor) == kind:
                    step = self.steps[self.cursor]
                    self.cursor += 1
                    await self._emit(writer, with_action_id(step.data, step.action.action_id, aid))
                elif kind == "setvar":
                    await self._write(
                        writer,
                        format_frame(
                            [
                                ("Response", "Success"),
                                ("ActionID", aid),
                                ("Message", "Variable Set"),
                            ]
                        ),
                    )
                else:
                    await self._write(
                        writer,
                        format_frame(
                            [
                                ("Response", "Error"),
                                ("ActionID", aid),
                                (
                                    "Message",
                                    f"Invalid/unknown command: {frame.action}. Use Action: "
                                    "ListCommands to show available commands.",
                                ),
                            ]
                        ),
                    )
            if playing and not await self._play(writer):
                return

    def _action_kind(self, i: int) -> str:
        action = self.steps[i].action
        return (action.action or "").lower() if action is not None else ""

    async def _play(self, writer: asyncio.StreamWriter) -> bool:
        """Play steps until one waits for the client; False when the connection was dropped."""
        while self.cursor < len(self.steps):
            kind = self._action_kind(self.cursor)
            if self.stop_before and kind == self.stop_before.lower():
                writer.close()
                return False
            if kind in self.wait_for or kind == "logoff":
                return True
            step = self.steps[self.cursor]
            self.cursor += 1
            await self._emit(writer, step.data)
        return True


def _frame_end(data: bytes, markers: tuple[bytes, ...]) -> int | None:
    """End offset of the first frame in ``data`` that holds every marker."""
    start = 0
    while True:
        end = data.find(b"\r\n\r\n", start)
        if end < 0:
            return None
        if all(m in data[start:end] for m in markers):
            return end + 4
        start = end + 4


class _Dropped(Exception):
    """The scripted connection drop."""
