"""The one table from the features' errors to HTTP statuses.

A handler lets a feature's error through; ``error_middleware`` (``web.app``) asks ``api_error``,
which answers with the first row whose class the error is an instance of (rows for subclasses
come before their base), so each error means the same status and field wherever it is raised.
Where an API parameter is named differently from the feature's argument (``week`` is parsed as
a QA period, ``service_level_pct`` is the staffing target's ``service_level``), the handler's
parsing step names the parameter itself.

A ``ValueError`` no row claims is a service's precondition naming its argument
(``"extra_s: must be positive"``): 422 on that field, or on ``body`` when the text names none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from complaints.lifecycle import (
    ComplaintError,
    ComplaintFieldError,
    ComplaintNotFoundError,
    TransitionError,
)
from customers.card import NotEditableError, UnknownCustomerError
from customers.records import FieldError as CustomerFieldError
from outbound.tasks import FormError, OutboundTaskError, TaskNotFoundError
from qa.errors import AnswerError, EvaluationStateError, NotAllowedError, PeriodError, QaError
from qa.errors import FormError as QaFormError
from qa.errors import NotFoundError as QaNotFoundError
from queueing.call_scripts import ScriptConflictError
from queueing.errors import (
    AgentActionError,
    AgentSkillError,
    AgentStateError,
    CallbackNumberError,
    CallNotWaitingError,
    QueueingError,
    QueueMoveError,
    UnknownAgentError,
    UnknownReasonError,
)
from web.errors import (
    ApiError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
    invalid,
)
from web.phone.credentials import PhoneError
from web.planner.jobs import JobLimitError
from web.session.users import UnknownUserError, UserExistsError

FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,63}")


def _call_not_waiting(exc: CallNotWaitingError) -> ApiError:
    if exc.state == "unknown":  # in no domain's calls: there is no such waiting call
        return NotFoundError(f"no waiting call {exc.call_id}", field="call_id")
    return ConflictError(exc.message, field="call_id")


def _outbound_form(exc: FormError) -> ApiError:
    name = "callback_at" if exc.field == "due_at" else str(exc.field)
    return invalid(name, exc.message, "path" if name == "call_id" else "body")


def _qa_answer(exc: AnswerError) -> ApiError:
    own = exc.item in ("comment", "resolution", "answers")
    return invalid(exc.item if own else f"answers.{exc.item}", str(exc))


def value_error(exc: ValueError) -> ValidationError:
    """``"extra_s: must be positive"`` names the field ``extra_s``; any other text is about the
    body as a whole (``field`` stays a field name, never a message)."""
    name, _, message = str(exc).partition(": ")
    if not message or not FIELD_NAME.fullmatch(name):
        name, message = "body", str(exc)
    return invalid(name, message)


# (error class, its API error); a subclass's row before its base's.
DOMAIN_ERRORS: tuple[tuple[type[Exception], Callable[[Any], ApiError]], ...] = (
    # the router (queueing)
    (UnknownReasonError, lambda e: invalid("reason", e.message)),
    (UnknownAgentError, lambda e: NotFoundError(e.message, field="agent_id")),
    (CallbackNumberError, lambda e: invalid("number", e.reason)),
    (CallNotWaitingError, _call_not_waiting),
    (QueueMoveError, lambda e: invalid("queue_id", e.message)),
    (AgentSkillError, lambda e: ConflictError(e.message, field="agent_id")),
    (
        AgentStateError,
        lambda e: ConflictError(f"{e.action} not allowed while {e.state}", field="state"),
    ),
    (AgentActionError, lambda e: ConflictError(e.message, field="state")),
    (QueueingError, lambda e: ConflictError(str(e))),
    # customers (a record's field: the agent's new customer, a link)
    (CustomerFieldError, lambda e: invalid(e.field, e.message)),
    (NotEditableError, lambda e: ForbiddenError(str(e), field=e.field)),
    (ScriptConflictError, lambda e: ConflictError(e.message, field=e.field)),
    (UnknownCustomerError, lambda e: NotFoundError(str(e), field="customer_id")),
    # complaints
    (ComplaintNotFoundError, lambda e: NotFoundError(str(e), field="complaint_id")),
    (TransitionError, lambda e: ConflictError(str(e), field="status")),
    # a complaint filed with another action (a wrap-up's ``complaint``); complaints/http.py
    # names its own body's fields
    (ComplaintFieldError, lambda e: invalid(f"complaint.{e.field}", e.message)),
    (ComplaintError, lambda e: ConflictError(str(e), field="complaint")),
    # outbound tasks (return visits, callbacks)
    (TaskNotFoundError, lambda e: NotFoundError(str(e), field="call_id")),
    (FormError, _outbound_form),
    (OutboundTaskError, lambda e: invalid("callback_at", str(e))),
    # quality
    (AnswerError, _qa_answer),
    (QaFormError, lambda e: invalid("definition", str(e))),
    (PeriodError, lambda e: invalid("period", str(e), "query")),
    (EvaluationStateError, lambda e: ConflictError(str(e), field="status")),
    (NotAllowedError, lambda e: ForbiddenError(str(e), field="evaluation_id")),
    (QaNotFoundError, lambda e: NotFoundError(str(e), field=e.kind.replace(" ", "_"))),
    (QaError, lambda e: ConflictError(str(e))),
    # planning
    (JobLimitError, lambda e: ConflictError(str(e), field="job")),
    # user administration
    (UnknownUserError, lambda e: NotFoundError(str(e), field="username")),
    (UserExistsError, lambda e: ConflictError(f"{e.username!r} already exists", field="username")),
    # the browser phone
    (PhoneError, lambda e: ConflictError(e.message, field=e.field)),
)


def api_error(exc: Exception) -> ApiError | None:
    """The API error ``exc`` stands for, or None when it is no domain error (a bug: 500)."""
    if isinstance(exc, ApiError):
        return exc
    for cls, convert in DOMAIN_ERRORS:
        if isinstance(exc, cls):
            return convert(exc)
    if isinstance(exc, ValueError):
        return value_error(exc)
    return None
