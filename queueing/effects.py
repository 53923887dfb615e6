"""What the Lua scripts leave in the outbox → stream entries for events and commands. Pure.

An outbox entry is three JSON documents joined by newlines (JSON text never holds a raw one):
the events as stream entries (flat ``[field, value, ...]`` lists with the fields of
``DomainEvent.to_fields``), the commands likewise (``Command.to_fields``), and the few effects
the scripts cannot finish themselves (an announcement's expected wait needs ``stats``), in the
form ``{"cmd", "id", "args", "x"}``. The scripts give events deterministic ids, so an entry
published twice (router died after publishing, before removing it) gives the same ids and
consumers drop the duplicate. Entries of the earlier format (one JSON list of effects, events as
``{"e", "c", "a", "p", "k", "ts"}``) are still understood.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from kernel.commands import Command
from kernel.events import DomainEvent, make_event_id
from queueing.stats import average_handle_s, expected_wait_s

Entry = list[str]  # a stream entry as a flat [field, value, ...] list


def _payload(p: Any) -> dict[str, Any]:
    if not isinstance(p, dict):
        return {}  # cjson encodes an empty table as a JSON object or array
    if "wait_ms" in p:
        p = {**p, "wait_ms": int(p["wait_ms"])}
    return p


def to_messages(
    effects: list[dict[str, Any]], default_handle_s: float
) -> list[DomainEvent | Command]:
    """Effects in the ``{"e" ...}`` / ``{"cmd" ...}`` form → events and commands."""
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


def _flat(fields: dict[str, str]) -> Entry:
    return [x for kv in fields.items() for x in kv]


def _items(doc: str) -> str:
    """The inside of a JSON list ('' when empty; cjson writes an empty list as ``{}``)."""
    doc = doc.strip()
    return "" if doc in ("[]", "{}", "") else doc[1:-1]


def split(data: str, default_handle_s: float) -> tuple[list[str], list[str]]:
    """One outbox entry → (events, commands), each a list of JSON fragments: the items of a
    JSON list of stream entries, to be joined with ``,`` inside ``[...]`` (no decoding of what
    the scripts already wrote)."""
    parts = data.split("\n")
    if len(parts) == 3:
        ev, cmd = [_items(parts[0])], [_items(parts[1])]
        rest = json.loads(parts[2])
    else:  # the earlier format
        ev, cmd = [], []
        rest = json.loads(data)
    for msg in to_messages(rest if isinstance(rest, list) else [], default_handle_s):
        target = ev if isinstance(msg, DomainEvent) else cmd
        target.append(json.dumps(_flat(msg.to_fields()), separators=(",", ":")))
    return [x for x in ev if x], [x for x in cmd if x]


def join(fragments: Iterable[str]) -> str:
    return "[" + ",".join(fragments) + "]"


def messages(data: str, default_handle_s: float) -> list[DomainEvent | Command]:
    """An outbox entry decoded into values (tests, tools; publishing does not decode)."""
    events, commands = split(data, default_handle_s)
    out: list[DomainEvent | Command] = []
    for entry in json.loads(join(events)):
        out.append(DomainEvent.from_fields(dict(zip(entry[::2], entry[1::2], strict=True))))
    for entry in json.loads(join(commands)):
        out.append(Command.from_fields(dict(zip(entry[::2], entry[1::2], strict=True))))
    return out
