"""Read each agent's raw KPI sums for a period from the store (aggregated in SQL).

Five grouped queries, each returning one row per agent, so 500 agents x 30 days of calls come
back as a few thousand rows instead of every call:

1. handled calls (answered, with an agent, arrived in the period): count, worked days (distinct
   local days), talk + hold + wrap-up, hold, wrap-up, transfers, survey scores and those of 4-5
   (``reports.definitions.SATISFIED_SCORE``);
2. first-call resolution: over inbound calls of the period plus ``fcr_window_days``, ``LEAD``
   per customer (``customer_id``, else the caller's number) gives each call the customer's next
   inbound call; a handled call is resolved when there is none within the window;
3. callback completion: over the calls wrapped with a callback disposition and the answered
   outbound calls, the customer's next answered outbound call must come within
   ``callback_window_h``;
4. QA evaluations of the period's calls (by the call's arrival, else the evaluation time);
5. the answer rate (接通率) from the router's events in ``call_events``: the ``call.offered``
   events of the period whose call the same agent answered (``call.answered``), and the
   ``agent.rona`` events of the period (an offer that rang out unanswered).

Local days use the time zone's UTC offset at the period start (a DST change inside the period
moves the day boundary by an hour for the rest of it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import ColumnElement

from qa.periods import Period
from qa.scorecard import AgentTotals
from reports.definitions import SATISFIED_SCORE
from store.models.core import Agent, Call, CallEvent
from store.models.qa import QaEvaluation


@dataclass(frozen=True, slots=True)
class KpiOptions:
    fcr_window_days: int = 7
    callback_dispositions: tuple[str, ...] = ("follow_up",)
    callback_window_h: float = 24.0
    timezone: str = "UTC"
    min_handle_s: float = 10.0  # shorter handled calls are left out of aht_s


def _epoch_s(col: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return (func.julianday(col) - 2440587.5) * 86400.0
    return func.extract("epoch", col)


def _day_index(col: Any, dialect: str, offset_s: float) -> ColumnElement[Any]:
    days = (_epoch_s(col, dialect) + offset_s) / 86400.0
    if dialect == "sqlite":
        return cast(days, Integer)  # truncation = floor for dates after 1970
    return func.floor(days)


async def read_totals(
    engine: AsyncEngine,
    period: Period,
    options: KpiOptions = KpiOptions(),
    adherence: Mapping[str, float] | None = None,
) -> tuple[dict[str, AgentTotals], dict[str, str | None]]:
    """(agent id -> totals, agent id -> team) for every agent in ``agents`` or with calls.

    ``adherence`` (agent id -> percent) comes from the workforce package when it is available;
    agents without a figure have their adherence KPI marked missing.
    """
    async with engine.connect() as conn:
        dialect = conn.dialect.name
        base = await _handled(conn, period, options, dialect)
        customer = await _customer_kpis(conn, period, options, dialect)
        qa = await _qa(conn, period)
        offers = await _offers(conn, period)
        teams = {
            r.agent_id: r.team for r in (await conn.execute(select(Agent.agent_id, Agent.team)))
        }
    agent_ids = (
        set(teams) | set(base) | set(customer) | set(qa) | set(offers) | set(adherence or {})
    )
    totals: dict[str, AgentTotals] = {}
    for agent_id in agent_ids:
        b = base.get(agent_id, {})
        c = customer.get(agent_id, {})
        q = qa.get(agent_id, {})
        o = offers.get(agent_id, {})
        adh = (adherence or {}).get(agent_id)
        totals[agent_id] = AgentTotals(
            calls=int(b.get("calls", 0)),
            worked_days=int(b.get("worked_days", 0)),
            handle_s=float(b.get("handle_s", 0.0)),
            hold_s=float(b.get("hold_s", 0.0)),
            wrap_s=float(b.get("wrap_s", 0.0)),
            transfers=int(b.get("transfers", 0)),
            surveys=int(b.get("surveys") or 0),
            surveys_satisfied=int(b.get("surveys_satisfied") or 0),
            fcr_calls=int(c.get("fcr_calls", 0)),
            fcr_resolved=int(c.get("fcr_resolved", 0)),
            callbacks_due=int(c.get("callbacks_due", 0)),
            callbacks_done=int(c.get("callbacks_done", 0)),
            qa_sum=float(q.get("qa_sum", 0.0)),
            qa_count=int(q.get("qa_count", 0)),
            adherence_pct=() if adh is None else (float(adh),),
            short_calls=int(b.get("short_calls", 0)),
            short_handle_s=float(b.get("short_handle_s", 0.0)),
            offers_answered=int(o.get("offers_answered", 0)),
            offers_missed=int(o.get("offers_missed", 0)),
        )
    return totals, {a: teams.get(a) for a in agent_ids}


def _handled_filter(c: Any, period: Period) -> ColumnElement[bool]:
    return and_(
        c.arrived_at >= period.start_at,
        c.arrived_at < period.end_at,
        c.agent_id.is_not(None),
        c.outcome == "answered",
    )


async def _handled(
    conn: AsyncConnection, period: Period, options: KpiOptions, dialect: str
) -> dict[str, dict[str, float]]:
    c = Call.__table__.c
    offset_s = period.start_at.astimezone(ZoneInfo(options.timezone)).utcoffset() or timedelta()
    hold = func.coalesce(c.hold_s, 0.0)
    wrap = func.coalesce(c.wrap_s, 0.0)
    handle = func.coalesce(c.talk_s, 0.0) + hold + wrap
    short = handle < options.min_handle_s
    stmt = (
        select(
            c.agent_id,
            func.count().label("calls"),
            func.count(
                func.distinct(_day_index(c.arrived_at, dialect, offset_s.total_seconds()))
            ).label("worked_days"),
            func.sum(handle).label("handle_s"),
            func.sum(case((short, 1), else_=0)).label("short_calls"),
            func.sum(case((short, handle), else_=0.0)).label("short_handle_s"),
            func.sum(hold).label("hold_s"),
            func.sum(wrap).label("wrap_s"),
            func.sum(case((c.transferred.is_(True), 1), else_=0)).label("transfers"),
            func.sum(case((c.survey_score.is_not(None), 1), else_=0)).label("surveys"),
            func.sum(case((c.survey_score >= SATISFIED_SCORE, 1), else_=0)).label(
                "surveys_satisfied"
            ),
        )
        .where(_handled_filter(c, period))
        .group_by(c.agent_id)
    )
    return {r.agent_id: dict(r._mapping) for r in await conn.execute(stmt)}


async def _customer_kpis(
    conn: AsyncConnection, period: Period, options: KpiOptions, dialect: str
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for part in (
        await _fcr(conn, period, options, dialect),
        await _callbacks(conn, period, options, dialect),
    ):
        for agent_id, values in part.items():
            out.setdefault(agent_id, {}).update(values)
    return out


async def _fcr(
    conn: AsyncConnection, period: Period, options: KpiOptions, dialect: str
) -> dict[str, dict[str, float]]:
    """Handled inbound calls whose customer did not call in again within the window."""
    c = Call.__table__.c
    fcr_s = options.fcr_window_days * 86400.0
    customer = func.coalesce(c.customer_id, c.caller)
    epoch = _epoch_s(c.arrived_at, dialect)
    inbound = (
        select(
            c.agent_id,
            c.arrived_at,
            c.outcome,
            epoch.label("epoch"),
            func.lead(epoch)
            .over(partition_by=customer, order_by=(c.arrived_at, c.call_id))
            .label("next_inbound"),
        )
        .where(
            c.direction == "inbound",
            c.arrived_at >= period.start_at,
            c.arrived_at < period.end_at + timedelta(seconds=fcr_s),
            customer.is_not(None),
        )
        .subquery()
    )
    p = inbound.c
    resolved = or_(p.next_inbound.is_(None), p.next_inbound - p.epoch > fcr_s)
    stmt = (
        select(
            p.agent_id,
            func.count().label("fcr_calls"),
            func.sum(case((resolved, 1), else_=0)).label("fcr_resolved"),
        )
        .where(_handled_filter(p, period))
        .group_by(p.agent_id)
    )
    return {r.agent_id: dict(r._mapping) for r in await conn.execute(stmt)}


async def _callbacks(
    conn: AsyncConnection, period: Period, options: KpiOptions, dialect: str
) -> dict[str, dict[str, float]]:
    """Calls wrapped with a callback disposition, and whether an answered outbound call to the
    same customer followed within the window (over just those two kinds of call)."""
    if not options.callback_dispositions:
        return {}
    c = Call.__table__.c
    callback_s = options.callback_window_h * 3600.0
    customer = func.coalesce(c.customer_id, c.caller)
    epoch = _epoch_s(c.arrived_at, dialect)
    is_outbound = and_(c.direction == "outbound", c.outcome == "answered")
    promised = and_(_handled_filter(c, period), c.disposition.in_(options.callback_dispositions))
    later_outbound = (
        func.min(case((is_outbound, epoch), else_=None))
        .over(partition_by=customer, order_by=(c.arrived_at, c.call_id), rows=(1, None))
        .label("next_outbound")
    )
    subset = (
        select(
            c.agent_id, c.arrived_at, c.outcome, c.disposition, epoch.label("epoch"), later_outbound
        )
        .where(
            c.arrived_at >= period.start_at,
            c.arrived_at < period.end_at + timedelta(seconds=callback_s),
            customer.is_not(None),
            or_(promised, is_outbound),
        )
        .subquery()
    )
    p = subset.c
    done = and_(p.next_outbound.is_not(None), p.next_outbound - p.epoch <= callback_s)
    stmt = (
        select(
            p.agent_id,
            func.count().label("callbacks_due"),
            func.sum(case((done, 1), else_=0)).label("callbacks_done"),
        )
        .where(_handled_filter(p, period), p.disposition.in_(options.callback_dispositions))
        .group_by(p.agent_id)
    )
    return {r.agent_id: dict(r._mapping) for r in await conn.execute(stmt)}


async def _qa(conn: AsyncConnection, period: Period) -> dict[str, dict[str, float]]:
    e = QaEvaluation.__table__.c
    at = func.coalesce(e.call_at, e.created_at)
    stmt = (
        select(e.agent_id, func.sum(e.score).label("qa_sum"), func.count(e.score).label("qa_count"))
        .where(at >= period.start_at, at < period.end_at, e.score.is_not(None))
        .group_by(e.agent_id)
    )
    return {r.agent_id: dict(r._mapping) for r in await conn.execute(stmt)}


async def _offers(conn: AsyncConnection, period: Period) -> dict[str, dict[str, float]]:
    """Per agent: the period's offers it answered (distinct calls offered to it and answered by
    it) and those that rang out (``agent.rona``); offers that ended otherwise (the caller hung
    up while it rang, the phone could not be dialled) are neither."""
    e = CallEvent.__table__.c
    answer = CallEvent.__table__.alias("answer")
    in_period = and_(e.ts >= period.start_at, e.ts < period.end_at, e.agent_id.is_not(None))
    answered = (
        select(e.agent_id, func.count(func.distinct(e.call_id)).label("offers_answered"))
        .join(
            answer,
            and_(
                answer.c.call_id == e.call_id,
                answer.c.agent_id == e.agent_id,
                answer.c.type == "call.answered",
            ),
        )
        .where(in_period, e.type == "call.offered")
        .group_by(e.agent_id)
    )
    missed = (
        select(e.agent_id, func.count().label("offers_missed"))
        .where(in_period, e.type == "agent.rona")
        .group_by(e.agent_id)
    )
    out: dict[str, dict[str, float]] = {}
    for stmt in (answered, missed):
        for r in await conn.execute(stmt):
            out.setdefault(r.agent_id, {}).update(
                {k: v for k, v in r._mapping.items() if k != "agent_id"}
            )
    return out
