"""The agent page's cards: the customer on the call, the outbound task's preview, the agent's
figures for today and shifts this week.

The customer comes from the customers service (``customers.records_store``: ``get_customer``
masks per the viewer's role and writes the audit row for any unmasked read; ``last_calls``),
open complaints from ``complaints.tickets``, the task from ``outbound.preview``; a caller who is
no known customer shows only the masked number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from complaints.tickets import active_count
from customers.masking import Viewer, mask_phone
from customers.records_store import get_customer, last_calls
from outbound.preview import task_preview
from outbound.return_visit_form import return_visit_form
from reports.definitions import SATISFIED_SCORE, csat_pct
from store.models.core import Call
from store.models.qa import QaEvaluation
from store.models.workforce import Roster, Shift
from web.agent.schemas import (
    AgentFigures,
    CallSummary,
    CustomerCard,
    ReturnVisitFormOut,
    ShiftOut,
    TaskCard,
)
from web.agent.task_reasons import task_reason

LAST_CALLS = 5


async def customer_card(
    engine: AsyncEngine,
    customer_id: str | None,
    tier: str | None,
    caller: str | None,
    *,
    viewer: Viewer,
    reason: str,
    now: datetime,
    call_id: str | None = None,
) -> CustomerCard:
    """The card of the customer on a call, as ``viewer`` may see it (audited when unmasked);
    ``call_id`` (the call on screen) is left out of the last calls."""
    view = None
    if customer_id:
        view = await get_customer(engine, customer_id, viewer, reason=reason, now=now)
    if view is None:
        return CustomerCard(
            customer_id=None,
            name=None,
            tier=tier or "ordinary",
            phone_masked=mask_phone(caller) if caller else None,
        )
    open_complaints = await active_count(engine, view.customer_id)
    rows = await last_calls(engine, view.customer_id, leave_out=call_id, limit=LAST_CALLS)
    phone = view.phones[0] if view.phones else None
    return CustomerCard(
        customer_id=view.customer_id,
        name=view.name,
        tier=view.tier,
        # the card is a screen pop: even roles allowed the number see it masked here
        phone_masked=mask_phone(phone) if phone and "phone" in view.unmasked else phone,
        open_complaints=open_complaints,
        last_calls=[CallSummary(**r) for r in rows],
    )


def day_start(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    return datetime.combine(local.date(), time(0), tz).astimezone(UTC)


async def agent_today(
    engine: AsyncEngine, agent_id: str, now: datetime, tz: ZoneInfo
) -> AgentFigures:
    c = Call.__table__
    start = day_start(now, tz)
    handle = c.c.talk_s + func.coalesce(c.c.hold_s, 0) + func.coalesce(c.c.wrap_s, 0)
    score = c.c.survey_score
    stmt = select(
        func.count(),
        func.avg(handle),
        func.count(score),
        func.sum(case((score >= SATISFIED_SCORE, 1), else_=0)),
    ).where(
        and_(
            c.c.agent_id == agent_id,
            c.c.answered_at >= start,
            c.c.answered_at < start + timedelta(days=1),
        )
    )
    e = QaEvaluation.__table__
    latest_qa = (
        select(e.c.score)
        .where(e.c.agent_id == agent_id, e.c.score.is_not(None))
        .order_by(e.c.created_at.desc())
        .limit(1)
    )
    async with engine.connect() as conn:
        count, avg, surveyed, satisfied = (await conn.execute(stmt)).one()
        qa = (await conn.execute(latest_qa)).scalar_one_or_none()
    return AgentFigures(
        qa_score=round(float(qa), 1) if qa is not None else None,
        calls=int(count or 0),
        average_handle_s=round(float(avg), 1) if avg is not None else None,
        surveyed=int(surveyed or 0),
        csat_pct=csat_pct(float(satisfied or 0), float(surveyed or 0)),
    )


async def week_shifts(
    engine: AsyncEngine, agent_id: str, now: datetime, tz: ZoneInfo
) -> list[ShiftOut]:
    """The agent's shifts and breaks this week (Monday on) from published rosters."""
    start = day_start(now, tz) - timedelta(days=now.astimezone(tz).weekday())
    sh, ro = Shift.__table__, Roster.__table__
    stmt = (
        select(sh.c.activity, sh.c.start_at, sh.c.end_at)
        .join(ro, ro.c.roster_id == sh.c.roster_id)
        .where(
            ro.c.published.is_(True),
            sh.c.agent_id == agent_id,
            sh.c.start_at >= start,
            sh.c.start_at < start + timedelta(days=7),
        )
        .order_by(sh.c.start_at)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).mappings().all()
    return [ShiftOut(**r) for r in rows]


async def task_card(
    engine: AsyncEngine,
    call_id: str,
    queue_names: Mapping[str, str | None] | None = None,
    *,
    locale: str = "en",
    tz: str = "UTC",
) -> TaskCard | None:
    """The preview of the outbound task behind the call (``outbound.preview``), None for others;
    its reason worded in ``locale``, a return visit's form in it too (same answer ids in every
    language)."""
    preview = await task_preview(engine, call_id, queue_names)
    if preview is None:
        return None
    reason = task_reason(preview.reason_id, preview.reason_params, locale, tz)
    card = TaskCard.model_validate({**asdict(preview), "reason": reason})
    if card.kind == "return_visit":
        card.form = ReturnVisitFormOut.model_validate(asdict(return_visit_form(locale)))
    return card
