"""Call control: an agent acts on its own current call only; a supervisor may listen, whisper or
barge into any call that has an agent, and ask for a waiting caller to be called back instead of
waiting (callback in queue)."""

from __future__ import annotations

from datetime import UTC, datetime

from customers.records import FieldError, normalise_number
from outbound.tasks_store import record_outcome, task_of_call
from store.readers import call_parties
from web.calls.commands import ring_timeout_s, send_command
from web.calls.numbers import outside_number
from web.calls.schemas import (
    CallbackInQueueBody,
    CallbackInQueueOut,
    CommandOut,
    ReturnVisitBody,
    ReturnVisitOut,
    SpyBody,
    TransferBody,
)
from web.endpoints import ApiCall, Endpoints
from web.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    invalid,
    invalid_because,
)
from web.i18n.catalog import N_
from web.keys import SERVICES
from web.roles import AGENT, SUPERVISOR

api = Endpoints(tag="calls")


IN_CALL = frozenset({"on_call"})


async def own_call(
    call: ApiCall, *, after_call: bool = False, during: frozenset[str] | None = IN_CALL
) -> tuple[str, str]:
    """(agent id, call id) when the path's call is the signed-in agent's; 403 otherwise.

    During and just after a call the router's agent hash names it; for a late wrap-up the store's
    ``calls`` row (its agent) decides. In-call controls (the default ``during``) also need the
    agent on the call: in wrap-up, e.g. after handing the call to someone else, the hash still
    names it but the call is no longer theirs to mute, key, hold or transfer (409 naming
    ``state``). Wrap-up actions pass ``after_call``; answering an offer passes ``during=None``."""
    agent_id = call.own_agent()
    call_id = call.path["call_id"]
    h = await call.request.app[SERVICES].live_state.agent(agent_id)
    if h.get("call") == call_id:
        state = h.get("state", "")
        if after_call or during is None or state in during:
            return agent_id, call_id
        raise ConflictError(
            N_("agent %(agent_id)s is %(state)s: call %(call_id)s is not live for them"),
            field="state",
            params={"agent_id": agent_id, "state": state or "not on a call", "call_id": call_id},
        )
    if after_call:
        stored = await call_parties(call.rt.engine, call_id)
        if stored is not None and stored.agent_id == agent_id:
            return agent_id, call_id
    raise ForbiddenError(
        N_("call %(call_id)s is not agent %(agent_id)s's call"),
        field="call_id",
        params={"call_id": call_id, "agent_id": agent_id},
    )


async def known_target(call: ApiCall, kind: str, target: str, agent_id: str) -> None:
    """422 naming ``target`` unless it is a queue, or an agent other than ``agent_id``, that the
    store's configuration (the running routing, not the settings file) knows."""
    routing = call.request.app[SERVICES].routing
    await routing.refresh()
    known = set(routing.plans) if kind == "queue" else set(routing.agents)
    if target not in known or (kind == "agent" and target == agent_id):
        message = N_("no such queue") if kind == "queue" else N_("no such agent")
        raise invalid("target", message)


async def _command(call: ApiCall, kind: str, **args: object) -> CommandOut:
    cid = await send_command(call.rt.redis, call.rt.streams, kind, **args)
    return CommandOut(command_id=cid)


@api.op(
    "POST",
    "/api/calls/{call_id}/answer",
    roles=AGENT,
    summary="Answer the offered call",
    response=CommandOut,
)
async def call_answer(call: ApiCall) -> CommandOut:
    agent_id, call_id = await own_call(call, during=None)
    return await _command(call, "answer", call_id=call_id, agent_id=agent_id)


@api.op(
    "POST",
    "/api/calls/{call_id}/hold",
    roles=AGENT,
    summary="Put the call on hold",
    response=CommandOut,
)
async def call_hold(call: ApiCall) -> CommandOut:
    agent_id, call_id = await own_call(call)
    return await _command(call, "hold", call_id=call_id, agent_id=agent_id)


@api.op(
    "POST",
    "/api/calls/{call_id}/resume",
    roles=AGENT,
    summary="Resume the held call",
    response=CommandOut,
)
async def call_resume(call: ApiCall) -> CommandOut:
    _, call_id = await own_call(call)
    return await _command(call, "unhold", call_id=call_id)


@api.op(
    "POST",
    "/api/calls/{call_id}/hangup",
    roles=AGENT,
    summary="Hang up the call",
    response=CommandOut,
)
async def call_hangup(call: ApiCall) -> CommandOut:
    agent_id, call_id = await own_call(call)
    return await _command(call, "hangup", call_id=call_id, agent_id=agent_id)


