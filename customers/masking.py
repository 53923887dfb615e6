"""Masking of customers' personal data, and which roles may see which field unmasked. Pure.

Roles are the web's (``agent``, ``supervisor``, ``planner``, ``qa``, ``admin``). Policy:

=============  ======  =======  =======  ======
field          admin   superv.  agent    qa / planner
=============  ======  =======  =======  ======
name           yes     yes      yes      masked
phone          yes     yes      masked*  masked
email          yes     yes      masked*  masked
notes          yes     yes      yes      masked
=============  ======  =======  =======  ======

\\* an agent who is the customer's account manager sees the phone and e-mail too. Agents dial
through the platform (progressive dialling), so they never need the number itself. A role that
may read the notes but not the phone reads them with their numbers masked (``mask_numbers``).

Every unmasked read of a field the policy lists as personal is audited (``customers.audit``); the
functions here only decide and mask.

Text that may carry a number anywhere (free text, ids made by others, channel names) is masked
by value with ``mask_numbers``: every *number-shaped* run in it is masked like a phone number.
Number-shaped means, exactly (``NUMBER_SHAPED``):

* 7 or more digits (any script's digits: full-width ones too), optionally after a ``+``;
* between two digits at most 3 separators from space, ``-``, ``.``, ``/``, ``(``, ``)``, so
  ``+86 150-4117-5891``, ``(010) 6234 5678`` and ``cust-+8615041175891`` all qualify;
* not glued to a Latin letter or another digit on either side (``trunk-0000001a`` and
  ``a1b2c3d4e5f6a7b8`` are ids); CJK characters, ``_``, ``-`` and punctuation do not glue, so
  ``电话13812345678请回拨`` and ``cust_13812345678`` do qualify;
* an ISO date alone (``2026-11-16``) does not, nor an ISO datetime
  (``2026-11-16T09:00:00.123456+08:00``: the date is glued to the ``T``, and seconds with their
  fraction after ``hh:mm:`` are a time).

Shorter digit runs (agent ids such as ``1001``, queue figures, durations) and JSON numbers are
never number-shaped: the platform writes phone numbers as text (E.164) only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from kernel.vocabulary import ROLES

PERSONAL_FIELDS = ("name", "phone", "email", "notes")

_POLICY: dict[str, frozenset[str]] = {
    "admin": frozenset(PERSONAL_FIELDS),
    "supervisor": frozenset(PERSONAL_FIELDS),
    "agent": frozenset({"name", "notes"}),
    "qa": frozenset(),
    "planner": frozenset(),
    "wallboard": frozenset(),  # a wall screen: no customer data at all
}
_ACCOUNT_MANAGER_EXTRA = frozenset({"phone", "email"})


class MaskingError(ValueError):
    """An unknown role or field; the message names it."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who reads: the user (``user_id``), their role, and their agent id when they are an agent."""

    user_id: str
    role: str
    agent_id: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise MaskingError(f"role: unknown role {self.role!r}")
        if not self.user_id:
            raise MaskingError("user_id: must not be empty")


def visible_fields(viewer: Viewer, account_manager: str | None = None) -> frozenset[str]:
    """The personal fields ``viewer`` may see unmasked on a customer with ``account_manager``."""
    fields = _POLICY[viewer.role]
    if viewer.role == "agent" and viewer.agent_id and viewer.agent_id == account_manager:
        fields = fields | _ACCOUNT_MANAGER_EXTRA
    return fields


def mask_phone(e164: str) -> str:
    """``+8613812345678`` → ``+86 138****5678``: the country code, then the national number with
    its middle hidden (3 + 4 digits shown from 10 digits on, 2 + 3 from 8, 1 + 2 from 5; shorter
    numbers are hidden whole)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        digits = "".join(c for c in e164 if c.isdigit())
        return "*" * max(0, len(digits) - 2) + digits[-2:]
    national = phonenumbers.national_significant_number(number)
    return f"+{number.country_code} {_mask_digits(national)}"


def _mask_digits(digits: str) -> str:
    n = len(digits)
    if n >= 10:
        head, tail = 3, 4
    elif n >= 8:
        head, tail = 2, 3
    elif n >= 5:
        head, tail = 1, 2
    else:
        head, tail = 0, 0
    if tail == 0:
        return "*" * n
    return digits[:head] + "*" * (n - head - tail) + digits[n - tail :]


NUMBER_SHAPED = re.compile(r"(?<![A-Za-z\d+])\+?[(]?\d(?:[ ./()\-]{0,3}\d){6,}(?![A-Za-z\d])")
_DATE_OR_TIME = re.compile(r"\d{4}-\d{2}-\d{2}|(?<=\d\d:)\d\d\.\d+")


def _is_date_or_time(m: re.Match[str]) -> bool:
    return _DATE_OR_TIME.fullmatch(m.string, m.start(), m.end()) is not None


def number_shaped(text: str) -> list[str]:
    """The number-shaped runs of ``text`` (see the module docstring), in order."""
    return [m.group() for m in NUMBER_SHAPED.finditer(text) if not _is_date_or_time(m)]


def mask_numbers(text: str) -> str:
    """``text`` with every number-shaped run masked as ``mask_phone`` masks a number."""
    return NUMBER_SHAPED.sub(
        lambda m: m.group() if _is_date_or_time(m) else mask_phone(m.group()), text
    )


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``; ``John Smith`` → ``J*** S****``: each word keeps its first letter."""
    words = name.split()
    if not words:
        return name
    return " ".join(w[0] + "*" * (len(w) - 1) for w in words)


def mask_email(email: str) -> str:
    """``zhang.san@example.com`` → ``z***@example.com``."""
    local, at, domain = email.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_notes(notes: str) -> str:
    return "[hidden]" if notes else notes


def mask_field(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    if field == "name":
        return mask_name(value)
    if field == "phone":
        return mask_phone(value)
    if field == "email":
        return mask_email(value)
    if field == "notes":
        return mask_notes(value)
    raise MaskingError(f"field: {field!r} is not a personal field")
