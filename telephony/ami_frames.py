"""AMI framing: bytes to frames and back, without I/O.

Pure module, used by both ends of the wire (the bridge reads server frames, the PBX simulator
reads the client's actions). AMI is line based: ``Key: Value`` lines ending in CRLF (we also accept
a bare LF), a frame ends with an empty line. The very first line of a session is the banner
(``Asterisk Call Manager/11.0.0``) with no blank line after it.

``parse_frames(buffer)`` returns the complete frames, the unparsed rest (keep it and prepend it to
the next read: it may end in the middle of a line or of a UTF-8 character) and the malformed
blocks as ``FrameError`` values, so that a caller can log and skip them and keep going.

A reader of a live stream uses ``FrameReader`` instead: it keeps the rest itself, searches each
byte for a frame end only once (prepending the rest and searching it again on every read is
quadratic: an unterminated 30 MB frame once cost 16 s of CPU), and bounds a frame to
``MAX_FRAME_BYTES`` (1 MiB): a longer one is dropped as a ``FrameError`` holding its first bytes,
and reading resumes at the next frame boundary (a blank line).

A ``Frame`` keeps its (key, value) pairs in wire order: the same key can repeat (``Variable:`` in a
``Status`` event) and header order is part of what the fidelity test compares. Lookups are
case-insensitive, as in Asterisk's own ``astman_get_header``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from telephony.errors import FrameError, OversizedFrameError

__all__ = [
    "BANNER_KEY",
    "MAX_FRAME_BYTES",
    "Frame",
    "FrameError",
    "FrameReader",
    "OversizedFrameError",
    "format_frame",
    "parse_frames",
]

BANNER_KEY = "Banner"
"""Key of the single pair of the pseudo-frame that ``parse_frames`` returns for the banner line."""
MAX_FRAME_BYTES = 1 << 20
"""The largest frame a ``FrameReader`` accepts (Asterisk's biggest are a few KiB: a ``Status``
with variables, a long ``CoreShowChannel``)."""
_END_OVERLAP = 3  # a frame end (up to 4 bytes) may begin this many bytes before a read's end

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
    frames, pos, errors = _split(buffer, 0, None)
    return frames, bytes(buffer[pos:]), errors


def _split(
    buffer: bytes | bytearray, searched: int, max_frame_bytes: int | None
) -> tuple[list[Frame], int, list[FrameError]]:
    """Frames and errors of ``buffer``, and where its unparsed rest starts.

    ``searched``: the first bytes of ``buffer`` are already known to hold no frame end (the rest
    of an earlier call), so the search for the first one resumes just before there. A complete
    block longer than ``max_frame_bytes`` becomes a ``FrameError`` without being decoded."""
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
            text = bytes(buffer[pos : banner.end()]).rstrip(b"\r\n").decode("utf-8", "replace")
            frames.append(Frame(((BANNER_KEY, text),)))
            pos = banner.end()
            continue
        end = _FRAME_END.search(buffer, max(pos, searched - _END_OVERLAP))
        if end is None:
            break
        block = bytes(buffer[pos : end.start()])
        pos = end.end()
        if max_frame_bytes is not None and len(block) > max_frame_bytes:
            errors.append(OversizedFrameError(max_frame_bytes, block))
            continue
        frame = _parse_block(block)
        if isinstance(frame, FrameError):
            errors.append(frame)
        else:
            frames.append(frame)
    return frames, pos, errors


class FrameReader:
    """Frames of one byte stream as it arrives: ``feed(data) -> (frames, errors)``.

    Pure (no I/O): the bridge and the PBX simulator feed it what they read. The unparsed rest is
    kept in a ``bytearray`` (appending is cheap) and the search for a frame end resumes where the
    last one stopped, so each byte is searched once. A frame that grows past ``max_frame_bytes``
    without ending is reported once (a ``FrameError`` with its first bytes) and its bytes are
    skipped as they come, up to the next frame end; only the last 3 bytes are kept meanwhile, to
    find an end cut across two reads.
    """

    def __init__(self, max_frame_bytes: int = MAX_FRAME_BYTES) -> None:
        self.max_frame_bytes = max_frame_bytes
        self._rest = bytearray()
        self._searched = 0  # bytes of the rest known to hold no frame end
        self._dropping = False  # inside an oversized frame: skipping to its end
        self.dropped_bytes = 0  # bytes skipped in oversized frames, over the reader's life

    @property
    def pending(self) -> bytes:
        """The bytes kept for the next read (at most ``max_frame_bytes`` plus one read)."""
        return bytes(self._rest)

    def feed(self, data: bytes) -> tuple[list[Frame], list[FrameError]]:
        self._rest += data
        errors: list[FrameError] = []
        if self._dropping and not self._skipOversizedFrameError():
            return [], errors
        frames, pos, errors = _split(self._rest, self._searched, self.max_frame_bytes)
        del self._rest[:pos]
        self._searched = len(self._rest)
        if len(self._rest) > self.max_frame_bytes:
            errors.append(OversizedFrameError(self.max_frame_bytes, bytes(self._rest[:120])))
            self._dropping = True
            self._skipOversizedFrameError()
        return frames, errors

    def _skipOversizedFrameError(self) -> bool:
        """Drop the oversized frame's bytes up to its end; True once the end was found (what
        follows it stays in the rest, not yet searched)."""
        end = _FRAME_END.search(self._rest, max(0, self._searched - _END_OVERLAP))
        if end is None:
            keep = min(len(self._rest), _END_OVERLAP)
            self.dropped_bytes += len(self._rest) - keep
            del self._rest[: len(self._rest) - keep]
            self._searched = keep
            return False
        self.dropped_bytes += end.end()
        del self._rest[: end.end()]
        self._searched = 0
        self._dropping = False
        return True


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
        # one space separates key and value; more belong to the value (RTCP stats: capture 19)
        pairs.append((key, value.removeprefix(" ").rstrip("\r")))
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