@api.op(
    "POST",
    "/api/calls/{call_id}/transfer",
    roles=AGENT,
    summary="Transfer the call to a queue, an agent or an outside number",
    body=TransferBody,
    response=CommandOut,
)
async def call_transfer(call: ApiCall) -> CommandOut:
    agent_id, call_id = await own_call(call)
    body: TransferBody = call.body
    s = call.rt.settings
    if body.target_kind == "number":  # blind, via BlindTransfer (telephony.call_controls)
        number = outside_number(s, call.user.role, body.target, "target")
        return await _command(
            call, "transfer", call_id=call_id, agent_id=agent_id, target=f"number:{number}"
        )
    await known_target(call, body.target_kind, body.target, agent_id)
    live = await call.request.app[SERVICES].live_state.agent(agent_id)
    return await _command(
        call,
        "transfer",
        call_id=call_id,
        target=f"{body.target_kind}:{body.target}",
        ring_timeout_s=ring_timeout_s(s, live.get("queue")),  # an agent's phone rings as long
    )


@api.op(
    "POST",
    "/api/calls/{call_id}/return-visit",
    roles=AGENT,
    summary="Record the outcome (and the return-visit form) of an outbound task's call",
    body=ReturnVisitBody,
    response=ReturnVisitOut,
)
async def call_return_visit(call: ApiCall) -> ReturnVisitOut:
    agent_id, call_id = await own_call(call, after_call=True)
    body: ReturnVisitBody = call.body
    async with call.rt.engine.connect() as conn:
        parsed = await task_of_call(conn, call_id)  # a queue callback's dial: the router's id
    if parsed is None:
        raise invalid("call_id", "not a return visit or callback call", "path")
    reached = body.outcome == "reached"
    await record_outcome(
        call.rt.engine,
        parsed[0],
        outcome=body.outcome,
        now=datetime.now(UTC),
        agent_id=agent_id,
        satisfied=body.satisfied if reached else None,
        score=body.score if reached else None,
        comment=body.comment,
        call_id=call_id,
        redis=call.rt.redis,
        prefix=call.rt.settings.redis_prefix,
    )
    return ReturnVisitOut(task_id=parsed[0], outcome=body.outcome)


@api.op(
    "POST",
    "/api/calls/{call_id}/spy",
    roles=SUPERVISOR,
    summary="Listen, whisper or barge into a call",
    tag="supervisor",
    body=SpyBody,
    response=CommandOut,
)
async def call_spy(call: ApiCall) -> CommandOut:
    call_id = call.path["call_id"]
    live = await call.request.app[SERVICES].live_state.call_anywhere(call_id)
    if not live:
        raise NotFoundError(
            N_("no live call %(call_id)s"), field="call_id", params={"call_id": call_id}
        )
    agent_id = live.get("agent")
    if not agent_id or live.get("state") != "connected":
        raise ConflictError(
            N_("call %(call_id)s is not connected to an agent"),
            field="call_id",
            params={"call_id": call_id},
        )
    return await _command(
        call,
        "spy",
        call_id=call_id,
        agent_id=agent_id,
        mode=call.body.mode,
        supervisor=call.rt.settings.ami.supervisor_endpoint,
    )


@api.op(
    "POST",
    "/api/calls/{call_id}/spy/stop",
    roles=SUPERVISOR,
    summary="Stop listening, whispering or barging: hang up the supervisor's spy leg",
    tag="supervisor",
    response=CommandOut,
)
async def call_spy_stop(call: ApiCall) -> CommandOut:
    """The bridge hangs up the ChanSpy legs it saw start on the call (``call.monitor_started``);
    ``call.monitor_stopped`` follows, or ``command.failed`` when none is left."""
    return await _command(call, "spy_stop", call_id=call.path["call_id"])


@api.op(
    "POST",
    "/api/calls/{call_id}/callback-in-queue",
    roles=SUPERVISOR,
    summary="Call a waiting caller back at a number instead of keeping them in line",
    tag="supervisor",
    body=CallbackInQueueBody,
    response=CallbackInQueueOut,
)
async def call_callback_in_queue(call: ApiCall) -> CallbackInQueueOut:
    """The caller keeps their place; the router dials ``number`` when their turn comes. A
    national number is read in ``settings.default_region``, as customer import does."""
    call_id = call.path["call_id"]
    s = call.rt.settings
    number = call.body.number
    if call.body.caller_number:
        live = await call.request.app[SERVICES].live_state.call_anywhere(call_id)
        number = live.get("caller") or None
        if not live:
            raise NotFoundError(
                N_("no waiting call %(call_id)s"), field="call_id", params={"call_id": call_id}
            )
        if number is None:
            raise invalid("number", "the caller's number is unknown: give a number")
    if number is None:
        raise invalid("number", "required unless caller_number is true")
    try:
        number = normalise_number(number, s.default_region)
    except FieldError as exc:
        raise invalid_because("number", exc) from None
    callback = await call.request.app[SERVICES].actions.request_callback(call_id, number)
    names = {q.id: q.name for q in s.queues}
    return CallbackInQueueOut(
        call_id=call_id,
        number=number,
        queue_id=callback.queue_id,
        queue_name=names.get(callback.queue_id),
        dial_call_id=callback.dial_call_id,
    )
