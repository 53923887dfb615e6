"""Pydantic's validation messages as catalog msgids: the error's ``type`` picks the msgid, its
``ctx`` fills the placeholders, so a 422 reads in the request's language while ``field`` stays
the machine name. A type not listed keeps pydantic's English message."""

from __future__ import annotations

from typing import Any

from kernel.messages import N_, ExplainedError, Params

MESSAGES: dict[str, str] = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "string_type": N_("Input should be a valid string"),
    "int_parsing": N_("Input should be a valid integer"),
    "int_type": N_("Input should be a valid integer"),
    "float_parsing": N_("Input should be a valid number"),
    "bool_parsing": N_("Input should be a valid boolean"),
    "string_too_short": N_("String should have at least %(min_length)s characters"),
    "string_too_long": N_("String should have at most %(max_length)s characters"),
    "string_pattern_mismatch": N_("String should match pattern '%(pattern)s'"),
    "greater_than": N_("Input should be greater than %(gt)s"),
    "greater_than_equal": N_("Input should be greater than or equal to %(ge)s"),
    "less_than": N_("Input should be less than %(lt)s"),
    "less_than_equal": N_("Input should be less than or equal to %(le)s"),
    "literal_error": N_("Input should be %(expected)s"),
    "datetime_parsing": N_("Input should be a valid datetime"),
    "date_parsing": N_("Input should be a valid date"),
}


def pydantic_message(err: Any) -> tuple[str, Params | None]:
    """(msgid, params) for one of ``ValidationError.errors()``; a validator's own
    ``ExplainedError`` (``kernel.messages``) says its own."""
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, ExplainedError):
        return cause.explanation()
    msgid = MESSAGES.get(str(err.get("type")))
    if msgid is None:
        return str(err["msg"]), None
    ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int | float)}
    try:
        msgid % ctx
    except (KeyError, TypeError, ValueError):  # a context this table did not expect
        return str(err["msg"]), None
    return msgid, ctx or None
