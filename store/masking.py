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
through the platform (progressive dialling), so they never need the number itself.

Every unmasked read of a field the policy lists as personal is audited (``store.audit``); the
functions here only decide and mask.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

ROLES = ("agent", "supervisor", "planner", "qa", "admin")
PERSONAL_FIELDS = ("name", "phone", "email", "notes")

_POLICY: dict[str, frozenset[str]] = {
    "admin": frozenset(PERSONAL_FIELDS),
    "supervisor": frozenset(PERSONAL_FIELDS),
    "agent": frozenset({"name", "notes"}),
    "qa": frozenset(),
    "planner": frozenset(),
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
