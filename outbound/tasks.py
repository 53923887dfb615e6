"""Outbound tasks, pure: the task state machine's vocabulary and rules besides placing in time
(``outbound.rules``): ids, settings, errors, the domain events a step writes, the agent's
return-visit form.

A task is ``scheduled`` (due at a time) → ``queued`` (an attempt's call is in the router) →
``connected`` (an agent talks to the customer) → ``done`` with an outcome; an attempt that does
not reach the customer sends it back to ``scheduled`` for a retry (``outbound.rules.after_attempt``)
or ends it. An attempt's router call is ``ob-<task>-<n>``, except the first attempt of a queue
callback, which the router dials itself as ``<caller's call id>-cb``.

Errors::

    OutboundTaskError
    ├── TaskNotFoundError(task_id)
    └── FormError(field, value, message)   a bad return-visit form or outcome
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from customers.records import parse_days, parse_hhmm
from kernel.events import DomainEvent, make_event_id
from kernel.messages import N_, BadFieldValue, ExplainedError
from kernel.protocols import CustomerWorkSettings
from outbound.rules import CallingWindow

CALL_ID_PREFIX = "ob-"
QUEUE_SOURCE = "queue"  # source of the tasks mirroring the router's callbacks in queue


class OutboundTaskError(ExplainedError):
    """Base of the errors of outbound tasks::

    OutboundTaskError
    ├── TaskNotFoundError(task_id)
    └── FormError(field, value, message)   a bad return-visit form or outcome
    """


class TaskNotFoundError(OutboundTaskError):
    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        text = self.explain(N_("task %(task_id)s: not found"), {"task_id": task_id})
        super().__init__(text)


class FormError(OutboundTaskError, BadFieldValue):
    """A bad return-visit form or outcome: ``field``, ``value``, the explanation."""


@dataclass(frozen=True, slots=True)
class OutboundConfig:
    """What the rules need of the settings (``OutboundSettings`` plus defaults)."""

    queue_id: str
    window_s: float = 24 * 3600.0
    delay_s: float = 0.0
    retry_delay_s: float = 1800.0
    max_attempts: int = 3
    default_timezone: str = "UTC"
    call_from: str = "09:00"
    call_until: str = "20:00"
    call_days: str = "1234567"

    @classmethod
    def from_settings(cls, settings: CustomerWorkSettings) -> OutboundConfig:
        o = settings.outbound
        queue_id = o.queue or (settings.queues[0].id if settings.queues else "outbound")
        return cls(
            queue_id=queue_id,
            window_s=o.return_visit_window_h * 3600.0,
            delay_s=o.return_visit_delay_min * 60.0,
            retry_delay_s=o.retry_delay_min * 60.0,
            max_attempts=o.max_attempts,
            default_timezone=settings.timezone,
            call_from=o.call_from.strftime("%H:%M"),
            call_until=o.call_until.strftime("%H:%M"),
            call_days="".join(str(d) for d in sorted(o.call_days)),
        )


def calling_window(customer: dict[str, Any], config: OutboundConfig) -> CallingWindow:
    """The customer's own allowed hours, else the configured default ones."""
    return CallingWindow(
        timezone=customer.get("timezone") or config.default_timezone,
        start=parse_hhmm(customer.get("call_from") or config.call_from),
        end=parse_hhmm(customer.get("call_until") or config.call_until),
        days=parse_days(customer.get("call_days") or config.call_days),
    )


def task_id_for(kind: str, source: str, source_id: str) -> str:
    digest = hashlib.blake2b(f"{kind}|{source}|{source_id}".encode(), digest_size=8).hexdigest()
    return f"{'rv' if kind == 'return_visit' else 'cb'}-{digest}"


def call_id_for(task_id: str, attempt: int) -> str:
    """The router call of one attempt: ``ob-<task>-<n>`` (one call per attempt, never reused)."""
    return f"{CALL_ID_PREFIX}{task_id}-{attempt}"


def parse_call_id(call_id: str | None) -> tuple[str, int] | None:
    if not call_id or not call_id.startswith(CALL_ID_PREFIX):
        return None
    task_id, _, n = call_id[len(CALL_ID_PREFIX) :].rpartition("-")
    return (task_id, int(n)) if task_id and n.isdigit() else None


def is_queue_callback(task: dict[str, Any]) -> bool:
    """A callback asked for while waiting in line (``mirror_queue_callback``)."""
    return task["kind"] == "callback" and task["source"] == QUEUE_SOURCE


def router_dialled(task: dict[str, Any]) -> bool:
    """The task's current attempt is a call the router dials itself (a queue callback's first
    attempt, the router's ``<caller's call id>-cb``), not one of the scheduler's (``ob-<...>``)."""
    return is_queue_callback(task) and parse_call_id(task["call_id"]) is None


def scheduled_event(task: dict[str, Any], at: datetime, reason: str) -> DomainEvent:
    return DomainEvent(
        id=make_event_id(task["task_id"], "scheduled", task["attempts"], reason),
        ts=at,
        type="outbound.scheduled",
        payload={
            "task_id": task["task_id"],
            "kind": task["kind"],
            "customer_id": task["customer_id"],
            "due": task["due_at"].astimezone(UTC).isoformat(),
            "deadline": task["deadline_at"].astimezone(UTC).isoformat()
            if task["deadline_at"]
            else None,
            "source": task["source"],
            "source_id": task["source_id"],
            "attempt": task["attempts"] + 1,
            "reason": reason,
        },
    )


def outcome_event(
    task_id: str,
    attempt: int,
    call_id: str,
    outcome: str,
    at: datetime,
    *,
    agent_id: str | None,
    final: bool,
    retry_at: datetime | None = None,
    answers: dict[str, Any] | None = None,
) -> DomainEvent:
    payload: dict[str, Any] = {
        "task_id": task_id,
        "attempt": attempt,
        "outcome": outcome,
        "final": final,
    }
    if retry_at is not None:
        payload["retry_at"] = retry_at.astimezone(UTC).isoformat()
    if answers is not None:
        payload["answers"] = answers
    return DomainEvent(
        id=make_event_id(task_id, "outcome", attempt, outcome, "final" if final else "attempt"),
        ts=at,
        type="outbound.outcome",
        call_id=call_id,
        agent_id=agent_id,
        payload=payload,
    )


AFTER_TALKING = ("reached", "wrong_number", "refused")


def form_answers(
    outcome: str, *, satisfied: bool | None, score: int | None, comment: str | None
) -> dict[str, Any] | None:
    """The agent's wrap-up of a reached task checked: the answers to keep (the return-visit form,
    when reached), or ``FormError`` naming the field."""
    if outcome not in AFTER_TALKING:
        raise FormError("outcome", outcome, N_("after talking: reached, wrong_number or refused"))
    if outcome != "reached":
        return None
    if score is not None and not (isinstance(score, int) and 1 <= score <= 5):
        raise FormError("score", score, N_("must be 1 to 5"))
    return {"satisfied": satisfied, "score": score, "comment": comment}


def local_due(task: dict[str, Any], tz: str) -> str:
    return task["due_at"].astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
