"""Text meant for people, kept as catalog msgids so it can be shown in the reader's language.

The catalogs live in ``web`` (``web.i18n``); a feature package below it marks its text with
``N_`` (Babel's extractor finds it, ``babel.cfg`` lists the packages) and an error that reaches
people carries that msgid and its ``%(name)s`` params (``ExplainedError``). ``web.domain_errors``
hands both to the API error, which translates them with the request's catalog. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Params = Mapping[str, Any]


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for a no-op mark
    """Marks ``message`` for extraction; it is translated where it is shown."""
    return message


# Between the items of a ``Labels`` param (Chinese lists with 、).
LIST_SEPARATOR = N_(", ")


class Labels(tuple[str, ...]):
    """A param whose items are catalog msgids themselves (role names): shown translated and
    joined with the reader's list separator."""

    __slots__ = ()

    def __str__(self) -> str:
        return LIST_SEPARATOR.join(self)


def english(msgid: str, params: Params | None) -> str:
    """``msgid`` filled from ``params`` (the English text, i.e. the untranslated catalog)."""
    if not params:
        return msgid
    return msgid % {k: str(v) if isinstance(v, Labels) else v for k, v in params.items()}


class ExplainedError(Exception):
    """An error whose explanation for people is ``msgid`` + ``params``; ``str()`` stays the
    English log line (often with more context, e.g. the ids involved)."""

    msgid: str = ""
    params: Params | None = None

    def explain(self, msgid: str, params: Params | None = None) -> str:
        """Remember the explanation; returns its English text (for ``message`` attributes)."""
        self.msgid, self.params = msgid, params
        return english(msgid, params)

    def explanation(self) -> tuple[str, Params | None]:
        """(msgid, params) for people; ``str(self)`` when no msgid was given."""
        return (self.msgid, self.params) if self.msgid else (str(self), None)


class ExplainedValueError(ExplainedError, ValueError):
    """A bad value, explained: what a pydantic validator raises (pydantic names the field;
    ``web.i18n.validation`` shows the explanation in the reader's language)."""

    def __init__(self, message: str, params: Params | None = None) -> None:
        """``message``: a msgid filled from ``params``."""
        self.message = self.explain(message, params)
        super().__init__(self.message)


class BadFieldValue(ExplainedError):
    """``field`` was given ``value``; the explanation says what is wrong with it (a feature's
    field error derives from its own base and this one)."""

    def __init__(
        self, field: str, value: object, message: str, params: Params | None = None
    ) -> None:
        """``message``: a msgid filled from ``params``."""
        self.field, self.value = field, value
        self.message = self.explain(message, params)
        super().__init__(f"{field}={value!r}: {self.message}")


class FieldValueError(ExplainedError, ValueError):
    """A precondition on one named input failed (``"extra_s: must be positive"``): ``field``
    names it, the explanation says what is wrong; the web answers 422 on that field."""

    def __init__(self, field: str, message: str, params: Params | None = None) -> None:
        """``message``: a msgid filled from ``params``."""
        self.field = field
        self.message = self.explain(message, params)
        super().__init__(f"{field}: {self.message}")
