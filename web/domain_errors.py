"""The one table from the features' errors to HTTP statuses.

A handler lets a feature's error through; ``error_middleware`` (``web.app``) asks ``api_error``,
which answers with the first row whose class the error is an instance of (rows for subclasses
come before their base), so each error means the same status and field wherever it is raised.
Where an API parameter is named differently from the feature's argument (``week`` is parsed as
a QA period, ``service_level_pct`` is the staffing target's ``service_level``), the handler's
parsing step names the parameter itself.

Each feature's error explains itself for people as a catalog msgid and params
(``kernel.messages.ExplainedError``): the API error carries both, and the response translates
them into the request's language while ``field`` stays the machine name.

A ``ValueError`` no row claims is a service's precondition naming its argument
(``"extra_s: must be positive"``, or a ``FieldValueError``): 422 on that field, or on ``body``
when the text names none.
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
from kernel.messages import N_, ExplainedError, FieldValueError
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
    invalid_because,
)
from web.phone.credentials import PhoneError
from web.planner.jobs import JobLimitError
from web.session.users import UnknownUserError, UserExistsError

FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,63}")


def _said(cls: type[ApiError], field: str | None = None) -> Callable[[ExplainedError], ApiError]:
    """``cls`` on ``field``, saying what the feature's error explains (a msgid and its params,
    translated into the request's language when answered)."""

    def convert(exc: ExplainedError) -> ApiError:
        msgid, params = exc.explanation()
        return cls(msgid, field=field, params=params)

    return convert


def _call_not_waiting(exc: CallNotWaitingError) -> ApiError:
    if exc.state == "unknown":  # in no domain's calls: there is no such waiting call
        return NotFoundError(
            N_("no waiting call %(call_id)s"), field="call_id", params={"call_id": exc.call_id}
        )
    return _said(ConflictError, "call_id")(exc)


def _outbound_form(exc: FormError) -> ApiError:
    name = "callback_at" if exc.field == "due_at" else str(exc.field)
    return invalid_because(name, exc, "path" if name == "call_id" else "body")


def _qa_answer(exc: AnswerError) -> ApiError:
    own = exc.item in ("comment", "resolution", "answers")
    return invalid_because(exc.item if own else f"answers.{exc.item}", exc)


def value_error(exc: ValueError) -> ValidationError:
    """``"extra_s: must be positive"`` names the field ``extra_s``; any other text is about the
    body as a whole (``field`` stays a field name, never a message). A ``FieldValueError``
    (``kernel.messages``) names its field and explains itself in the reader's language."""
    if isinstance(exc, FieldValueError):
        return invalid_because(exc.field, exc)
    name, _, message = str(exc).partition(": ")
    if not message or not FIELD_NAME.fullmatch(name):
        name, message = "body", str(exc)
    return invalid(name, message)


# (error class, its API error); a subclass's row before its base's.
DOMAIN_ERRORS: tuple[tuple[type[Exception], Callable[[Any], ApiError]], ...] = (
    # the router (queueing)
    (UnknownReasonError, lambda e: invalid_because("reason", e)),
    (UnknownAgentError, _said(NotFoundError, "agent_id")),
    (CallbackNumberError, lambda e: invalid_because("number", e)),
    (CallNotWaitingError, _call_not_waiting),
    (QueueMoveError, lambda e: invalid_because("queue_id", e)),
    (AgentSkillError, _said(ConflictError, "agent_id")),
    (AgentStateError, _said(ConflictError, "state")),
    (AgentActionError, _said(ConflictError, "state")),
    (QueueingError, _said(ConflictError)),
    # customers (a record's field: the agent's new customer, a link)
    (CustomerFieldError, lambda e: invalid_because(e.field, e)),
    (NotEditableError, lambda e: _said(ForbiddenError, e.field)(e)),
    (ScriptConflictError, lambda e: _said(ConflictError, e.field)(e)),
    (UnknownCustomerError, _said(NotFoundError, "customer_id")),
    # complaints
    (ComplaintNotFoundError, _said(NotFoundError, "complaint_id")),
    (TransitionError, _said(ConflictError, "status")),
    # a complaint filed with another action (a wrap-up's ``complaint``); complaints/http.py
    # names its own body's fields
    (ComplaintFieldError, lambda e: invalid_because(f"complaint.{e.field}", e)),
    (ComplaintError, _said(ConflictError, "complaint")),
    # outbound tasks (return visits, callbacks)
    (TaskNotFoundError, _said(NotFoundError, "call_id")),
    (FormError, _outbound_form),
    (OutboundTaskError, lambda e: invalid_because("callback_at", e)),
    # quality
    (AnswerError, _qa_answer),
    (QaFormError, lambda e: invalid_because("definition", e)),
    (PeriodError, lambda e: invalid_because("period", e, "query")),
    (EvaluationStateError, _said(ConflictError, "status")),
    (NotAllowedError, _said(ForbiddenError, "evaluation_id")),
    (QaNotFoundError, lambda e: _said(NotFoundError, e.kind.replace(" ", "_"))(e)),
    (QaError, _said(ConflictError)),
    # planning
    (JobLimitError, _said(ConflictError, "job")),
    # user administration
    (UnknownUserError, _said(NotFoundError, "username")),
    (UserExistsError, _said(ConflictError, "username")),
    # the browser phone
    (PhoneError, lambda e: _said(ConflictError, e.field)(e)),
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
