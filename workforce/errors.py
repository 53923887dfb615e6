"""Errors of the workforce package.

Tree::

    WorkforceError                 base of every error raised by workforce/
    ├── InputError                 a bad argument value; names the field
    ├── FormatError                a CSV file that breaks its format; names file, line and column
    ├── RosterError                the roster programme could not be built or solved
    └── WhatIfError                a what-if simulation could not run (start-up too slow, ...)
"""

from __future__ import annotations


class WorkforceError(Exception):
    """Base of every workforce error."""


class InputError(WorkforceError, ValueError):
    """``field`` got ``value``, which is not allowed (``message`` says why)."""

    def __init__(self, field: str, value: object, message: str) -> None:
        self.field = field
        self.value = value
        self.message = message
        super().__init__(f"{field}={value!r}: {message}")


class FormatError(WorkforceError, ValueError):
    """A CSV row that breaks its format: ``line`` is 1-based (the header is line 1)."""

    def __init__(self, source: str, line: int, column: str | None, message: str) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.message = message
        where = f"{source}:{line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")


class RosterError(WorkforceError):
    """The roster could not be produced (``reason`` says why, e.g. infeasible rules)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class WhatIfError(WorkforceError):
    """A what-if run could not be carried out (``reason`` says why)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
