"""Domain events in → routing operations for the Lua scripts. Pure.

``to_ops`` returns ``(domain, op)`` pairs: an event naming a queue or an agent goes to that
domain; one naming only a call goes to every domain (each ignores calls it does not know).
Events the router itself publishes, and those that change nothing in routing, give no op.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kernel.events import DomainEvent
from queueing.errors import CallError
from queueing.rules import QueuePlan, call_priority

Op = dict[str, Any]
ROUTED_COMMANDS = ("connect", "originate")
ROUTED_TYPES = frozenset(
    {
        "call.arrived",
        "call.originated",
        "call.answered",
        "call.connect_failed",
        "call.abandoned",
        "call.ended",
        "call.failed",
        "call.transferred",
        "command.failed",
    }
)  # every other event (including the router's own) leaves routing as it is
CALL_OPS = {
    "call.answered": "answer",
    "call.connect_failed": "unreachable",
    "call.originated": "up",
}
PAYLOAD_TYPES = frozenset({"call.arrived", "call.transferred", "command.failed"})  # to_ops reads
# the payload of these only


def ts_ms(event: DomainEvent) -> int:
    return int(event.ts.timestamp() * 1000)


def parse_command_id(command_id: str) -> tuple[str, str, int] | None:
    """``"<call_id>|<kind>|<offer>"`` (ids of the router's commands) → parts, else ``None``."""
    parts = command_id.rsplit("|", 2)
    if len(parts) != 3 or not parts[0] or not parts[2].isdigit():
        return None
    return parts[0], parts[1], int(parts[2])


def to_ops(
    event: DomainEvent,
    plans: Mapping[str, QueuePlan],
    agent_domain: Callable[[str], str],
    domains: Sequence[str],
) -> list[tuple[str, Op]]:
    """Raises ``CallError`` for a routed call with bad routing data (e.g. unknown tier)."""
    t, p, call_id = event.type, event.payload, event.call_id
    everywhere = list(domains)
    if t == "call.arrived":
        queue_id = p.get("queue")
        if not queue_id or p.get("direction", "inbound") != "inbound":
            return []
        plan = plans.get(queue_id)
        if plan is None:
            return []
        try:
            prio = call_priority(plan.priority, p.get("tier"), int(p.get("priority") or 0))
        except (TypeError, ValueError) as exc:
            raise CallError(call_id, str(exc)) from None
        op = {
            "op": "arrive",
            "call": call_id,
            "queue": queue_id,
            "prio": prio,
            "ts": ts_ms(event),
            "tier": p.get("tier") or "ordinary",
            "customer": str(p.get("customer_id") or ""),
            "caller": str(p.get("caller") or ""),
        }
        return [(plan.domain, op)]
    if t in ("call.answered", "call.connect_failed", "call.originated"):
        # answered by the agent; the agent's phone could not be dialled at all; an outbound
        # customer answered and is now on the line
        op = {"op": CALL_OPS[t], "call": call_id, "agent": event.agent_id, "ts": ts_ms(event)}
        return (
            [(agent_domain(event.agent_id), op)]
            if event.agent_id
            else [(d, op) for d in everywhere]
        )
    if t in ("call.abandoned", "call.ended", "call.failed"):
        op = {"op": "gone", "call": call_id, "kind": t.split(".")[1], "ts": ts_ms(event)}
        if event.agent_id:  # a manual dial that failed: its agent may be ready again
            op["agent"] = event.agent_id
        return [(d, op) for d in everywhere]
    if t == "call.transferred":
        target = str(p.get("target") or "")
        queue_id = p.get("queue") or (target[6:] if target.startswith("queue:") else None)
        op = {"op": "transfer", "call": call_id, "queue": queue_id if queue_id in plans else None}
        if target.startswith("agent:") and event.agent_id:
            op["agent"] = event.agent_id  # the call is the target agent's now
        return [(d, op) for d in everywhere]
    if t == "command.failed":
        parts = parse_command_id(str(p.get("command_id") or p.get("id") or ""))
        if parts is None or parts[1] not in ROUTED_COMMANDS:
            return []
        op = {"op": "command_failed", "call": parts[0], "n": parts[2]}
        return [(d, op) for d in everywhere]
    return []
