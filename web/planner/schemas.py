"""The schemas of planner's endpoints (``web/planner/http.py``): what each reads and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from web.schemas import ID, Input


class TargetQuery(Input):
    source: Literal["upload", "store"] = "upload"
    # any day of the week to plan (its Monday is used); default: next week from today, both in
    # the centre's time zone (settings.timezone)
    week_start: date | None = None
    service_level_pct: float = Field(80, ge=1, le=99.9)
    answer_within_s: float = Field(20, ge=1, le=3600)
    asa_s: float | None = Field(None, gt=0, le=3600)
    max_occupancy_pct: float = Field(90, ge=30, le=100)
    shrinkage_pct: float = Field(30, ge=0, le=80)


class RosterBody(TargetQuery):
    weekly_hours_min: float = Field(30, ge=0, le=60)
    weekly_hours_max: float = Field(40, ge=4, le=60)
    time_limit_s: float = Field(60, ge=3, le=900)
    agent_ids: list[str] | None = Field(None, max_length=2000)


class HistoryOut(BaseModel):
    intervals: int
    days: int
    interval_min: int
    first_at: datetime
    last_at: datetime


class HistoryStatus(BaseModel):
    uploaded: bool
    history: HistoryOut | None = None


class Series(BaseModel):
    starts: list[datetime]
    calls: list[float | None]  # None: unknown (a telephony gap)


class ForecastOut(BaseModel):
    week_start: date  # the Monday of the forecast week, in ``timezone``
    timezone: str  # the centre's (settings.timezone): every time on the page is shown in it
    interval_min: int
    wape_pct: float | None
    mape_pct: float | None
    holdout_actual: Series
    holdout_forecast: list[float]
    starts: list[datetime]
    calls: list[float]
    aht_s: list[float]
    agents: list[int]
    scheduled_agents: list[int]
    service_level_pct: list[float | None]
    total_calls: float
    scheduled_hours: float
    peak_scheduled: int


class JobOut(BaseModel):
    job_id: str
    status: str
    stage: str
    elapsed_s: float
    best_bound: float | None
    best_objective: float | None
    gap: float | None  # None until a bound is proven (a bound of 0 proves nothing)
    progress: float | None  # 1 − gap; None: not known yet (the page shows an indefinite bar)
    short_agent_h: float | None  # when done: agent-hours below the requirement (0: met)
    message: str | None  # when done: the shortfall said plainly
    agents: int
    time_limit_s: float
    roster_id: int | None
    error: str | None


class ActivityOut(BaseModel):
    activity: str
    start_at: datetime
    end_at: datetime


class AgentRosterOut(BaseModel):
    agent_id: str
    name: str
    hours: float
    activities: list[ActivityOut]


class RosterSummary(BaseModel):
    roster_id: int
    name: str
    published: bool
    created_at: datetime
    period_start_at: datetime
    period_end_at: datetime
    under_staffing: float | None
    over_staffing: float | None
    gap: float | None
    created_by: str | None
    published_at: datetime | None


class RosterListOut(BaseModel):
    rosters: list[RosterSummary]


class ShortIntervalOut(BaseModel):
    start_at: datetime
    required: float
    covered: float
    short: float


class RosterOut(BaseModel):
    roster_id: int
    name: str
    published: bool
    published_at: datetime | None
    first_interval_at: datetime
    interval_min: int
    utc_offset_min: int
    required: list[float]
    coverage: list[float]
    under_agent_h: float
    over_agent_h: float
    meets_requirement: bool
    explanation: str  # the shortfall said plainly
    short_intervals: list[ShortIntervalOut]  # every interval below the requirement
    timezone: str  # the centre's: the page shows every time in it
    gap: float | None
    settings: dict[str, Any]
    agents: list[AgentRosterOut]


class MoveBody(Input):
    agent_id: str = Field(pattern=ID)
    shift_start_at: datetime
    start_at: datetime
    end_at: datetime


class AdherenceQuery(Input):
    day: date | None = None


class StateSpanOut(BaseModel):
    state: str
    reason: str | None
    start_at: datetime
    end_at: datetime


class AgentAdherenceOut(BaseModel):
    agent_id: str
    name: str
    adherence_pct: float | None
    occupancy_pct: float | None
    scheduled_min: int
    in_adherence_min: int
    scheduled: list[ActivityOut]
    actual: list[StateSpanOut]


class AdherenceOut(BaseModel):
    day: date
    day_start_at: datetime
    agents: list[AgentAdherenceOut]


class ShiftsQuery(Input):
    week_start: date | None = None


class AgentShiftsOut(BaseModel):
    agent_id: str
    week_start: date
    timezone: str
    activities: list[ActivityOut]
