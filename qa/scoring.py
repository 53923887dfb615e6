"""Score one evaluation: a weighted percentage over a form's answered items.

Pure module. The rules, in the order they apply:

- an item's credit is 1 for ``"yes"``, 0 for ``"no"``, ``v / max`` for a scale answer ``v``;
  ``"na"`` (where the item allows it) removes the item from both numerator and denominator;
- a section's score is ``100 * sum(weight * credit) / sum(weight)`` over its answered items, or
  ``None`` when every item is N/A;
- a section's weight is its ``weight`` when set, else the sum of its answered items' weights
  (so by default the overall score is the plain weighted percentage over all answered items,
  and adding an N/A item anywhere changes nothing);
- the overall score is the weighted mean of the sections that have a score (``None`` if none);
- a critical item fails on ``"no"`` or a scale answer of 0. With ``critical_rule =
  "zero_evaluation"`` any failure makes the overall score 0 (section scores stay as answered,
  for feedback); with ``"zero_section"`` the failing item's section scores 0 (its weight still
  counts) and the overall score follows from the sections.

Answers that do not fit the form raise ``AnswerError`` naming the item: an unknown item id, a
missing answer, a value of the wrong kind or out of range, ``"na"`` where not allowed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from kernel.messages import N_
from qa.errors import AnswerError
from qa.forms import Form, Item

Answer = Literal["yes", "no", "na"] | int
NA: Literal["na"] = "na"


@dataclass(frozen=True, slots=True)
class ScoreResult:
    score: float | None  # 0..100; None when every item is N/A
    sections: dict[str, float | None]
    critical_failed: tuple[str, ...]

    def to_dict(self, ndigits: int = 2) -> dict[str, object]:
        """The ``qa score --format json`` shape, rounded for display."""

        def r(x: float | None) -> float | None:
            return None if x is None else round(x, ndigits)

        return {
            "score": r(self.score),
            "sections": {name: r(value) for name, value in self.sections.items()},
            "critical_failed": list(self.critical_failed),
        }


def check_answer(item: Item, value: object) -> Answer:
    """Return ``value`` if it is a valid answer to ``item``, else raise ``AnswerError``."""
    if value == NA and isinstance(value, str):
        if not item.na_allowed:
            raise AnswerError(item.id, value, N_("N/A is not allowed for this item"))
        return NA
    if item.kind == "yes_no":
        if value == "yes" or value == "no":
            return "yes" if value == "yes" else "no"
        allowed = '"yes", "no"' + (', "na"' if item.na_allowed else "")
        raise AnswerError(item.id, value, N_("must be one of %(choices)s"), {"choices": allowed})
    assert item.max is not None
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerError(item.id, value, N_("must be an integer 0..%(max)s"), {"max": item.max})
    if not 0 <= value <= item.max:
        raise AnswerError(item.id, value, N_("out of range 0..%(max)s"), {"max": item.max})
    return value


def check_answers(form: Form, answers: Mapping[str, object]) -> dict[str, Answer]:
    """Every item answered once, every answer valid; errors name the item."""
    items = form.items
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise AnswerError(unknown[0], answers[unknown[0]], N_("unknown item (not in the form)"))
    checked: dict[str, Answer] = {}
    for item_id, item in items.items():
        if item_id not in answers:
            raise AnswerError(item_id, None, N_("missing answer"))
        checked[item_id] = check_answer(item, answers[item_id])
    return checked


def credit(item: Item, answer: Answer) -> float | None:
    """The share of the item's weight earned: 0..1, ``None`` for N/A."""
    if answer == NA:
        return None
    if item.kind == "yes_no":
        return 1.0 if answer == "yes" else 0.0
    assert item.max is not None and isinstance(answer, int)
    return answer / item.max


def fails(item: Item, answer: Answer) -> bool:
    """A critical item fails on "no" or a scale answer of 0 (N/A never fails)."""
    return item.critical and answer != NA and credit(item, answer) == 0.0


def score(form: Form, answers: Mapping[str, object]) -> ScoreResult:
    """Score ``answers`` (item id -> "yes" | "no" | "na" | int) against ``form``."""
    checked = check_answers(form, answers)
    section_scores: dict[str, float | None] = {}
    weighted: list[tuple[float, float]] = []  # (section weight, section score)
    critical_failed: list[str] = []
    for section in form.sections:
        earned: list[float] = []
        possible: list[float] = []
        section_failed = False
        for item in section.items:
            answer = checked[item.id]
            c = credit(item, answer)
            if c is None:
                continue
            earned.append(item.weight * c)
            possible.append(item.weight)
            if fails(item, answer):
                critical_failed.append(item.id)
                section_failed = True
        if not possible:
            section_scores[section.name] = None
            continue
        value = 100.0 * math.fsum(earned) / math.fsum(possible)
        if section_failed and form.critical_rule == "zero_section":
            value = 0.0
        section_scores[section.name] = min(100.0, max(0.0, value))
        weight = section.weight if section.weight is not None else math.fsum(possible)
        weighted.append((weight, section_scores[section.name] or 0.0))
    if not weighted:
        overall: float | None = None
    elif critical_failed and form.critical_rule == "zero_evaluation":
        overall = 0.0
    else:
        total = math.fsum(w for w, _ in weighted)
        overall = min(100.0, max(0.0, math.fsum(w * s for w, s in weighted) / total))
    return ScoreResult(
        score=overall, sections=section_scores, critical_failed=tuple(critical_failed)
    )
