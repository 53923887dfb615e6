"""Calibration: several evaluators score the same call; how far apart are they?

Pure module. Definitions (all on a 0-100 scale):

- an item's value for an evaluator is its credit x 100 (yes = 100, no = 0, scale v/max x 100),
  ``None`` for N/A;
- spread of a set of values: population standard deviation (these evaluators are the whole
  group, ddof = 0) and max difference (max - min), over the non-N/A values;
- agreement rate of an item: the share of evaluator pairs that gave the identical answer (N/A
  equal to N/A counts); overall: the mean over the items;
- the agreed score is the score of the agreed answers the session settled on; while there are
  none, deviations are measured from the mean of the evaluators' scores (``basis = "mean"``).
  Each evaluator's deviation is signed (above the agreed score is positive); ``item_match_rate``
  is the share of items answered exactly as agreed.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from kernel.messages import N_
from qa.errors import AnswerError
from qa.forms import Form
from qa.scoring import Answer, check_answers, credit, score


@dataclass(frozen=True, slots=True)
class Spread:
    std: float | None
    max_diff: float | None

    @classmethod
    def of(cls, values: list[float | None]) -> Spread:
        present = [v for v in values if v is not None]
        if not present:
            return cls(None, None)
        return cls(statistics.pstdev(present), max(present) - min(present))


@dataclass(frozen=True, slots=True)
class ItemCalibration:
    item_id: str
    values: dict[str, float | None]  # evaluator id -> 0..100 or None (N/A)
    spread: Spread
    agreement_rate: float | None  # None with fewer than two evaluators
    agreed: float | None


@dataclass(frozen=True, slots=True)
class EvaluatorDeviation:
    evaluator_id: str
    score: float | None
    deviation: float | None  # score - agreed (or mean) score
    item_match_rate: float | None  # share of items answered as agreed; None without agreement


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    items: list[ItemCalibration]
    scores: dict[str, float | None]
    spread: Spread
    agreement_rate: float | None
    agreed_score: float | None
    basis: Literal["agreed", "mean"]
    evaluators: list[EvaluatorDeviation]


def _pair_agreement(answers: list[Answer]) -> float | None:
    pairs = list(combinations(answers, 2))
    if not pairs:
        return None
    return sum(1 for a, b in pairs if a == b) / len(pairs)


def calibrate(
    form: Form,
    evaluations: Mapping[str, Mapping[str, object]],
    agreed: Mapping[str, object] | None = None,
) -> CalibrationReport:
    """Spread per item and overall, and each evaluator's deviation; errors name the item."""
    if not evaluations:
        raise AnswerError("evaluations", None, N_("a calibration needs at least one evaluation"))
    checked = {e: check_answers(form, a) for e, a in sorted(evaluations.items())}
    agreed_checked = check_answers(form, agreed) if agreed is not None else None
    evaluator_ids = list(checked)
    items: list[ItemCalibration] = []
    for item_id, item in form.items.items():
        answers = [checked[e][item_id] for e in evaluator_ids]
        values: dict[str, float | None] = {}
        for e, a in zip(evaluator_ids, answers, strict=True):
            c = credit(item, a)
            values[e] = None if c is None else 100.0 * c
        agreed_value = None
        if agreed_checked is not None:
            c = credit(item, agreed_checked[item_id])
            agreed_value = None if c is None else 100.0 * c
        items.append(
            ItemCalibration(
                item_id=item_id,
                values=values,
                spread=Spread.of(list(values.values())),
                agreement_rate=_pair_agreement(answers),
                agreed=agreed_value,
            )
        )
    scores = {e: score(form, checked[e]).score for e in evaluator_ids}
    rates = [i.agreement_rate for i in items if i.agreement_rate is not None]
    if agreed_checked is not None:
        agreed_score = score(form, agreed_checked).score
        basis: Literal["agreed", "mean"] = "agreed"
    else:
        present = [s for s in scores.values() if s is not None]
        agreed_score = statistics.fmean(present) if present else None
        basis = "mean"
    deviations = []
    for e in evaluator_ids:
        s = scores[e]
        match = None
        if agreed_checked is not None:
            same = sum(1 for i in form.items if checked[e][i] == agreed_checked[i])
            match = same / len(form.items)
        deviations.append(
            EvaluatorDeviation(
                evaluator_id=e,
                score=s,
                deviation=None if s is None or agreed_score is None else s - agreed_score,
                item_match_rate=match,
            )
        )
    return CalibrationReport(
        items=items,
        scores=scores,
        spread=Spread.of(list(scores.values())),
        agreement_rate=statistics.fmean(rates) if rates else None,
        agreed_score=agreed_score,
        basis=basis,
        evaluators=deviations,
    )
