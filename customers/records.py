"""Customer records, pure: validation of a record or a CSV of them, phone numbers in E.164, the
customer's calling hours, and what a viewer sees of a stored customer.

Errors::

    CustomerError
    └── FieldError(field, value, message)      one bad field of one record (``line`` in a file)

Phone numbers are stored in E.164 (``phonenumbers``, national numbers read in the configured
default region).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as pn_timezone

from customers.masking import mask_field, mask_numbers
from kernel.files import CsvRowError, csv_dicts
from kernel.messages import N_, ExplainedError, FieldValueError, Params
from kernel.vocabulary import TIERS

CSV_COLUMNS = (
    "customer_id",
    "name",
    "tier",
    "phones",
    "email",
    "account_manager",
    "do_not_call",
    "call_from",
    "call_until",
    "call_days",
    "timezone",
    "notes",
)
REQUIRED_COLUMNS = ("customer_id", "name", "phones")
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


class CustomerError(ExplainedError):
    """Base of the errors of customer records; people read its explanation
    (``kernel.messages``)."""


class FieldError(CustomerError):
    """``field`` of a record is bad; ``line`` is the file line when read from a file."""

    def __init__(
        self,
        field: str,
        value: object,
        message: str,
        line: int | None = None,
        params: Params | None = None,
    ) -> None:
        """``message``: a msgid filled from ``params`` (the explanation; ``field`` names it)."""
        self.field, self.value, self.line = field, value, line
        self.message = self.explain(message, params)
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{field}={value!r}: {self.message}")


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A validated customer, numbers in E.164 (first = primary)."""

    customer_id: str
    name: str
    phones: tuple[str, ...]
    tier: str = "ordinary"
    email: str | None = None
    account_manager: str | None = None
    do_not_call: bool = False
    call_from: str | None = None
    call_until: str | None = None
    call_days: str | None = None
    timezone: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class ImportReport:
    imported: int
    errors: tuple[FieldError, ...]
    lines_read: int


@dataclass(frozen=True, slots=True)
class CustomerView:
    """A customer as one viewer may see it: personal fields masked unless listed in ``unmasked``."""

    customer_id: str
    name: str
    tier: str
    phones: tuple[str, ...]
    email: str | None
    notes: str | None
    account_manager: str | None
    do_not_call: bool
    call_from: str | None
    call_until: str | None
    call_days: str | None
    timezone: str | None
    unmasked: frozenset[str] = field(default_factory=frozenset)


