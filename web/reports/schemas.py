"""The reports endpoint's query and JSON answer."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kernel.messages import N_, ExplainedValueError
from reports.export import Cell
from web.schemas import ID, Input


class ReportQuery(Input):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_day: date = Field(alias="from", description="first day (centre's time zone)")
    to_day: date = Field(alias="to", description="last day, inclusive")
    interval_min: int = Field(15, json_schema_extra={"enum": [15, 30, 60]})
    queue: list[str] = Field(default_factory=list, description="queue ids; none: every queue")
    format: Literal["json", "csv", "xlsx"] = "json"

    @field_validator("queue")
    @classmethod
    def _ids(cls, v: list[str]) -> list[str]:
        bad = [q for q in v if not re.match(ID, q)]
        if bad:
            raise ExplainedValueError(N_("not a queue id: %(queue_id)r"), {"queue_id": bad[0]})
        return v


class ReportOut(BaseModel):
    kind: str
    from_day: date
    to_day: date
    timezone: str
    interval_min: int
    columns: list[str]
    rows: list[list[Cell]]
