"""The customer card API: read a customer's card (masked per role, audited when unmasked) with
its history, and edit its contact fields (``customers.card``: per-role, audited as ``updated``)."""

from __future__ import annotations

from datetime import UTC, datetime

from customers.card import ContactEdit, customer_history, edit_contact, editable_fields
from customers.records_store import get_customer
from web.customers.schemas import CardOut, ContactBody, CustomerOut, HistoryOut
from web.endpoints import ApiCall, Endpoints
from web.errors import NotFoundError
from web.i18n.catalog import N_
from web.live.privacy import viewer_of
from web.roles import AGENT, SUPERVISOR

api = Endpoints(tag="customers")
CARD_ROLES = AGENT | SUPERVISOR


async def card(call: ApiCall, changed: list[str] | None = None) -> CardOut:
    now = datetime.now(UTC)
    viewer = viewer_of(call.user)
    customer_id = call.path["customer_id"]
    view = await get_customer(call.rt.engine, customer_id, viewer, reason="customer card", now=now)
    if view is None:
        raise NotFoundError(
            N_("no customer %(customer_id)r"),
            field="customer_id",
            params={"customer_id": customer_id},
        )
    return CardOut(
        customer=CustomerOut(
            customer_id=view.customer_id,
            name=view.name,
            tier=view.tier,
            phones=list(view.phones),
            email=view.email,
            notes=view.notes,
            do_not_call=view.do_not_call,
            unmasked=sorted(view.unmasked),
        ),
        editable=list(editable_fields(viewer, view.account_manager)),
        history=HistoryOut(**await customer_history(call.rt.engine, customer_id)),
        changed=changed or [],
        server_at=now,
    )


@api.op(
    "GET",
    "/api/customers/{customer_id}",
    roles=CARD_ROLES,
    summary="A customer's card: contact fields and history",
    response=CardOut,
)
async def read_card(call: ApiCall) -> CardOut:
    return await card(call)


@api.op(
    "PATCH",
    "/api/customers/{customer_id}",
    roles=CARD_ROLES,
    summary="Edit a customer's contact fields",
    body=ContactBody,
    response=CardOut,
)
async def edit_card(call: ApiCall) -> CardOut:
    b: ContactBody = call.body
    s = call.rt.settings
    changed = await edit_contact(
        call.rt.engine,
        viewer_of(call.user),
        call.path["customer_id"],
        ContactEdit(name=b.name, phones=b.phones, email=b.email, notes=b.notes),
        now=datetime.now(UTC),
        region=s.default_region,
        default_tz=s.timezone,
        redis=call.rt.redis,
        prefix=s.redis_prefix,
    )
    return await card(call, changed)