def normalise_number(raw: str, region: str) -> str:
    """``"138 1234 5678"`` in region CN → ``"+8613812345678"``; raises ``FieldError``."""
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise FieldError(
            "phones", raw, N_("not a phone number: %(reason)s"), params={"reason": str(exc)}
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise FieldError("phones", raw, N_("not a possible phone number"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def timezone_of_number(e164: str, default: str) -> str:
    """The number's time zone when phonenumbers knows exactly one, else ``default``."""
    try:
        zones = pn_timezone.time_zones_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return default
    if len(zones) == 1 and zones[0] != "Etc/Unknown":
        return zones[0]
    return default


def validate_record(row: Mapping[str, str | None], region: str) -> CustomerRecord:
    """A raw record (CSV row, API body) → ``CustomerRecord``; ``FieldError`` names the column."""

    def text(name: str) -> str | None:
        v = row.get(name)
        v = v.strip() if isinstance(v, str) else v
        return v or None

    customer_id = text("customer_id")
    if not customer_id:
        raise FieldError("customer_id", row.get("customer_id"), N_("required"))
    if len(customer_id) > 64:
        raise FieldError("customer_id", customer_id, N_("longer than 64 characters"))
    name = text("name")
    if not name:
        raise FieldError("name", row.get("name"), N_("required"))
    tier = (text("tier") or "ordinary").lower().replace(" ", "_")
    if tier not in TIERS:
        raise FieldError(
            "tier",
            row.get("tier"),
            N_("must be one of %(choices)s"),
            params={"choices": ", ".join(TIERS)},
        )
    raw_phones = text("phones") or text("phone")
    if not raw_phones:
        raise FieldError("phones", row.get("phones"), N_("at least one phone number is required"))
    phones: list[str] = []
    for part in raw_phones.replace("|", ";").split(";"):
        if part.strip():
            e164 = normalise_number(part, region)
            if e164 not in phones:
                phones.append(e164)
    email = text("email")
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        raise FieldError("email", email, N_("not an e-mail address"))
    dnc_raw = (text("do_not_call") or "").lower()
    if dnc_raw not in _TRUE | _FALSE:
        raise FieldError("do_not_call", row.get("do_not_call"), N_("must be yes or no"))
    call_from, call_until = text("call_from"), text("call_until")
    for name_, value in (("call_from", call_from), ("call_until", call_until)):
        if value:
            try:
                parse_hhmm(value)
            except ValueError as exc:
                raise FieldError(name_, value, str(exc)) from None
    if (call_from is None) != (call_until is None):
        missing = "call_until" if call_until is None else "call_from"
        raise FieldError(missing, None, N_("call_from and call_until go together"))
    call_days = text("call_days")
    if call_days:
        try:
            days = parse_days(call_days)
        except ValueError as exc:
            raise FieldError("call_days", call_days, str(exc)) from None
        call_days = "".join(str(d) for d in sorted(days))
    tz = text("timezone")
    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise FieldError("timezone", tz, N_("unknown time zone")) from None
    return CustomerRecord(
        customer_id=customer_id,
        name=name,
        phones=tuple(phones),
        tier=tier,
        email=email,
        account_manager=text("account_manager"),
        do_not_call=dnc_raw in _TRUE,
        call_from=_hhmm(call_from),
        call_until=_hhmm(call_until),
        call_days=call_days,
        timezone=tz,
        notes=text("notes"),
    )


def _hhmm(value: str | None) -> str | None:
    return parse_hhmm(value).strftime("%H:%M") if value else None


def parse_customer_csv(
    data: str, region: str
) -> tuple[list[tuple[int, CustomerRecord]], list[FieldError], int]:
    """CSV text → (valid records with their line, field errors by line and column, lines read)."""
    try:
        header, rows = csv_dicts(data.lstrip("\ufeff"))
    except CsvRowError as exc:
        return [], [FieldError("header", None, exc.message, line=exc.line)], 1
    missing = [
        c for c in REQUIRED_COLUMNS if c not in header and not (c == "phones" and "phone" in header)
    ]
    if missing:
        return [], [FieldError(missing[0], None, "column missing from the header", line=1)], 1
    unknown = [h for h in header if h not in CSV_COLUMNS and h != "phone"]
    if unknown:
        return [], [FieldError(unknown[0], None, "unknown column", line=1)], 1
    good: list[tuple[int, CustomerRecord]] = []
    errors: list[FieldError] = []
    lines = 1
    for line, row in rows:
        lines = line
        if isinstance(row, CsvRowError):
            errors.append(FieldError("row", None, row.message, line))
            continue
        if None in row:
            errors.append(FieldError(header[-1], row[None], "more values than columns", line))
            continue
        try:
            good.append((line, validate_record(row, region)))
        except FieldError as exc:
            errors.append(replace_line(exc, line))
    return good, errors, lines


def accept_rows(
    rows: Sequence[tuple[int, CustomerRecord]], owners: Mapping[str, str]
) -> tuple[list[CustomerRecord], list[FieldError]]:
    """Valid rows → the ones to write, in line order: a row is refused when its customer id is
    on an earlier accepted line, or a number of it belongs to another customer (``owners``: the
    database's number -> customer) or to an earlier accepted line of another customer."""
    accepted: list[CustomerRecord] = []
    errors: list[FieldError] = []
    ids: dict[str, int] = {}
    taken: dict[str, tuple[str, int | None]] = {p: (c, None) for p, c in owners.items()}
    for line, rec in rows:
        if rec.customer_id in ids:
            errors.append(
                FieldError(
                    "customer_id", rec.customer_id, f"already on line {ids[rec.customer_id]}", line
                )
            )
            continue
        clash = next(
            (p for p in rec.phones if taken.get(p, (rec.customer_id,))[0] != rec.customer_id), None
        )
        if clash is not None:
            owner, on_line = taken[clash]
            where = f"already on line {on_line}" if on_line else f"belongs to customer {owner}"
            errors.append(FieldError("phones", clash, where, line))
            continue
        ids[rec.customer_id] = line
        taken.update({p: (rec.customer_id, line) for p in rec.phones})
        accepted.append(rec)
    return accepted, errors


def replace_line(exc: FieldError, line: int) -> FieldError:
    return FieldError(exc.field, exc.value, exc.msgid, line, exc.params)


# --- calling hours ---------------------------------------------------------------------------


def parse_days(text: str | None) -> frozenset[int]:
    """``"12345"`` → {1, 2, 3, 4, 5}."""
    if not text:
        return frozenset()
    days = frozenset(int(c) for c in text if c.isdigit())
    if not days <= frozenset(range(1, 8)) or any(not c.isdigit() for c in text):
        raise FieldValueError(
            "days", N_("%(text)r is not a string of ISO weekdays 1-7"), {"text": text}
        )
    return days


def parse_hhmm(text: str) -> time:
    """``"09:30"`` → time(9, 30); ``"24:00"`` is not allowed (use ``"00:00"`` as the end)."""
    hh, sep, mm = text.strip().partition(":")
    if not sep or not hh.isdigit() or not mm.isdigit() or len(mm) != 2:
        raise FieldValueError("time", N_("%(text)r is not HH:MM"), {"text": text})
    return time(int(hh), int(mm))


# --- what a viewer sees ----------------------------------------------------------------------


def customer_view(
    row: Mapping[str, object], phones: tuple[str, ...], visible: frozenset[str]
) -> CustomerView:
    """A stored customer as seen with ``visible`` personal fields unmasked (numbers in notes stay
    masked unless the phone may be seen)."""

    def personal(name: str, value: object) -> str | None:
        if value is None:
            return None
        if name == "notes" and name in visible and "phone" not in visible:
            return mask_numbers(str(value))  # notes may be read, a number in them may not
        return str(value) if name in visible else mask_field(name, str(value))

    return CustomerView(
        customer_id=str(row["customer_id"]),
        name=personal("name", row["name"]) or "",
        tier=str(row["tier"]),
        phones=tuple(p if "phone" in visible else mask_field("phone", p) or "" for p in phones),
        email=personal("email", row["email"]),
        notes=personal("notes", row["notes"]),
        account_manager=row.get("account_manager"),  # type: ignore[arg-type]
        do_not_call=bool(row.get("do_not_call")),
        call_from=row.get("call_from"),  # type: ignore[arg-type]
        call_until=row.get("call_until"),  # type: ignore[arg-type]
        call_days=row.get("call_days"),  # type: ignore[arg-type]
        timezone=row.get("timezone"),  # type: ignore[arg-type]
        unmasked=frozenset(
            f
            for f in visible
            if (f == "phone" and phones) or (f != "phone" and row.get(f) is not None)
        ),
    )
