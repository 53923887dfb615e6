"""Errors of the web package; each maps to one HTTP status and names what was wrong.

WebError
└── ApiError(status, code, message, field)
    ├── BadRequestError        400  unreadable input (not JSON, nested too deep, not an object)
    ├── UnauthorizedError      401  no valid session
    ├── ForbiddenError         403  wrong role, someone else's agent or call, CSRF token missing
    ├── NotFoundError          404
    ├── ConflictError          409  an action's precondition failed (agent state, call state)
    ├── PayloadTooLargeError   413  a request body over its limit (``web.bodies``)
    ├── ValidationError        422  input that does not match the schema (``fields`` lists them)
    ├── RateLimitedError       429  too many failed sign-ins (``retry_after_s``)
    └── UnavailableError       503  a piece the action needs is not running in this build
"""

from __future__ import annotations

import gettext
from collections.abc import Sequence
from typing import Any

from kernel.messages import LIST_SEPARATOR, ExplainedError, Labels, Params, english


def localised(message: str, params: Params | None, catalog: gettext.NullTranslations | None) -> str:
    """``message`` (a catalog msgid with ``%(name)s`` placeholders) in ``catalog``'s language;
    a ``Labels`` param's items are translated too."""
    if catalog is None:
        return english(message, params)
    if params:
        sep = catalog.gettext(LIST_SEPARATOR)
        params = {
            k: sep.join(catalog.gettext(x) for x in v) if isinstance(v, Labels) else v
            for k, v in params.items()
        }
    return english(catalog.gettext(message), params)


class WebError(Exception):
    """Base of every error raised by ``web``."""


class ApiError(WebError):
    status = 500
    code = "error"

    def __init__(
        self, message: str, *, field: str | None = None, params: Params | None = None
    ) -> None:
        """``message`` is English, or a catalog msgid filled from ``params`` (localised by
        ``body``); ``field`` stays a machine-readable name in every language."""
        self.msgid, self.params = message, params
        self.message = localised(message, params, None)
        self.field = field
        super().__init__(f"{field}: {self.message}" if field else self.message)

    def body(self, catalog: gettext.NullTranslations | None = None) -> dict[str, Any]:
        """The JSON body, its messages in ``catalog``'s language (English without one)."""
        message = localised(self.msgid, self.params, catalog)
        out: dict[str, Any] = {"error": self.code, "message": message}
        if self.field:
            out["field"] = self.field
        return out


class BadRequestError(ApiError):
    status, code = 400, "bad_request"


class UnauthorizedError(ApiError):
    status, code = 401, "unauthorized"


class ForbiddenError(ApiError):
    status, code = 403, "forbidden"


class NotFoundError(ApiError):
    status, code = 404, "not_found"


class ConflictError(ApiError):
    status, code = 409, "conflict"


class PayloadTooLargeError(ApiError):
    status, code = 413, "too_large"


class ValidationError(ApiError):
    status, code = 422, "validation"

    def __init__(
        self, fields: list[dict[str, str]], params: Sequence[Params | None] | None = None
    ) -> None:
        """``fields``: field, in, message (English or a msgid); ``params``: each one's
        placeholders, in the same order."""
        self.field_params = params or [None] * len(fields)
        self.fields = [
            {**f, "message": localised(f["message"], p, None)}
            for f, p in zip(fields, self.field_params, strict=True)
        ]
        self._msgids = [f["message"] for f in fields]
        first = fields[0] if fields else {"field": "body", "message": "invalid"}
        super().__init__(
            first["message"], field=first["field"], params=self.field_params[0] if fields else None
        )

    def body(self, catalog: gettext.NullTranslations | None = None) -> dict[str, Any]:
        fields = [
            {**f, "message": localised(m, p, catalog)}
            for f, m, p in zip(self.fields, self._msgids, self.field_params, strict=True)
        ]
        return {**super().body(catalog), "fields": fields}


def invalid(
    field: str, message: str, where: str = "body", params: Params | None = None
) -> ValidationError:
    """422 naming one field of the body (or of the ``query`` or ``path``)."""
    return ValidationError([{"field": field, "in": where, "message": message}], [params])


def invalid_because(field: str, exc: ExplainedError, where: str = "body") -> ValidationError:
    """422 naming ``field``, its message the explanation a feature's error carries."""
    msgid, params = exc.explanation()
    return invalid(field, msgid, where, params)


class RateLimitedError(ApiError):
    status, code = 429, "rate_limited"

    def __init__(
        self, message: str, *, field: str | None, retry_after_s: int, params: Params | None = None
    ) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message, field=field, params=params)


class UnavailableError(ApiError):
    status, code = 503, "unavailable"
