"""Commands for telephony: what the router, the web and the demo ask the bridge to do.

Pure module. Commands travel on the Redis stream ``StreamNames(prefix).commands`` as flat string
fields (``to_fields`` / ``from_fields``); the bridge's command executor reads them in a consumer
group, performs the AMI actions and publishes the outcome as a ``command.succeeded`` /
``command.failed`` domain event carrying the command id.

Calls are named by ``call_id`` (the bridge maps it to the Asterisk channel); agents by
``agent_id`` (the bridge maps it to the agent's endpoint dial string from the settings).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

COMMAND_KINDS: dict[str, tuple[str, ...]] = {
    # kind: required args (besides id)
    "connect": ("call_id", "agent_id"),  # Redirect a waiting caller to the connect extension
    "answer": ("call_id", "agent_id"),  # the agent's ringing phone answers (PJSIPNotify talk)
    "return_to_hold": ("call_id",),  # send a caller back to holding (keeps its place)
    "originate": ("call_id", "agent_id", "number"),  # outbound: Originate customer -> agent
    "hangup": ("call_id",),
    "hold": ("call_id",),  # music on hold for the customer
    "unhold": ("call_id",),
    # blind transfer: target "queue:<id>", "agent:<id>" or "number:<E.164>" (telephony.call_controls)
    "transfer": ("call_id", "target"),
    "mute": ("call_id", "muted"),  # the agent's voice muted (true) or not (false): MuteAudio
    "dtmf": ("call_id", "digits"),  # tones played to the customer's side: PlayDTMF per digit
    "spy": ("call_id", "agent_id", "mode", "supervisor"),  # mode listen|whisper|barge
    "spy_stop": ("call_id",),  # hang up the supervisors' spy legs on the call
    "announce": ("call_id", "position", "wait_s"),  # tell a waiting caller position and wait
    "recording_pause": ("call_id",),  # MixMonitorMute on: silence until resumed
    "recording_resume": ("call_id",),
    # warm transfer and conference (Asterisk's attended transfer, features.conf): consult
    # "agent:<id>" or "number:<digits>" while the customer holds; then complete (the customer
    # stays with the consulted party), back (the consulted party is hung up) or conference
    "consult": ("call_id", "target"),
    "consult_complete": ("call_id",),
    "consult_back": ("call_id",),
    "conference": ("call_id",),
}


class CommandError(ValueError):
    """A command is malformed; the message names the field."""


@dataclass(frozen=True, slots=True)
class Command:
    id: str
    kind: str
    args: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id:
            raise CommandError("id: must not be empty")
        if self.kind not in COMMAND_KINDS:
            raise CommandError(f"kind: unknown command {self.kind!r}")
        for name in COMMAND_KINDS[self.kind]:
            if self.args.get(name) in (None, ""):
                raise CommandError(f"{name}: required for {self.kind}")

    def to_fields(self) -> dict[str, str]:
        return {
            "id": self.id,
            "kind": self.kind,
            "args": json.dumps(self.args, separators=(",", ":"), sort_keys=True),
        }

    @classmethod
    def from_fields(cls, fields: dict[str, str] | dict[bytes, bytes]) -> Command:
        f = {
            (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in fields.items()
        }
        try:
            args = json.loads(f.get("args") or "{}")
        except json.JSONDecodeError as exc:
            raise CommandError(f"args: not JSON: {exc}") from exc
        if not isinstance(args, dict):
            raise CommandError("args: must be a JSON object")
        return cls(id=f.get("id", ""), kind=f.get("kind", ""), args=args)
