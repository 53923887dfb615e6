"""Effects returned by the Lua scripts → domain events and telephony commands. Pure.

The scripts describe what happened (an event's type, ids and payload, the parts of its id, its
time) and what telephony must do; this module turns them into ``DomainEvent`` / ``Command``
values the same way every time, so an outbox entry published twice (router died after
publishing, before removing it) gives the same ids and consumers drop the duplicate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from queueing.stats import average_handle_s, expected_wait_s
from store.events import DomainEvent, make_event_id
from telephony.commands import Command


def _payload(p: Any) -> dict[str, Any]:
    if not isinstance(p, dict):
        return {}  # cjson encodes an empty table as a JSON object or array
    if "wait_ms" in p:
        p = {**p, "wait_ms": int(p["wait_ms"])}
    return p


def to_messages(effects: list[dict[str, Any]], default_handle_s: float) -> list[DomainEvent | Command]:
    out: list[DomainEvent | Command] = []
    for fx in effects:
        if "e" in fx:
            out.append(
                DomainEvent(
                    id=make_event_id(*fx["k"]),
                    ts=datetime.fromtimestamp(int(fx["ts"]) / 1000, UTC),
                    type=fx["e"],
                    call_id=fx.get("c") or None,
                    agent_id=fx.get("a") or None,
                    payload=_payload(fx.get("p")),
                )
            )
        else:
            args = dict(fx["args"])
            if fx["cmd"] == "announce":
                x = fx.get("x") or {}
                handle_s = average_handle_s(int(x.get("handle_ms", 0)), int(x.get("handled", 0)))
                args["wait_s"] = expected_wait_s(
                    int(args["position"]), int(x.get("agents", 0)), handle_s or default_handle_s
                )
            out.append(Command(id=fx["id"], kind=fx["cmd"], args=args))
    return out
