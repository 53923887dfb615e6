"""Reading recorded AMI sessions (tests/fixtures/ami/): pure, no I/O beyond the bytes given.

The real-asterisk ``*.ami`` files hold the received bytes verbatim (CRLF) with the actions the
client sent interleaved as blocks of lines starting with ``>>> `` (the first one
``>>> SENT +1.234s``). ``split_capture`` returns the two directions in wire order; the other
``*.txt`` captures are plain frames (LF), some with the client's ``Action:`` frames inline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telephony.ami_frames import Frame, parse_frames

SENT_PREFIX = b">>> "


@dataclass(frozen=True, slots=True)
class Chunk:
    direction: Literal["sent", "received"]
    data: bytes
    at_s: float | None = None  # seconds since connect, for sent blocks


def split_capture(raw: bytes) -> list[Chunk]:
    """Received byte runs and sent action blocks, in the order they crossed the wire."""
    chunks: list[Chunk] = []
    received: list[bytes] = []
    sent: list[bytes] = []
    at_s: float | None = None
    for line in raw.splitlines(keepends=True):
        if not line.startswith(SENT_PREFIX):
            received.append(line)
            continue
        body = line[len(SENT_PREFIX) :]
        if body.startswith(b"SENT +"):
            if received:
                chunks.append(Chunk("received", b"".join(received)))
                received = []
            try:
                at_s = float(body[6:].strip().rstrip(b"s"))
            except ValueError:
                at_s = None
            continue
        sent.append(body)
        if body.strip() == b"":
            chunks.append(Chunk("sent", b"".join(sent), at_s))
            sent = []
    if received:
        chunks.append(Chunk("received", b"".join(received)))
    return chunks


def received_bytes(raw: bytes) -> bytes:
    """The exact byte stream the client received (every ``>>> `` line removed)."""
    return b"".join(c.data for c in split_capture(raw) if c.direction == "received")


def capture_frames(raw: bytes) -> list[Frame]:
    """Every frame of a capture in wire order: received frames and the actions sent."""
    frames: list[Frame] = []
    rest = b""
    for chunk in split_capture(raw):
        if chunk.direction == "sent":
            sent, _, _ = parse_frames(chunk.data)
            frames += sent
            continue
        got, rest, _ = parse_frames(rest + chunk.data)
        frames += got
    return frames
