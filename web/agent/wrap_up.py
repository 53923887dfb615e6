"""The wrap-up of a call, which never loses work: the disposition and notes are saved first,
whatever else fails; the customer, complaint and callback parts then each succeed or fail on
their own, and the answer says how each went (``parts``) so the page shows each message beside
its part. Drafts are kept on the server as the agent types (``queueing.wrap_drafts``); from the
screen pop and the wrap-up the agent creates the caller's customer record or links the call to
one found by name or number (``customers.desk``)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import UTC, datetime

from redis.typing import EncodableT, FieldT

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import open_complaint
from customers.desk import (
    NEW_CALLER_NAME,
    create_caller,
    customer_of_call,
    find_customers,
    link_call,
)
from customers.masking import mask_phone
from customers.records import CustomerView, FieldError, normalise_number
from customers.records_store import get_customer
from kernel.events import DomainEvent, make_event_id
from outbound.tasks import OutboundConfig
from outbound.tasks_store import request_callback
from queueing.wrap_drafts import drop_draft, load_draft, save_draft
from store.readers import call_parties
from web.agent.schemas import CustomerSearchQuery, LinkCustomerBody
from web.calls.http import own_call
from web.calls.schemas import (
    NONE_GIVEN,
    CallerOut,
    CustomersOut,
    DraftOut,
    FoundCustomer,
    NewCustomerBody,
    PartResult,
    WrapUpBody,
    WrapUpDraft,
    WrapUpOut,
)
from web.domain_errors import api_error
from web.endpoints import ApiCall, Endpoints
from web.errors import ForbiddenError, invalid
from web.keys import SERVICES
from web.live.privacy import viewer_of
from web.roles import AGENT

api = Endpoints(tag="agent")
log = logging.getLogger(__name__)


async def wrap_call(call: ApiCall) -> tuple[str, str]:
    """(agent, call) when the call is the agent's: as ``own_call`` decides, or because the agent
    kept a draft of its wrap-up (only they could write it), e.g. after the wrap-up time ran out
    and before the store has the call."""
    try:
        return await own_call(call, after_call=True)
    except ForbiddenError:
        agent_id, call_id = call.own_agent(), call.path["call_id"]
        if await load_draft(call.rt.redis, call.rt.settings.redis_prefix, agent_id, call_id):
            return agent_id, call_id
        raise


async def caller_number(call: ApiCall, agent_id: str, call_id: str) -> str | None:
    """The caller's number in E.164: the dialled number of outbound work, else the stored
    caller id (None when withheld or not a number)."""
    live = await call.request.app[SERVICES].live_state.call(agent_id, call_id)
    raw = live.get("number")
    if not raw:
        stored = await call_parties(call.rt.engine, call_id)
        raw = stored.caller if stored else None
    if not raw:
        return None
    try:
        return normalise_number(raw, call.rt.settings.default_region)
    except FieldError:
        return None


async def run_part(work: Awaitable[str | None]) -> PartResult:
    """One part of the wrap-up: its id when done, else the field and message of its error (a
    bug is logged and reported as such: the other parts go on)."""
    try:
        return PartResult(ok=True, id=await work)
    except Exception as exc:  # noqa: BLE001 - each part fails on its own; CancelledError passes
        err = api_error(exc)
        if err is None:
            log.exception("wrap-up part failed")
            return PartResult(ok=False, message="failed: internal error (logged)")
        return PartResult(ok=False, field=err.field, message=err.message)


async def _new_customer(
    call: ApiCall, call_id: str, body: NewCustomerBody, number: str | None
) -> str:
    if number is None:
        raise invalid("new_customer", "the caller's number is withheld: link a customer instead")
    s = call.rt.settings
    return await create_caller(
        call.rt.engine,
        viewer_of(call.user),
        name=body.name,
        number=number,
        tier=body.tier,
        call_id=call_id,
        now=datetime.now(UTC),
        region=s.default_region,
        default_tz=s.timezone,
        redis=call.rt.redis,
        prefix=s.redis_prefix,
    )


async def _link(call: ApiCall, call_id: str, customer_id: str) -> str:
    now = datetime.now(UTC)
    await link_call(
        call.rt.engine, viewer_of(call.user), customer_id=customer_id, call_id=call_id, now=now
    )
    return customer_id


def _found(view: CustomerView) -> FoundCustomer:
    phone = view.phones[0] if view.phones else None
    return FoundCustomer(
        customer_id=view.customer_id,
        name=view.name,
        tier=view.tier,
        phone_masked=mask_phone(phone) if phone and "phone" in view.unmasked else phone,
    )


async def _remember_customer(call: ApiCall, agent_id: str, call_id: str, customer_id: str) -> None:
    """The draft keeps the call's customer, so the screen pop and the wrap-up show it."""
    prefix = call.rt.settings.redis_prefix
    draft = await load_draft(call.rt.redis, prefix, agent_id, call_id) or {}
    await save_draft(
        call.rt.redis, prefix, agent_id, call_id, {**draft, "customer_id": customer_id}
    )


