"""Manual dialling from the desk: the preview of a number (the customer's card when the number is
a known customer's, what would stop the dial) and the dial itself.

The number passes the role's allowed prefixes first (``web.calls.numbers``: a 403 naming
``number``, never overridable). A known customer's do-not-call flag and calling hours
(``outbound.dialling``) refuse the dial with a 409 naming ``number`` unless the agent gives an
``override_reason``: then an audit row says who overrode what, when and why, in its own
transaction, before the call is placed. The call is the ``originate`` command the router's
outbound work uses (the customer is dialled, then ``cc-connect`` rings the agent's phone); the
agent dials while not ready, so no queue call is offered meanwhile, and Ready is refused (409
naming ``state``: ``dialling``) until the call is answered or fails (``AgentActions.dialling``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import Field

from customers.audit import record_change
from customers.caller_index import lookup_caller
from customers.masking import mask_phone
from customers.records_store import customer_contact
from outbound.dialling import Refusal, blocking, customer_refusals
from outbound.tasks import OutboundConfig, calling_window
from web.agent.cards import customer_card
from web.agent.schemas import CustomerCard, DialBody, DialOut, DialPreviewOut, DialRefusal
from web.calls.commands import send_command
from web.calls.numbers import outside_number
from web.endpoints import ApiCall, Endpoints
from web.errors import ConflictError, localised
from web.i18n.catalog import N_
from web.i18n.http import request_translations
from web.keys import SERVICES
from web.live.privacy import viewer_of
from web.roles import AGENT
from web.schemas import Input

api = Endpoints(tag="agent")
MANUAL_CALL_PREFIX = "md-"  # manual dial call ids: md-<hex>
DIAL_RING_S = 60  # after the customer answers, the agent's phone rings at most this long


class PreviewBody(Input):
    """The number in the body, not the URL: a customer's number stays out of access logs."""

    number: str = Field(min_length=1, max_length=32, description="E.164 or national")


@dataclass(frozen=True, slots=True)
class Assessment:
    number: str
    customer_id: str | None
    card: CustomerCard | None
    refusals: list[Refusal]


async def assess(call: ApiCall, raw: str, now: datetime) -> Assessment:
    """The number in E.164 (403/422 naming ``number``), its customer and their rules at ``now``."""
    s = call.rt.settings
    number = outside_number(s, call.user.role, raw, "number")
    found = await lookup_caller(call.rt.redis, s.redis_prefix, number, s.default_region)
    if found is None:
        return Assessment(number, None, None, [])
    customer_id, tier = found
    card = await customer_card(
        call.rt.engine,
        customer_id,
        tier,
        number,
        viewer=viewer_of(call.user),
        reason=f"manual dial preview of {mask_phone(number)}",
        now=now,
    )
    async with call.rt.engine.connect() as conn:
        contact = await customer_contact(conn, customer_id)
    if contact is None:  # the index is ahead of the store: nothing known to respect
        return Assessment(number, None, None, [])
    window = calling_window(contact, OutboundConfig.from_settings(s))
    refusals = customer_refusals(card.name, bool(contact.get("do_not_call")), window, now)
    return Assessment(number, customer_id, card, refusals)


@api.op(
    "POST",
    "/api/agent/dial/preview",
    roles=AGENT,
    summary="Preview a number before dialling it",
    body=PreviewBody,
    response=DialPreviewOut,
)
async def dial_preview(call: ApiCall) -> DialPreviewOut:
    call.own_agent()
    found = await assess(call, call.body.number, datetime.now(UTC))
    catalog = request_translations(call.request)
    return DialPreviewOut(
        number=found.number,
        customer=found.card,
        refusals=[
            DialRefusal(reason=r.reason, message=localised(r.msgid, r.params, catalog))  # type: ignore[arg-type]
            for r in found.refusals
        ],
    )


@api.op(
    "POST",
    "/api/agent/dial",
    roles=AGENT,
    summary="Dial a number from the desk",
    body=DialBody,
    response=DialOut,
)
async def dial(call: ApiCall) -> DialOut:
    agent_id = call.own_agent()
    body: DialBody = call.body
    h = await call.request.app[SERVICES].live_state.agent(agent_id)
    if h.get("state") != "not_ready" or h.get("call"):
        raise ConflictError(
            N_("go not ready before dialling: a queue call could be offered meanwhile"),
            field="state",
        )
    now = datetime.now(UTC)
    found = await assess(call, body.number, now)
    stop = blocking(found.refusals, body.override_reason)
    if stop:
        catalog = request_translations(call.request)  # each refusal in the reader's language
        raise ConflictError(
            N_("%(refusals)s: give a reason to dial anyway (audited)"),
            field="number",
            params={"refusals": "; ".join(localised(r.msgid, r.params, catalog) for r in stop)},
        )
    overridden = [r.reason for r in found.refusals]
    if overridden:
        async with call.rt.engine.begin() as conn:
            await record_change(
                conn,
                actor=call.user.username,
                role=call.user.role,
                action="dial.override",
                entity="customer",
                entity_id=found.customer_id or "",
                fields=overridden,
                reason=(body.override_reason or "").strip(),
                at=now,
            )
    call_id = f"{MANUAL_CALL_PREFIX}{uuid.uuid4().hex[:16]}"
    rt = call.rt
    pending_s = rt.settings.ami.originate_timeout_s + DIAL_RING_S
    await call.request.app[SERVICES].actions.dialling(agent_id, call_id, pending_s)
    command_id = await send_command(
        rt.redis, rt.streams, "originate", call_id=call_id, agent_id=agent_id, number=found.number
    )
    return DialOut(
        call_id=call_id, command_id=command_id, number=found.number, overridden=overridden
    )
