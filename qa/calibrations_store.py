"""Calibration sessions in the store: several evaluators score one call, then the report."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.calibration import CalibrationReport, calibrate
from qa.errors import NotFoundError
from qa.forms_store import get_form_version
from qa.scoring import check_answers, score
from store.models.qa import QaCalibration, QaCalibrationScore

log = logging.getLogger(__name__)


async def create_calibration(
    session: AsyncSession,
    *,
    form_version_id: int,
    call_id: str,
    now: datetime,
    facilitator_id: str | None = None,
) -> int:
    await get_form_version(session, form_version_id)  # NotFoundError when it does not exist
    row = QaCalibration(
        form_version_id=form_version_id,
        call_id=call_id,
        facilitator_id=facilitator_id,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    log.info("qa calibration %d of call %s created", row.calibration_id, call_id)
    return row.calibration_id


async def _get(session: AsyncSession, calibration_id: int) -> QaCalibration:
    row = await session.get(QaCalibration, calibration_id)
    if row is None:
        raise NotFoundError("calibration", calibration_id)
    return row


async def add_calibration_score(
    session: AsyncSession,
    calibration_id: int,
    evaluator_id: str,
    answers: Mapping[str, object],
    now: datetime,
) -> float | None:
    """One evaluator's answers (again by the same evaluator: replaces them); returns the score."""
    cal = await _get(session, calibration_id)
    form = await get_form_version(session, cal.form_version_id)
    result = score(form, answers)
    stmt = select(QaCalibrationScore).where(
        QaCalibrationScore.calibration_id == calibration_id,
        QaCalibrationScore.evaluator_id == evaluator_id,
    )
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None:
        row = QaCalibrationScore(calibration_id=calibration_id, evaluator_id=evaluator_id)
        session.add(row)
    row.answers = dict(answers)
    row.score = result.score
    row.created_at = now
    await session.flush()
    log.info("qa calibration %d: %s scored %s", calibration_id, evaluator_id, result.score)
    return result.score


async def set_agreed_answers(
    session: AsyncSession, calibration_id: int, answers: Mapping[str, object]
) -> float | None:
    """The answers the session agreed on; returns the agreed score."""
    cal = await _get(session, calibration_id)
    form = await get_form_version(session, cal.form_version_id)
    cal.agreed_answers = dict(check_answers(form, answers))
    return score(form, answers).score


async def calibration_report(session: AsyncSession, calibration_id: int) -> CalibrationReport:
    cal = await _get(session, calibration_id)
    form = await get_form_version(session, cal.form_version_id)
    stmt = select(QaCalibrationScore).where(QaCalibrationScore.calibration_id == calibration_id)
    scores = {r.evaluator_id: r.answers for r in (await session.execute(stmt)).scalars()}
    if not scores:
        raise NotFoundError("scores of calibration", calibration_id)
    return calibrate(form, scores, cal.agreed_answers)
