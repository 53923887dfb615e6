"""A raw AMI client for the simulator tests, and advancing the simulator's clock beside it."""

from __future__ import annotations

import asyncio

from telephony.ami_frames import Frame, parse_frames
from telephony.simulator import Simulator

USER = "cc"


SECRET = "s3cret"


class Ami:
    """A raw AMI client for tests: send actions, read responses and events."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.buffer = b""
        self.frames: list[Frame] = []
        self.closed = False
        self._n = 0

    @classmethod
    async def connect(cls, sim: Simulator) -> Ami:
        reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
        assert await reader.readline() == b"Asterisk Call Manager/11.0.0\r\n"
        return cls(reader, writer)

    async def _read(self, timeout_s: float) -> None:
        try:
            data = await asyncio.wait_for(self.reader.read(65536), timeout_s)
        except TimeoutError:
            return
        if not data:
            self.closed = True
            return
        frames, self.buffer, errors = parse_frames(self.buffer + data)
        assert not errors
        self.frames += frames

    async def action(self, name: str, *pairs: tuple[str, str]) -> Frame:
        self._n += 1
        action_id = f"t-{self._n}"
        lines = [("Action", name), ("ActionID", action_id), *pairs]
        self.writer.write("".join(f"{k}: {v}\r\n" for k, v in lines).encode() + b"\r\n")
        await self.writer.drain()
        for _ in range(100):
            for f in self.frames:
                if f.event is None and f.action_id == action_id:
                    return f
            if self.closed:
                break
            await self._read(1.0)
        raise AssertionError(f"no response to {name}")

    async def login(self, secret: str = SECRET) -> Frame:
        return await self.action("Login", ("Username", USER), ("Secret", secret))

    async def settle(self) -> None:
        """Everything sent so far has arrived (a Ping round trip; its response is dropped)."""
        if self.closed:
            return
        pong = await self.action("Ping")
        self.frames = [f for f in self.frames if f is not pong]

    def events(self, name: str, **match: str) -> list[Frame]:
        return [
            f
            for f in self.frames
            if f.event == name and all(f.get(k) == v for k, v in match.items())
        ]


async def advance(sim: Simulator, ami: Ami, seconds: float, step_s: float = 0.5) -> None:
    t = 0.0
    while t < seconds:
        await sim.advance(step_s)
        await ami.settle()
        t += step_s
