"""The call scripts API: every signed-in role reads a queue's script (agents see it beside the
call); supervisors list and edit them (audited: ``script.update``)."""

from __future__ import annotations

from datetime import UTC, datetime

from queueing.call_scripts import edited_script
from queueing.call_scripts_store import read_script, read_scripts, save_script
from web.endpoints import ApiCall, Endpoints
from web.errors import NotFoundError
from web.i18n.catalog import N_
from web.roles import EVERYONE, SUPERVISOR
from web.scripts.schemas import ScriptBody, ScriptOut, ScriptsOut

api = Endpoints(tag="scripts")


def _queue_name(call: ApiCall) -> str:
    """The queue in the path, by name (404 naming ``queue_id`` when there is no such queue)."""
    qid = call.path["queue_id"]
    for q in call.rt.settings.queues:
        if q.id == qid:
            return q.name or q.id
    raise NotFoundError(N_("no queue %(queue_id)r"), field="queue_id", params={"queue_id": qid})


@api.op("GET", "/api/scripts", roles=SUPERVISOR, summary="List call scripts", response=ScriptsOut)
async def scripts(call: ApiCall) -> ScriptsOut:
    queues = call.rt.settings.queues
    found = await read_scripts(call.rt.engine, [q.id for q in queues])
    return ScriptsOut(
        scripts=[ScriptOut.of(s, q.name or q.id) for s, q in zip(found, queues, strict=True)]
    )


@api.op(
    "GET",
    "/api/scripts/{queue_id}",
    roles=EVERYONE,
    summary="Read a queue's call script",
    response=ScriptOut,
)
async def script(call: ApiCall) -> ScriptOut:
    name = _queue_name(call)
    return ScriptOut.of(await read_script(call.rt.engine, call.path["queue_id"]), name)


@api.op(
    "PUT",
    "/api/scripts/{queue_id}",
    roles=SUPERVISOR,
    summary="Edit a queue's call script",
    body=ScriptBody,
    response=ScriptOut,
)
async def edit_script(call: ApiCall) -> ScriptOut:
    name = _queue_name(call)
    b: ScriptBody = call.body
    new = edited_script(
        call.path["queue_id"],
        greeting=b.greeting,
        verification=b.verification,
        closing=b.closing,
        phrases=b.phrases,
        by=call.user.username,
        at=datetime.now(UTC),
    )
    changed = await save_script(call.rt.engine, new, role=call.user.role)
    return ScriptOut.of(await read_script(call.rt.engine, new.queue_id), name, changed)
