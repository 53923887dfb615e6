"""Agents' shift requests in the store (``shift_requests``): time off and swaps on a published
roster, asked by an agent, approved or refused by a planner. Approving re-checks the labour
rules and the coverage (``workforce.shift_changes``) and, when the rules hold, rewrites the
roster's activities of the agents involved; the check is kept with the request."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, cast

import pandas as pd
from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.messages import N_, FieldValueError
from store.models.workforce import Roster, Shift
from store.models.workspaces import ShiftRequest
from workforce.planner import Activity
from workforce.planner_store import StoredRoster, get_roster, rewrite_agents
from workforce.shift_changes import ChangeCheck, check_change, swap, time_off

log = logging.getLogger(__name__)
KINDS = ("time_off", "swap")


def _t(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


NO_REQUEST = N_("no request %(request_id)s")


class RequestError(FieldValueError):
    """A request that cannot be made or decided: ``field`` names the input, the explanation
    says why (``kernel.messages``)."""


async def published_roster_of(
    engine: AsyncEngine, agent_id: str, shift_start_at: datetime
) -> int | None:
    """The published roster holding the agent's shift starting then."""
    r, s = _t(Roster), _t(Shift)
    stmt = (
        select(r.c.roster_id)
        .join(s, s.c.roster_id == r.c.roster_id)
        .where(
            r.c.published.is_(True),
            s.c.agent_id == agent_id,
            s.c.activity == "shift",
            s.c.start_at == shift_start_at,
        )
    )
    async with engine.connect() as conn:
        return (await conn.execute(stmt)).scalars().first()


def _changed(roster: StoredRoster, req: dict[str, Any]) -> tuple[list[Activity], list[str]]:
    try:
        if req["kind"] == "time_off":
            return time_off(roster.activities, req["agent_id"], req["shift_start_at"]), [
                req["agent_id"]
            ]
        after = swap(
            roster.activities,
            req["agent_id"],
            req["shift_start_at"],
            req["with_agent_id"],
            req["with_shift_start_at"],
        )
    except FieldValueError as exc:
        raise RequestError(exc.field, exc.msgid, exc.params) from None
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        raise RequestError(field, message) from None
    return after, [req["agent_id"], req["with_agent_id"]]


def _check(roster: StoredRoster, req: dict[str, Any]) -> ChangeCheck:
    after, agents = _changed(roster, req)
    starts = pd.date_range(
        roster.first_interval_at, periods=len(roster.required), freq=f"{roster.interval_min}min"
    )
    return check_change(
        roster.activities,
        after,
        agents,
        pd.Series(roster.required, index=starts),
        roster.interval_min,
        float(roster.settings.get("weekly_hours_max") or 40),
    )


def check_out(c: ChangeCheck) -> dict[str, Any]:
    return {
        "allowed": c.allowed,
        "rule_breaks": c.rule_breaks,
        "short_before_h": c.short_before_h,
        "short_after_h": c.short_after_h,
        "text": c.text(),
    }


async def create_request(
    engine: AsyncEngine,
    *,
    kind: str,
    agent_id: str,
    shift_start_at: datetime,
    with_agent_id: str | None,
    with_shift_start_at: datetime | None,
    reason: str,
    now: datetime,
) -> int:
    """A pending request on the published roster holding the shift (checked it can apply)."""
    if kind not in KINDS:
        raise RequestError("kind", N_("must be one of %(choices)s"), {"choices": ", ".join(KINDS)})
    if kind == "swap" and not with_agent_id:
        raise RequestError("with_agent_id", N_("a swap names the colleague who takes the shift"))
    roster_id = await published_roster_of(engine, agent_id, shift_start_at)
    if roster_id is None:
        raise RequestError("shift_start_at", N_("no published shift of yours starts then"))
    req = {
        "kind": kind,
        "agent_id": agent_id,
        "shift_start_at": shift_start_at,
        "with_agent_id": with_agent_id if kind == "swap" else None,
        "with_shift_start_at": with_shift_start_at if kind == "swap" else None,
    }
    roster = await get_roster(engine, roster_id)
    assert roster is not None
    _changed(roster, req)  # the change must apply to today's roster
    async with engine.begin() as conn:
        result = await conn.execute(
            insert(_t(ShiftRequest)).values(
                roster_id=roster_id, reason=reason, status="pending", created_at=now, **req
            )
        )
        request_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    log.info("shift request %s: %s of %s at %s", request_id, kind, agent_id, shift_start_at)
    return request_id


async def list_requests(
    engine: AsyncEngine, *, agent_id: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Requests, newest first (an agent's own: theirs and those that hand them a shift); a
    pending one carries the check it would have if approved now."""
    t = _t(ShiftRequest)
    stmt = select(t).order_by(t.c.request_id.desc()).limit(limit)
    if agent_id is not None:
        stmt = stmt.where((t.c.agent_id == agent_id) | (t.c.with_agent_id == agent_id))
    async with engine.connect() as conn:
        rows = [dict(r) for r in (await conn.execute(stmt)).mappings()]
    rosters: dict[int, StoredRoster | None] = {}
    for row in rows:
        if row["status"] != "pending":
            continue
        rid = row["roster_id"]
        if rid not in rosters:
            rosters[rid] = await get_roster(engine, rid)
        roster = rosters[rid]
        try:
            row["check"] = None if roster is None else check_out(_check(roster, row))
        except RequestError as exc:  # the roster changed since: say so
            row["check"] = {"allowed": False, "rule_breaks": [str(exc)], "text": str(exc)}
    return rows


async def decide_request(
    engine: AsyncEngine, request_id: int, *, approve: bool, by: str, now: datetime
) -> dict[str, Any]:
    """Approve (the rules must hold; the roster changes) or refuse a pending request; the
    check is kept with it. ``RequestError`` naming the field otherwise."""
    t = _t(ShiftRequest)
    async with engine.connect() as conn:
        row = (await conn.execute(select(t).where(t.c.request_id == request_id))).mappings().first()
    if row is None:
        raise RequestError("request_id", NO_REQUEST, {"request_id": request_id})
    req = dict(row)
    if req["status"] != "pending":
        raise RequestError(
            "request_id",
            N_("request %(request_id)s is already %(status)s"),
            {"request_id": request_id, "status": req["status"]},
        )
    roster = await get_roster(engine, req["roster_id"])
    if roster is None:
        raise RequestError(
            "request_id",
            N_("the roster of request %(request_id)s is gone"),
            {"request_id": request_id},
        )
    check = _check(roster, req)
    if approve and not check.allowed:
        raise RequestError("approve", "%(check)s", {"check": check.text()})
    async with engine.begin() as conn:
        if approve:
            after, agents = _changed(roster, req)
            await rewrite_agents(conn, roster.roster_id, after, agents)
        await conn.execute(
            update(t)
            .where(t.c.request_id == request_id, t.c.status == "pending")
            .values(
                status="approved" if approve else "refused",
                decided_at=now,
                decided_by=by,
                check=check_out(check),
            )
        )
    log.info("shift request %s %s by %s", request_id, "approved" if approve else "refused", by)
    return {**req, "status": "approved" if approve else "refused", "check": check_out(check)}
