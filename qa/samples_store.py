"""Sampling against the store: read the period's handled calls, draw, record the sample.

Calls already sampled or evaluated are excluded, and ``qa_samples.call_id`` is unique, so a
call is never chosen twice, even by two runs at once (the second one fails on the constraint).
A week without handled calls (or with all of them already chosen) draws an empty sample: an
expected outcome, reported in ``Draw.candidates``, and nothing is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from qa.periods import Period
from qa.sampling import CallInfo, Sample, SamplingRules, sample_calls
from store.models.core import Call
from store.models.qa import QaEvaluation, QaSample

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Draw:
    """A draw's outcome: the samples, out of ``candidates`` handled calls of which ``excluded``
    were already sampled or evaluated (no samples and no candidates: no calls that period)."""

    samples: list[Sample]
    candidates: int
    excluded: int


async def read_candidates(session: AsyncSession, period: Period) -> list[CallInfo]:
    """Handled calls (answered, with an agent) that arrived in the period."""
    c = Call.__table__.c
    stmt = select(
        c.call_id,
        c.agent_id,
        c.queue_id,
        c.direction,
        c.outcome,
        c.disposition,
        c.talk_s,
        c.transferred,
        c.arrived_at,
    ).where(
        c.arrived_at >= period.start_at,
        c.arrived_at < period.end_at,
        c.agent_id.is_not(None),
        c.outcome == "answered",
    )
    rows = (await session.execute(stmt)).all()
    return [
        CallInfo(
            r.call_id,
            r.agent_id,
            r.queue_id,
            r.direction,
            r.outcome,
            r.disposition,
            r.talk_s,
            bool(r.transferred),
            r.arrived_at,
        )
        for r in rows
    ]


async def already_chosen(session: AsyncSession, call_ids: list[str]) -> set[str]:
    """The ones of ``call_ids`` already sampled or evaluated (no query for no ids)."""
    found: set[str] = set()
    for i in range(0, len(call_ids), 500):
        chunk = call_ids[i : i + 500]
        stmt = union(
            select(QaSample.call_id).where(QaSample.call_id.in_(chunk)),
            select(QaEvaluation.call_id).where(QaEvaluation.call_id.in_(chunk)),
        )
        found.update((await session.execute(stmt)).scalars())
    return found


async def draw_sample(
    session: AsyncSession,
    period: Period,
    rules: SamplingRules,
    seed: int | str,
    now: datetime,
    *,
    record: bool = True,
) -> Draw:
    """Choose the period's calls to evaluate and (unless ``record`` is false) store them."""
    candidates = await read_candidates(session, period)
    exclude = await already_chosen(session, [c.call_id for c in candidates])
    samples = sample_calls(candidates, rules, seed, exclude)
    if record and samples:  # an empty draw writes nothing (no empty bulk insert)
        session.add_all(
            QaSample(
                call_id=s.call_id,
                agent_id=s.agent_id,
                period=period.label,
                reasons=",".join(s.reasons),
                stratum=list(s.stratum),
                seed=str(seed),
                created_at=now,
            )
            for s in samples
        )
        await session.flush()
    log.info(
        "qa sample %s seed %s: %d calls from %d candidates (%d excluded)",
        period.label,
        seed,
        len(samples),
        len(candidates),
        len(exclude),
    )
    return Draw(samples, len(candidates), len(exclude))
