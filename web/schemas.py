"""What every feature's schemas share: the pattern of an id and the base of request schemas (an
unknown field is an error, not ignored). Each feature's ``schemas.py`` holds its request and
response schemas: the same classes validate input and describe it in the OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

ID = r"^[A-Za-z0-9_.:@-]{1,128}$"
# a name that is also an id (a team's): letters and digits of any script, e.g. the demo's 一组
NAME_ID = r"^[\w.:@-]{1,128}$"


class Input(BaseModel):
    """A request's query or body: unknown fields are refused (422 naming them)."""

    model_config = ConfigDict(extra="forbid")
