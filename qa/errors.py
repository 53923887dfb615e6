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


class QaError(Exception):
    """Base of every QA error."""


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

    def __init__(self, item: str, value: object, message: str) -> None:
        self.item = item
        self.value = value
        self.message = message
        got = "" if value is None else f" (got {value!r})"
        super().__init__(f"item {item!r}: {message}{got}")


class AnswersFileError(QaError):
    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"answers {path}: {message}")


class PeriodError(QaError):
    def __init__(self, text: str, message: str) -> None:
        self.text = text
        super().__init__(f"period {text!r}: {message}")


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
        super().__init__(f"evaluation {evaluation_id}: cannot {action} when {status}")


class NotAllowedError(QaError):
    def __init__(self, evaluation_id: int, who: str, action: str) -> None:
        self.evaluation_id = evaluation_id
        self.who = who
        self.action = action
        super().__init__(f"evaluation {evaluation_id}: {who!r} may not {action} it")


class NotFoundError(QaError):
    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key!r} not found")
