"""The reads behind the QA pages: the sampled calls with their evaluation, evaluations by agent
or status, calibration sessions with who scored them, the agents' names.

The writes and their rules live in the ``*_store`` modules; these are the lists and joins the
web's QA endpoints (``web/qa/http.py``) show, kept here so that no SQL lives in ``web``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models.core import Agent, Call
from store.models.qa import QaCalibration, QaCalibrationScore, QaEvaluation, QaSample

MAX_SAMPLES = 1000


async def agent_names(session: AsyncSession) -> dict[str, str]:
    """Agent id -> name, for every agent in the store."""
    rows = await session.execute(select(Agent.agent_id, Agent.name))
    return {r.agent_id: r.name for r in rows}


async def sampled_calls(
    session: AsyncSession,
    *,
    week: str | None = None,
    queue: str | None = None,
    agent: str | None = None,
    status: Literal["todo", "done"] | str | None = None,
) -> Sequence[Any]:  # rows of the columns named above
    """The sampled calls (newest period first, at most ``MAX_SAMPLES``) with the call's queue,
    arrival, talk time and disposition and, once evaluated, the evaluation's id, score and
    status; ``status`` "todo" keeps the calls not yet evaluated, "done" the others."""
    s, c, e = QaSample.__table__, Call.__table__, QaEvaluation.__table__
    stmt = (
        select(
            s.c.call_id,
            s.c.agent_id,
            s.c.period,
            s.c.reasons,
            c.c.queue_id,
            c.c.arrived_at,
            c.c.talk_s,
            c.c.disposition,
            e.c.evaluation_id,
            e.c.score,
            e.c.status,
        )
        .outerjoin(c, c.c.call_id == s.c.call_id)
        .outerjoin(e, e.c.call_id == s.c.call_id)
        .order_by(s.c.period.desc(), c.c.arrived_at.desc(), s.c.call_id)
        .limit(MAX_SAMPLES)
    )
    if week:
        stmt = stmt.where(s.c.period == week)
    if queue:
        stmt = stmt.where(c.c.queue_id == queue)
    if agent:
        stmt = stmt.where(s.c.agent_id == agent)
    if status == "todo":
        stmt = stmt.where(e.c.evaluation_id.is_(None))
    elif status == "done":
        stmt = stmt.where(e.c.evaluation_id.is_not(None))
    return (await session.execute(stmt)).all()


async def sample_of(session: AsyncSession, call_id: str) -> QaSample | None:
    return (
        await session.execute(select(QaSample).where(QaSample.call_id == call_id))
    ).scalar_one_or_none()


async def latest_evaluation_id(session: AsyncSession, call_id: str) -> int | None:
    """The call's newest evaluation, if it has one."""
    return (
        await session.execute(
            select(QaEvaluation.evaluation_id)
            .where(QaEvaluation.call_id == call_id)
            .order_by(QaEvaluation.evaluation_id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def evaluation_ids(
    session: AsyncSession, *, agent: str | None = None, status: str | None = None, limit: int
) -> list[int]:
    """The newest evaluations first, of one agent and/or in one status when given."""
    stmt = select(QaEvaluation.evaluation_id).order_by(QaEvaluation.evaluation_id.desc())
    if agent:
        stmt = stmt.where(QaEvaluation.agent_id == agent)
    if status:
        stmt = stmt.where(QaEvaluation.status == status)
    return list((await session.execute(stmt.limit(limit))).scalars())


async def calibrations(
    session: AsyncSession, limit: int = 200
) -> list[tuple[QaCalibration, list[str]]]:
    """The newest calibration sessions with the evaluators who scored each (sorted)."""
    cals = list(
        (
            await session.execute(
                select(QaCalibration).order_by(QaCalibration.calibration_id.desc()).limit(limit)
            )
        ).scalars()
    )
    scores = (
        await session.execute(
            select(QaCalibrationScore.calibration_id, QaCalibrationScore.evaluator_id)
        )
    ).all()
    who: dict[int, list[str]] = {}
    for cid, evaluator in scores:
        who.setdefault(cid, []).append(evaluator)
    return [(c, sorted(who.get(c.calibration_id, []))) for c in cals]


async def has_calibration_scores(session: AsyncSession, calibration_id: int) -> bool:
    return (
        await session.execute(
            select(QaCalibrationScore.calibration_score_id).where(
                QaCalibrationScore.calibration_id == calibration_id
            )
        )
    ).first() is not None
