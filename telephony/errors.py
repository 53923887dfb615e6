"""Exceptions of the telephony package.

TelephonyError
 ├── FrameError        a malformed AMI frame (returned by ``parse_frames``, raised by ``format_frame``)
 │   └── OversizedFrameError  a frame over ``MAX_FRAME_BYTES``, dropped (``FrameReader``)
 ├── AmiLoginError     Asterisk refused the login (wrong username/secret)
 ├── AmiActionError    an AMI action got ``Response: Error`` (or no response in time)
 └── CommandTargetError a command names a call or agent the bridge does not know
"""

from __future__ import annotations


class TelephonyError(Exception):
    """Base of every telephony error."""


class FrameError(TelephonyError):
    """A malformed AMI frame: ``raw`` holds its bytes, ``reason`` what is wrong with it."""

    def __init__(self, reason: str, raw: bytes = b"") -> None:
        self.reason = reason
        self.raw = raw
        super().__init__(f"malformed AMI frame: {reason}: {raw[:120]!r}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrameError) and (self.reason, self.raw) == (
            other.reason,
            other.raw,
        )

    def __hash__(self) -> int:
        return hash((self.reason, self.raw))


class OversizedFrameError(FrameError):
    """A frame longer than the reader's bound, dropped; ``raw`` holds its first bytes."""

    def __init__(self, max_frame_bytes: int, head: bytes) -> None:
        self.max_frame_bytes = max_frame_bytes
        super().__init__(
            f"frame over {max_frame_bytes} bytes dropped, reading resumes at the next frame",
            head[:120],
        )


class AmiLoginError(TelephonyError):
    """Asterisk answered the Login with an error (``message`` is its text)."""

    def __init__(self, username: str, message: str) -> None:
        self.username = username
        self.message = message
        super().__init__(f"AMI login refused for user {username!r}: {message}")


class AmiActionError(TelephonyError):
    """An AMI action failed: ``action`` is its name, ``message`` Asterisk's error text."""

    def __init__(self, action: str, message: str) -> None:
        self.action = action
        self.message = message
        super().__init__(f"AMI action {action} failed: {message}")


class CommandTargetError(TelephonyError):
    """A command names something the bridge cannot act on (``field`` = the argument)."""

    def __init__(self, field: str, value: object, message: str) -> None:
        self.field = field
        self.value = value
        self.message = message
        super().__init__(f"{field}={value!r}: {message}")
