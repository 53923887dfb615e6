"""Errors of the QA package.

QaError
├── FormError            a form definition is invalid (``item`` names the section/item, ``field`` the key)
├── AnswerError          answers do not fit the form (``item`` is the item id)
├── AnswersFileError     an answers file is unreadable or not ``{"answers": {...}}``
├── PeriodError          a week/month text is not ``2026-W47`` / ``2026-11``
├── SamplingError        sampling rules are inconsistent (``field`` names the rule)
├── EvaluationStateError an acknowledge/dispute/resolve is not allowed in the evaluation's state
├── NotAllowedError      someone other than the evaluated agent acknowledges or disputes
└── NotFoundError        a form, evaluation or calibration does not exist (``kind``, ``key``)
"""

from __future__ import annotations

from kernel.messages import N_, ExplainedError, Params


class QaError(ExplainedError):
    """Base of every QA error; people read its explanation (``kernel.messages``), ``str()``
    is the log line."""


class FormError(QaError):
    """A form definition is invalid. ``item`` locates it (e.g. ``item 'greet'``), ``field`` the key."""

    def __init__(self, item: str, field: str | None, message: str) -> None:
        self.item = item
        self.field = field
        self.message = message
        where = f"{item}: {field}" if field else item
        super().__init__(f"{where}: {message}")


class AnswerError(QaError):
    """An answer does not fit the form; ``item`` is the item id, ``value`` what was given."""

    def __init__(
        self, item: str, value: object, message: str, params: Params | None = None
    ) -> None:
        """``message``: a msgid filled from ``params``; it is the explanation (the API's field
        names the item)."""
        self.item = item
        self.value = value
        self.message = self.explain(message, params)
        got = "" if value is None else f" (got {value!r})"
        super().__init__(f"item {item!r}: {self.message}{got}")


class AnswersFileError(QaError):
    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"answers {path}: {message}")


class PeriodError(QaError):
    def __init__(self, text: str, message: str, params: Params | None = None) -> None:
        """``message``: a msgid filled from ``params``."""
        self.text = text
        super().__init__(f"period {text!r}: {self.explain(message, params)}")


class SamplingError(QaError):
    def __init__(self, field: str, value: object, message: str) -> None:
        self.field = field
        self.value = value
        super().__init__(f"sampling rule {field}={value!r}: {message}")


class EvaluationStateError(QaError):
    def __init__(self, evaluation_id: int | None, status: str, action: str) -> None:
        self.evaluation_id = evaluation_id
        self.status = status
        self.action = action
        text = self.explain(
            N_("evaluation %(evaluation_id)s: cannot %(action)s when %(status)s"),
            {"evaluation_id": evaluation_id, "action": action, "status": status},
        )
        super().__init__(text)


class NotAllowedError(QaError):
    def __init__(self, evaluation_id: int, who: str, action: str) -> None:
        self.evaluation_id = evaluation_id
        self.who = who
        self.action = action
        text = self.explain(
            N_("evaluation %(evaluation_id)s: %(who)r may not %(action)s it"),
            {"evaluation_id": evaluation_id, "who": who, "action": action},
        )
        super().__init__(text)


class NotFoundError(QaError):
    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key!r} not found")
        if kind in NOT_FOUND:
            self.explain(NOT_FOUND[kind], {"key": key})


# What people read for each ``NotFoundError.kind``.
NOT_FOUND = {
    "form": N_("form %(key)r not found"),
    "form version": N_("form version %(key)r not found"),
    "agent of call": N_("agent of call %(key)r not found"),
    "evaluation": N_("evaluation %(key)r not found"),
    "open dispute of evaluation": N_("open dispute of evaluation %(key)r not found"),
    "calibration": N_("calibration %(key)r not found"),
    "scores of calibration": N_("scores of calibration %(key)r not found"),
}
