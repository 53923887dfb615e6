"""The life of an evaluation: who may do what in which state (pure).

::

    submitted --acknowledge (agent)--> acknowledged
    submitted --dispute (agent, comment)--> disputed --resolve (supervisor)--> resolved
                                                       (upheld: score stands; amended: new answers)
"""

from __future__ import annotations

from typing import Literal

from qa.errors import EvaluationStateError

Status = Literal["submitted", "acknowledged", "disputed", "resolved"]
Action = Literal["acknowledge", "dispute", "resolve"]
Resolution = Literal["upheld", "amended"]
RESOLUTIONS: tuple[str, ...] = ("upheld", "amended")

TRANSITIONS: dict[tuple[str, str], Status] = {
    ("submitted", "acknowledge"): "acknowledged",
    ("submitted", "dispute"): "disputed",
    ("disputed", "resolve"): "resolved",
}


def next_status(evaluation_id: int | None, status: str, action: Action) -> Status:
    """The status after ``action``; ``EvaluationStateError`` when it is not allowed now."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise EvaluationStateError(evaluation_id, status, action) from None
