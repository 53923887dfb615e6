"""The schemas of qa's endpoints (``web/qa/http.py``): what each reads and answers."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Literal, get_type_hints

from pydantic import BaseModel, Field, create_model

from qa.evaluations_store import (
    EvaluationView,
)
from web.schemas import ID, Input

WEEK = r"^\d{4}-W\d{2}$"


PERIOD = r"^\d{4}-(W\d{2}|\d{2})$"


Answer = Literal["yes", "no", "na"] | int


class SamplesQuery(Input):
    week: str | None = Field(None, pattern=WEEK)
    queue: str | None = Field(None, pattern=ID)
    agent: str | None = Field(None, pattern=ID)
    status: Literal["todo", "done", "all"] = "all"


class SampleRow(BaseModel):
    call_id: str
    agent_id: str
    agent_name: str | None
    queue_id: str | None
    arrived_at: datetime | None
    talk_s: float | None
    disposition: str | None
    reasons: list[str]
    period: str
    evaluation_id: int | None
    score: float | None
    status: str | None


class SamplesOut(BaseModel):
    week: str | None
    samples: list[SampleRow]


class DrawBody(Input):
    week: str = Field(pattern=WEEK)
    per_agent: int | None = Field(None, ge=1, le=100)


class DrawOut(BaseModel):
    """``drawn`` of the week's ``candidates`` handled calls (``excluded``: already sampled or
    evaluated); no candidates means no calls that week, an empty draw and not an error."""

    week: str
    drawn: int
    candidates: int
    excluded: int


class FormOut(BaseModel):
    form_version_id: int
    name: str
    version: int
    definition: dict[str, Any]


class CallDetail(BaseModel):
    call_id: str
    agent_id: str | None
    agent_name: str | None
    queue_id: str | None
    direction: str | None
    arrived_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    wait_s: float | None
    talk_s: float | None
    hold_s: float | None
    wrap_s: float | None
    disposition: str | None
    notes: str | None
    transferred: bool
    sample_reasons: list[str]


def _fields_of(view: type) -> dict[str, Any]:
    """The fields of the dataclass ``view``, for ``create_model``: one list of fields, not two."""
    hints = get_type_hints(view)
    return {f.name: (hints[f.name], ...) for f in dataclasses.fields(view)}


class EvaluationOut(create_model("EvaluationFields", **_fields_of(EvaluationView))):  # type: ignore[misc]
    """An evaluation (every field of ``EvaluationView``) with its last dispute, if any."""

    dispute_comment: str | None = None
    resolution: str | None = None
    resolution_comment: str | None = None
    previous_score: float | None = None


class CallWorkOut(BaseModel):
    call: CallDetail
    form: FormOut
    evaluation: EvaluationOut | None


class TimedCommentIn(Input):
    """A remark at a time position of the call's recording."""

    at_s: float = Field(ge=0, le=24 * 3600)
    text: str = Field(min_length=1, max_length=2000)


class EvaluateBody(Input):
    call_id: str = Field(pattern=ID)
    form_version_id: int = Field(ge=1, le=2**31 - 1)
    answers: dict[str, Answer] = Field(max_length=500)
    comments: dict[str, str] = Field(default_factory=dict, max_length=500)
    timed_comments: list[TimedCommentIn] = Field(default_factory=list, max_length=200)


class EvaluationsQuery(Input):
    agent: str | None = Field(None, pattern=ID)
    status: Literal["submitted", "acknowledged", "disputed", "resolved"] | None = None
    limit: int = Field(200, ge=1, le=1000)


class EvaluationsOut(BaseModel):
    evaluations: list[EvaluationOut]
    form: FormOut | None = None


class CommentBody(Input):
    comment: str = Field("", max_length=4000)


class DisputeBody(Input):
    comment: str = Field(min_length=1, max_length=4000)


class ResolveBody(Input):
    resolution: Literal["upheld", "amended"]
    comment: str = Field("", max_length=4000)
    answers: dict[str, Answer] | None = Field(None, max_length=500)


class CalibrationBody(Input):
    call_id: str = Field(pattern=ID)


class CalibrationRow(BaseModel):
    calibration_id: int
    call_id: str
    facilitator_id: str | None
    created_at: datetime
    evaluators: list[str]


class CalibrationsOut(BaseModel):
    calibrations: list[CalibrationRow]


class CalibrationScoreBody(Input):
    answers: dict[str, Answer] = Field(max_length=500)


class ItemSpread(BaseModel):
    item_id: str
    text: str
    values: dict[str, float | None]
    std: float | None
    max_diff: float | None
    agreement_rate: float | None


class EvaluatorOut(BaseModel):
    evaluator_id: str
    score: float | None
    deviation: float | None
    item_match_rate: float | None


class CalibrationOut(BaseModel):
    calibration_id: int
    call_id: str
    form: FormOut
    scores: dict[str, float | None]
    std: float | None
    max_diff: float | None
    agreement_rate: float | None
    agreed_score: float | None
    basis: str
    items: list[ItemSpread]
    evaluators: list[EvaluatorOut]


class ScorecardQuery(Input):
    period: str = Field(pattern=PERIOD)
    team: str | None = Field(None, pattern=ID)


class KpiOut(BaseModel):
    kpi: str
    value: float | None
    score: float | None
    weight: float
    target: float
    floor: float
    note: str | None = None  # what the value leaves out (aht_s: calls under min_handle_s)


class ScorecardOut(BaseModel):
    agent_id: str
    name: str | None
    team: str | None
    role: str
    total: float | None
    rank: int | None
    missing: list[str]
    kpis: list[KpiOut]


class ScorecardsOut(BaseModel):
    period: str
    kpis: list[str]
    adherence_available: bool
    scorecards: list[ScorecardOut]


class FormSaveBody(Input):
    definition: dict[str, Any]


class FormVersionRow(BaseModel):
    form_version_id: int
    version: int
    created_at: datetime


class FormEditOut(BaseModel):
    form: FormOut
    created: bool
    versions: list[FormVersionRow]
