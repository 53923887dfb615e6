"""Evaluations in the store: submit, acknowledge, dispute, resolve.

The caller owns the transaction (pass a session inside ``session.begin()``); every function
checks first (typed errors, nothing written) and then makes one small change.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.messages import N_
from qa.errors import AnswerError, NotAllowedError, NotFoundError
from qa.evaluation import RESOLUTIONS, Resolution, next_status
from qa.forms_store import get_form_version
from qa.scoring import score
from store.models.core import Call
from store.models.qa import QaDispute, QaEvaluation

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EvaluationView:
    evaluation_id: int
    form_version_id: int
    call_id: str
    agent_id: str
    evaluator_id: str
    score: float | None
    section_scores: dict[str, float | None]
    critical_failed: list[str]
    status: str
    answers: dict[str, Any]
    comments: dict[str, Any]
    created_at: datetime


def _view(e: QaEvaluation) -> EvaluationView:
    return EvaluationView(
        e.evaluation_id,
        e.form_version_id,
        e.call_id,
        e.agent_id,
        e.evaluator_id,
        e.score,
        dict(e.section_scores),
        list(e.critical_failed),
        e.status,
        dict(e.answers),
        dict(e.comments),
        e.created_at,
    )


async def submit_evaluation(
    session: AsyncSession,
    *,
    form_version_id: int,
    call_id: str,
    evaluator_id: str,
    answers: Mapping[str, object],
    now: datetime,
    agent_id: str | None = None,
    comments: Mapping[str, str] | None = None,
) -> EvaluationView:
    """Score ``answers`` with the form version and store the evaluation.

    The agent and the call time come from the ``calls`` row when it exists; ``agent_id`` is
    required otherwise. Comments are keyed by item id ("" for the whole call).
    """
    form = await get_form_version(session, form_version_id)
    result = score(form, answers)  # AnswerError names the item; nothing stored
    comments = dict(comments or {})
    unknown = sorted(set(comments) - set(form.items) - {""})
    if unknown:
        raise AnswerError(unknown[0], comments[unknown[0]], N_("comment on an unknown item"))
    call = await session.get(Call, call_id)
    agent = agent_id or (call.agent_id if call is not None else None)
    if agent is None:
        raise NotFoundError("agent of call", call_id)
    evaluation = QaEvaluation(
        form_version_id=form_version_id,
        call_id=call_id,
        agent_id=agent,
        evaluator_id=evaluator_id,
        call_at=call.arrived_at if call is not None else None,
        answers=dict(answers),
        comments=comments,
        score=result.score,
        section_scores=result.sections,
        critical_failed=list(result.critical_failed),
        status="submitted",
        created_at=now,
        updated_at=now,
    )
    session.add(evaluation)
    await session.flush()
    log.info(
        "qa evaluation %d of call %s (agent %s) by %s: score %s",
        evaluation.evaluation_id,
        call_id,
        agent,
        evaluator_id,
        result.score,
    )
    return _view(evaluation)


async def _get(session: AsyncSession, evaluation_id: int) -> QaEvaluation:
    evaluation = await session.get(QaEvaluation, evaluation_id)
    if evaluation is None:
        raise NotFoundError("evaluation", evaluation_id)
    return evaluation


async def get_evaluation(session: AsyncSession, evaluation_id: int) -> EvaluationView:
    return _view(await _get(session, evaluation_id))


async def acknowledge(
    session: AsyncSession, evaluation_id: int, agent_id: str, now: datetime, comment: str = ""
) -> EvaluationView:
    """The evaluated agent accepts the evaluation (an optional comment is kept)."""
    evaluation = await _get(session, evaluation_id)
    if agent_id != evaluation.agent_id:
        raise NotAllowedError(evaluation_id, agent_id, "acknowledge")
    evaluation.status = next_status(evaluation_id, evaluation.status, "acknowledge")
    evaluation.updated_at = now
    if comment:
        evaluation.comments = {**evaluation.comments, "agent": comment}
    log.info("qa evaluation %d acknowledged by agent %s", evaluation_id, agent_id)
    return _view(evaluation)


async def dispute(
    session: AsyncSession, evaluation_id: int, agent_id: str, comment: str, now: datetime
) -> int:
    """The evaluated agent disputes the evaluation; returns the dispute id."""
    evaluation = await _get(session, evaluation_id)
    if agent_id != evaluation.agent_id:
        raise NotAllowedError(evaluation_id, agent_id, "dispute")
    if not comment.strip():
        raise AnswerError("comment", comment, N_("a dispute needs a comment"))
    evaluation.status = next_status(evaluation_id, evaluation.status, "dispute")
    evaluation.updated_at = now
    row = QaDispute(evaluation_id=evaluation_id, agent_id=agent_id, comment=comment, opened_at=now)
    session.add(row)
    await session.flush()
    log.info(
        "qa evaluation %d disputed by agent %s (dispute %d)",
        evaluation_id,
        agent_id,
        row.dispute_id,
    )
    return row.dispute_id


async def resolve_dispute(
    session: AsyncSession,
    evaluation_id: int,
    resolver_id: str,
    resolution: Resolution,
    comment: str,
    now: datetime,
    answers: Mapping[str, object] | None = None,
) -> EvaluationView:
    """A supervisor closes the dispute: ``upheld`` keeps the score, ``amended`` rescores
    ``answers`` with the evaluation's own form version."""
    evaluation = await _get(session, evaluation_id)
    if resolution not in RESOLUTIONS:
        raise AnswerError(
            "resolution",
            resolution,
            N_("must be one of %(choices)s"),
            {"choices": ", ".join(RESOLUTIONS)},
        )
    if resolver_id == evaluation.agent_id:
        raise NotAllowedError(evaluation_id, resolver_id, "resolve a dispute about")
    status = next_status(evaluation_id, evaluation.status, "resolve")
    if (resolution == "amended") != (answers is not None):
        raise AnswerError(
            "answers", None, N_("give answers exactly when the resolution is amended")
        )
    result = None
    if answers is not None:
        form = await get_form_version(session, evaluation.form_version_id)
        result = score(form, answers)
    stmt = (
        select(QaDispute)
        .where(QaDispute.evaluation_id == evaluation_id, QaDispute.resolved_at.is_(None))
        .order_by(QaDispute.dispute_id.desc())
    )
    row = (await session.execute(stmt)).scalars().first()
    if row is None:
        raise NotFoundError("open dispute of evaluation", evaluation_id)
    row.resolver_id = resolver_id
    row.resolution = resolution
    row.resolution_comment = comment
    row.previous_score = evaluation.score
    row.resolved_at = now
    if result is not None and answers is not None:
        evaluation.answers = dict(answers)
        evaluation.score = result.score
        evaluation.section_scores = result.sections
        evaluation.critical_failed = list(result.critical_failed)
    evaluation.status = status
    evaluation.updated_at = now
    log.info(
        "qa evaluation %d dispute %d %s by %s (score %s -> %s)",
        evaluation_id,
        row.dispute_id,
        resolution,
        resolver_id,
        row.previous_score,
        evaluation.score,
    )
    return _view(evaluation)


async def disputes_of(session: AsyncSession, evaluation_id: int) -> list[QaDispute]:
    stmt = (
        select(QaDispute)
        .where(QaDispute.evaluation_id == evaluation_id)
        .order_by(QaDispute.dispute_id)
    )
    return list((await session.execute(stmt)).scalars())
