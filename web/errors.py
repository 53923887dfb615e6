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

from typing import Any


class WebError(Exception):
    """Base of every error raised by ``web``."""


class ApiError(WebError):
    status = 500
    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.message = message
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.code, "message": self.message}
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

    def __init__(self, fields: list[dict[str, str]]) -> None:
        self.fields = fields
        first = fields[0] if fields else {"field": "body", "message": "invalid"}
        super().__init__(first["message"], field=first["field"])

    def body(self) -> dict[str, Any]:
        return {**super().body(), "fields": self.fields}


def invalid(field: str, message: str, where: str = "body") -> ValidationError:
    """422 naming one field of the body (or of the ``query`` or ``path``)."""
    return ValidationError([{"field": field, "in": where, "message": message}])


class RateLimitedError(ApiError):
    status, code = 429, "rate_limited"

    def __init__(self, message: str, *, field: str | None, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message, field=field)


class UnavailableError(ApiError):
    status, code = 503, "unavailable"
