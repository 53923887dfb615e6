"""The customer card: a customer's contact fields edited by the roles allowed to (audited), and
the customer's history (calls, complaints, return visits and callbacks) on one screen.

A role edits exactly the contact fields it may see unmasked (``customers.masking``): an agent
the name and notes (and the numbers and e-mail of customers they manage), supervisors and admins
all four; QA and planners none. An edit is checked as an imported record is
(``customers.records.validate_record``), written with its ``updated`` audit row in one
transaction, and the caller index follows the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from customers.audit import record_entry
from customers.caller_index import sync_caller_index
from customers.masking import Viewer, visible_fields
from customers.records import CustomerError, FieldError, validate_record
from customers.records_store import customer_contact, phone_owners, write_customers
from kernel.messages import N_
from store.models.core import Call
from store.models.customers import Complaint, OutboundTask

CONTACT_FIELDS = ("name", "phones", "email", "notes")
MAX_NOTES_CHARS = 4000
HISTORY_ROWS = 50


class NotEditableError(CustomerError):
    """The viewer's role may not edit ``field`` of this customer."""

    def __init__(self, field: str, role: str) -> None:
        self.field = field
        self.explain(N_("role %(role)s may not edit %(field)s"), {"role": role, "field": field})
        super().__init__(f"{field}: role {role} may not edit it")


class UnknownCustomerError(CustomerError):
    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id
        self.explain(N_("no customer %(customer_id)r"), {"customer_id": customer_id})
        super().__init__(f"customer_id: no customer {customer_id!r}")


def editable_fields(viewer: Viewer, account_manager: str | None) -> tuple[str, ...]:
    """The contact fields ``viewer`` may edit on a customer with ``account_manager``."""
    seen = visible_fields(viewer, account_manager)
    return tuple(f for f in CONTACT_FIELDS if (f if f != "phones" else "phone") in seen)


@dataclass(frozen=True, slots=True)
class ContactEdit:
    """What the card's form sends: None leaves a field as it is."""

    name: str | None = None
    phones: Sequence[str] | None = None
    email: str | None = None
    notes: str | None = None

    def given(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in CONTACT_FIELDS if getattr(self, f) is not None}


async def edit_contact(
    engine: AsyncEngine,
    viewer: Viewer,
    customer_id: str,
    edit: ContactEdit,
    *,
    now: datetime,
    region: str,
    default_tz: str,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> list[str]:
    """Apply ``edit`` to the customer; returns the fields it changed (audited as ``updated``).

    ``NotEditableError`` names a field the role may not edit, ``FieldError`` a bad value (an
    empty name, a number that is none or is another customer's, a malformed e-mail, notes over
    ``MAX_NOTES_CHARS``), ``UnknownCustomerError`` an unknown customer; nothing is written then."""
    given = edit.given()
    async with engine.begin() as conn:
        current = await customer_contact(conn, customer_id)
        if current is None:
            raise UnknownCustomerError(customer_id)
        allowed = editable_fields(viewer, current.get("account_manager"))
        for name in given:
            if name not in allowed:
                raise NotEditableError(name, viewer.role)
        if len(given.get("notes") or "") > MAX_NOTES_CHARS:
            raise FieldError(
                "notes", "…", N_("at most %(max)s characters"), params={"max": MAX_NOTES_CHARS}
            )
        if "phones" in given and not [p for p in given["phones"] if p.strip()]:
            raise FieldError("phones", given["phones"], N_("at least one phone number is required"))
        record = validate_record(_row(current, given), region)
        changed = _changed(current, record)
        if not changed:
            return []
        owners = await phone_owners(conn, record.phones)
        for p in record.phones:
            if owners.get(p, customer_id) != customer_id:
                raise FieldError(
                    "phones",
                    p,
                    N_("belongs to customer %(customer_id)s"),
                    params={"customer_id": owners[p]},
                )
        changes = await write_customers(conn, [record], now, default_tz)
        await record_entry(
            conn,
            viewer,
            action="updated",
            entity="customer",
            entity_id=customer_id,
            fields=changed,
            reason="contact edited on the customer card",
            at=now,
        )
    if redis is not None:
        await sync_caller_index(redis, prefix, changes)
    return changed


def _row(current: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, str | None]:
    """The customer as a record row (``validate_record``'s input) with ``given`` applied."""
    row = {
        k: (None if current.get(k) is None else str(current[k]))
        for k in (
            "customer_id",
            "name",
            "tier",
            "email",
            "account_manager",
            "call_from",
            "call_until",
            "call_days",
            "timezone",
            "notes",
        )
    }
    row["do_not_call"] = "yes" if current.get("do_not_call") else "no"
    row["phones"] = ";".join(given.get("phones", current["phones"]))
    for k in ("name", "email", "notes"):
        if k in given:
            row[k] = given[k]
    return row


def _changed(current: Mapping[str, Any], record: Any) -> list[str]:
    out = [f for f in ("name", "email", "notes") if (current.get(f) or None) != getattr(record, f)]
    if tuple(current["phones"]) != record.phones:
        out.append("phones")
    return sorted(out)


async def customer_history(
    engine: AsyncEngine, customer_id: str
) -> dict[str, list[dict[str, Any]]]:
    """The customer's calls, complaints and outbound tasks (return visits, callbacks), newest
    first, at most ``HISTORY_ROWS`` of each. Holds no personal field: callers see it as is."""
    c, k, t = Call.__table__, Complaint.__table__, OutboundTask.__table__
    calls = (
        select(
            c.c.call_id,
            c.c.arrived_at,
            c.c.direction,
            c.c.queue_id,
            c.c.agent_id,
            c.c.talk_s,
            c.c.outcome,
            c.c.disposition,
        )
        .where(c.c.customer_id == customer_id)
        .order_by(c.c.arrived_at.desc())
        .limit(HISTORY_ROWS)
    )
    complaints = (
        select(k.c.complaint_id, k.c.opened_at, k.c.category, k.c.severity, k.c.status, k.c.call_id)
        .where(k.c.customer_id == customer_id)
        .order_by(k.c.opened_at.desc())
        .limit(HISTORY_ROWS)
    )
    tasks = (
        select(
            t.c.task_id,
            t.c.kind,
            t.c.source,
            t.c.due_at,
            t.c.status,
            t.c.attempts,
            t.c.outcome,
            t.c.answers,
            t.c.done_at,
        )
        .where(t.c.customer_id == customer_id)
        .order_by(t.c.due_at.desc())
        .limit(HISTORY_ROWS)
    )
    async with engine.connect() as conn:
        return {
            name: [dict(r) for r in (await conn.execute(stmt)).mappings()]
            for name, stmt in (("calls", calls), ("complaints", complaints), ("tasks", tasks))
        }