@api.op(
    "POST",
    "/api/calls/{call_id}/customer",
    roles=AGENT,
    summary="Create the caller's customer record (the caller's number, a name, a tier)",
    body=NewCustomerBody,
    response=CallerOut,
)
async def call_new_customer(call: ApiCall) -> CallerOut:
    agent_id, call_id = await wrap_call(call)
    number = await caller_number(call, agent_id, call_id)
    customer_id = await _new_customer(call, call_id, call.body, number)
    await _remember_customer(call, agent_id, call_id, customer_id)
    return CallerOut(
        customer=FoundCustomer(
            customer_id=customer_id,
            name=call.body.name.strip(),
            tier=call.body.tier,
            phone_masked=mask_phone(number) if number else None,
        )
    )


@api.op(
    "POST",
    "/api/calls/{call_id}/customer/link",
    roles=AGENT,
    summary="Link the call to an existing customer (audited)",
    body=LinkCustomerBody,
    response=CallerOut,
)
async def call_link_customer(call: ApiCall) -> CallerOut:
    agent_id, call_id = await wrap_call(call)
    customer_id = await _link(call, call_id, call.body.customer_id)
    await _remember_customer(call, agent_id, call_id, customer_id)
    view = await get_customer(
        call.rt.engine,
        customer_id,
        viewer_of(call.user),
        reason="customer linked to a call",
        now=datetime.now(UTC),
    )
    assert view is not None  # link_call checked it exists
    return CallerOut(customer=_found(view))


@api.op(
    "GET",
    "/api/agent/customers",
    roles=AGENT,
    summary="Find customers by name or number (to link a call to one)",
    query=CustomerSearchQuery,
    response=CustomersOut,
)
async def agent_find_customers(call: ApiCall) -> CustomersOut:
    found = await find_customers(
        call.rt.engine,
        viewer_of(call.user),
        call.query.q,
        now=datetime.now(UTC),
        region=call.rt.settings.default_region,
    )
    return CustomersOut(customers=[_found(v) for v in found])


@api.op(
    "GET",
    "/api/calls/{call_id}/wrap-up/draft",
    roles=AGENT,
    summary="Read the wrap-up draft kept on the server",
    response=DraftOut,
)
async def get_wrap_up_draft(call: ApiCall) -> DraftOut:
    agent_id, call_id = call.own_agent(), call.path["call_id"]
    draft = await load_draft(call.rt.redis, call.rt.settings.redis_prefix, agent_id, call_id)
    return DraftOut(draft=WrapUpDraft.model_validate(draft) if draft else None)


@api.op(
    "PUT",
    "/api/calls/{call_id}/wrap-up/draft",
    roles=AGENT,
    summary="Keep what the agent has typed in the wrap-up so far",
    body=WrapUpDraft,
    response=DraftOut,
)
async def put_wrap_up_draft(call: ApiCall) -> DraftOut:
    agent_id, call_id = await wrap_call(call)
    body: WrapUpDraft = call.body
    prefix = call.rt.settings.redis_prefix
    kept = await load_draft(call.rt.redis, prefix, agent_id, call_id) or {}
    draft = {**kept, **body.model_dump(exclude_none=True)}  # keeps the customer linked meanwhile
    await save_draft(call.rt.redis, prefix, agent_id, call_id, draft)
    return DraftOut(draft=WrapUpDraft.model_validate(draft))


