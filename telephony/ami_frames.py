"""AMI framing: bytes to frames and back, without I/O.

Pure module, used by both ends of the wire (the bridge reads server frames, the PBX simulator
reads the client's actions). AMI is line based: ``Key: Value`` lines ending in CRLF (we also accept
a bare LF), a frame ends with an empty line. The very first line of a session is the banner
(``Asterisk Call Manager/11.0.0``) with no blank line after it.

``parse_frames(buffer)`` returns the complete frames, the unparsed rest (keep it and prepend it to
the next read: it may end in the middle of a line or of a UTF-8 character) and the malformed
blocks as ``FrameError`` values, so that a caller can log and skip them and keep going.

A ``Frame`` keeps its (key, value) pairs in wire order: the same key can repeat (``Variable:`` in a
``Status`` event) and header order is part of what the fidelity test compares. Lookups are
case-insensitive, as in Asterisk's own ``astman_get_header``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from telephony.errors import FrameError

__all__ = ["BANNER_KEY", "Frame", "FrameError", "format_frame", "parse_frames"]

BANNER_KEY = "Banner"
"""Key of the single pair of the pseudo-frame that ``parse_frames`` returns for the banner line."""

_FRAME_END = re.compile(rb"\r?\n\r?\n")
# "Asterisk Call Manager/11.0.0": a product name, a slash, a version; no colon.
_BANNER = re.compile(rb"[^:\r\n]{1,80}/[0-9][^:\r\n]{0,40}\r?\n")
_LEADING_BLANKS = re.compile(rb"(?:\r?\n)+")


class Frame:
    """One AMI message: ordered ``(key, value)`` pairs with case-insensitive lookup."""

    __slots__ = ("_first", "pairs")

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.pairs: tuple[tuple[str, str], ...] = tuple(pairs)
        first: dict[str, str] = {}
        for key, value in self.pairs:
            first.setdefault(key.lower(), value)
        self._first = first

    @classmethod
    def of(cls, **fields: str) -> Frame:
        """``Frame.of(Action="Ping", ActionID="1")``: a frame from keyword arguments, in order."""
        return cls(fields.items())

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first value of ``key`` (case-insensitive), else ``default``."""
        return self._first.get(key.lower(), default)

    def getall(self, key: str) -> list[str]:
        """Every value of ``key`` in wire order (``Variable:`` repeats in Status events)."""
        k = key.lower()
        return [v for kk, v in self.pairs if kk.lower() == k]

    def __getitem__(self, key: str) -> str:
        try:
            return self._first[key.lower()]
        except KeyError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._first

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def keys(self) -> list[str]:
        """Header names in wire order (repeats kept): what the fidelity test compares."""
        return [k for k, _ in self.pairs]

    def to_dict(self) -> dict[str, str]:
        """First value per key, original spelling of the key."""
        out: dict[str, str] = {}
        for key, value in self.pairs:
            out.setdefault(key, value)
        return out

    @property
    def event(self) -> str | None:
        return self._first.get("event")

    @property
    def response(self) -> str | None:
        return self._first.get("response")

    @property
    def action(self) -> str | None:
        return self._first.get("action")

    @property
    def action_id(self) -> str | None:
        return self._first.get("actionid")

    @property
    def banner(self) -> str | None:
        """The banner text when this is the banner pseudo-frame."""
        if len(self.pairs) == 1 and self.pairs[0][0] == BANNER_KEY:
            return self.pairs[0][1]
        return None

    def to_bytes(self) -> bytes:
        if self.banner is not None:
            return self.banner.encode() + b"\r\n"
        return format_frame(self.pairs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Frame) and self.pairs == other.pairs

    def __hash__(self) -> int:
        return hash(self.pairs)

    def __repr__(self) -> str:
        return f"Frame({list(self.pairs)!r})"


def parse_frames(buffer: bytes) -> tuple[list[Frame], bytes, list[FrameError]]:
    """Split ``buffer`` into complete frames, the unparsed rest and the malformed blocks.

    Never raises on any input. Frames come in wire order; each malformed block (a line without
    ``:``, an empty key) becomes one ``FrameError`` and parsing resumes after it. Invalid UTF-8 in a
    complete frame is replaced (U+FFFD), not fatal: Asterisk passes caller names through as sent.
    """
    frames: list[Frame] = []
    errors: list[FrameError] = []
    pos = 0
    size = len(buffer)
    while pos < size:
        blanks = _LEADING_BLANKS.match(buffer, pos)
        if blanks:
            pos = blanks.end()
            continue
        banner = _BANNER.match(buffer, pos)
        if banner:
            text = buffer[pos : banner.end()].rstrip(b"\r\n").decode("utf-8", "replace")
            frames.append(Frame(((BANNER_KEY, text),)))
            pos = banner.end()
            continue
        end = _FRAME_END.search(buffer, pos)
        if end is None:
            break
        block = buffer[pos : end.start()]
        pos = end.end()
        frame = _parse_block(block)
        if isinstance(frame, FrameError):
            errors.append(frame)
        else:
            frames.append(frame)
    return frames, buffer[pos:], errors


def _parse_block(block: bytes) -> Frame | FrameError:
    pairs: list[tuple[str, str]] = []
    text = block.decode("utf-8", "replace")
    for line in text.split("\n"):
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep:
            return FrameError(f"line without ':': {line[:60]!r}", block)
        if not key:
            return FrameError(f"empty key in line {line[:60]!r}", block)
        pairs.append((key, value.lstrip(" ").rstrip("\r")))
    return Frame(pairs)


def format_frame(pairs: Iterable[tuple[str, str]] | Mapping[str, object] | Frame) -> bytes:
    """Wire bytes of one frame: ``Key: Value`` lines with CRLF and the closing blank line.

    Raises ``FrameError`` naming the key when a key or value would break the framing (CR, LF, or
    a colon in a key): a value from a command must never inject a second AMI action.
    """
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    out: list[str] = []
    for key, value in items:
        v = "" if value is None else str(value)
        if not key or ":" in key or any(c in key for c in "\r\n"):
            raise FrameError(f"key {key!r}: empty, or contains ':' or a line break")
        if "\r" in v or "\n" in v:
            raise FrameError(f"{key}: value contains a line break: {v[:60]!r}")
        out.append(f"{key}: {v}\r\n")
    out.append("\r\n")
    return "".join(out).encode()