@api.op(
    "POST",
    "/api/calls/{call_id}/wrap-up",
    roles=AGENT,
    summary="Write the wrap-up: disposition and notes always; customer, complaint, callback each "
    "on its own",
    body=WrapUpBody,
    response=WrapUpOut,
)
async def call_wrap_up(call: ApiCall) -> WrapUpOut:
    agent_id, call_id = await wrap_call(call)
    body: WrapUpBody = call.body
    s, rt = call.rt.settings, call.rt
    disposition = body.disposition or NONE_GIVEN
    if disposition != NONE_GIVEN and disposition not in s.routing.dispositions:
        raise invalid(
            "disposition",
            "one of %(choices)s",
            params={"choices": ", ".join(s.routing.dispositions)},
        )
    now = datetime.now(UTC)
    out = WrapUpOut(
        event_id=make_event_id(call_id, "wrapped", "web", disposition, body.notes),
        disposition=disposition,
    )
    by = "timeout" if body.expired else "agent"
    wrapped = DomainEvent(
        id=out.event_id,
        ts=now,
        type="call.wrapped",
        call_id=call_id,
        agent_id=agent_id,
        payload={"disposition": disposition, "notes": body.notes, "by": by},
    )
    fields: dict[FieldT, EncodableT] = dict(wrapped.to_fields().items())
    await rt.redis.xadd(rt.streams.events, fields)  # first: saved whatever else fails

    number = await caller_number(call, agent_id, call_id)
    if body.new_customer is not None:
        out.parts["customer"] = await run_part(
            _new_customer(call, call_id, body.new_customer, number)
        )
    elif body.customer_id is not None:
        out.parts["customer"] = await run_part(_link(call, call_id, body.customer_id))
    if "customer" in out.parts and out.parts["customer"].ok:
        out.customer_id = out.parts["customer"].id
    else:
        draft = await load_draft(rt.redis, s.redis_prefix, agent_id, call_id) or {}
        live = await call.request.app[SERVICES].live_state.call(agent_id, call_id)
        stored = await call_parties(rt.engine, call_id)
        found = await customer_of_call(
            rt.engine,
            [
                draft.get("customer_id"),
                live.get("customer"),
                stored.customer_id if stored else None,
            ],
            number,
        )
        out.customer_id = found

    if body.complaint is not None:
        out.parts["complaint"] = await run_part(_complaint(call, call_id, body, number, out, now))
        out.complaint_id = out.parts["complaint"].id
    if body.callback_at is not None:
        out.parts["callback"] = await run_part(_callback(call, call_id, body, number, out, now))
        out.callback_task_id = out.parts["callback"].id

    if all(p.ok for p in out.parts.values()):
        await drop_draft(rt.redis, s.redis_prefix, agent_id, call_id)
        if body.end_wrap_up:
            h = await call.request.app[SERVICES].live_state.agent(agent_id)
            if h.get("state") == "wrap_up" and h.get("call") in (call_id, None, ""):
                out.state = await call.request.app[SERVICES].actions.end_wrap_up(agent_id)
            else:
                out.state = h.get("state") or None
    return out


async def _complaint(
    call: ApiCall, call_id: str, body: WrapUpBody, number: str | None, out: WrapUpOut, now: datetime
) -> str:
    """The complaint, for the call's customer; a new caller's complaint creates the customer
    (unless the agent's own new customer just failed: then it waits for them to fix it)."""
    assert body.complaint is not None
    s = call.rt.settings
    asked = "customer" in out.parts
    if out.customer_id is None and not asked and number and body.complaint.description.strip():
        out.customer_id = await _new_customer(
            call, call_id, NewCustomerBody(name=NEW_CALLER_NAME), number
        )
    return await open_complaint(
        call.rt.engine,
        category=body.complaint.category,
        severity=body.complaint.severity,
        description=body.complaint.description,
        wish=body.complaint.wish,
        now=now,
        config=ComplaintConfig.from_settings(s),
        customer_id=out.customer_id,
        call_id=call_id,
        opened_by=call.user.username,
        complaint_id=make_event_id(call_id, "complaint"),  # one per call, idempotent
        redis=call.rt.redis,
        prefix=s.redis_prefix,
    )


async def _callback(
    call: ApiCall, call_id: str, body: WrapUpBody, number: str | None, out: WrapUpOut, now: datetime
) -> str:
    """The callback: to the customer's number, or to the caller's own without a record."""
    at = body.callback_at
    assert at is not None
    if at.tzinfo is None:
        raise invalid("callback_at", "needs a time zone (e.g. Z or +08:00)")
    if at <= now:
        raise invalid("callback_at", "must be in the future")
    if out.customer_id is None and number is None:
        raise invalid("callback_at", "the caller's number is withheld: link a customer first")
    s = call.rt.settings
    return await request_callback(
        call.rt.engine,
        customer_id=out.customer_id,
        number=None if out.customer_id else number,
        due_at=at,
        now=now,
        config=OutboundConfig.from_settings(s),
        source="call",
        source_id=call_id,
        note=body.notes or None,
        redis=call.rt.redis,
        prefix=s.redis_prefix,
    )
