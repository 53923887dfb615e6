"""Customer records: validation, CSV import, masked reads with audit, and the caller lookup.

Errors::

    CustomerError
    └── FieldError(field, value, message)      one bad field of one record (``line`` in a file)

Phone numbers are stored in E.164 (``phonenumbers``, national numbers read in the configured
default region). The caller lookup the bridge and router use is a Redis hash
(``kernel.keys.customer_phones``: E.164 number -> ``customer_id|tier``) that this module keeps in
step with the database: ``sync_caller_index`` after each write, ``rebuild_caller_index`` at start-up
or after a repair. ``lookup_caller(redis, prefix, number)`` reads it.

Reads: ``get_customer`` / ``read_customers`` return personal fields masked unless the viewer's
role may see them (``store.masking``); each record returned with any of them unmasked writes
exactly one audit row (who, what, when, why), in the same transaction as the read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import redis.asyncio as aioredis
from phonenumbers import timezone as pn_timezone
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kernel.files import CsvRowError, csv_dicts
from kernel.keys import customer_phones
from queueing.return_visits import parse_days, parse_hhmm
from store.audit import record_read
from store.masking import PERSONAL_FIELDS, Viewer, mask_field, mask_numbers, visible_fields
from store.models.core import Customer
from store.models.customers import TIERS, CustomerPhone

log = logging.getLogger(__name__)

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


class CustomerError(Exception):
    """Base of the errors of customer records."""


class FieldError(CustomerError):
    """``field`` of a record is bad; ``line`` is the file line when read from a file."""

    def __init__(self, field: str, value: object, message: str, line: int | None = None) -> None:
        self.field, self.value, self.message, self.line = field, value, message, line
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{field}={value!r}: {message}")


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


# --- validation (pure) -----------------------------------------------------------------------


def normalise_number(raw: str, region: str) -> str:
    """``"138 1234 5678"`` in region CN → ``"+8613812345678"``; raises ``FieldError``."""
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise FieldError("phones", raw, f"not a phone number: {exc}") from None
    if not phonenumbers.is_possible_number(number):
        raise FieldError("phones", raw, "not a possible phone number")
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
        raise FieldError("customer_id", row.get("customer_id"), "required")
    if len(customer_id) > 64:
        raise FieldError("customer_id", customer_id, "longer than 64 characters")
    name = text("name")
    if not name:
        raise FieldError("name", row.get("name"), "required")
    tier = (text("tier") or "ordinary").lower().replace(" ", "_")
    if tier not in TIERS:
        raise FieldError("tier", row.get("tier"), f"must be one of {', '.join(TIERS)}")
    raw_phones = text("phones") or text("phone")
    if not raw_phones:
        raise FieldError("phones", row.get("phones"), "at least one phone number is required")
    phones: list[str] = []
    for part in raw_phones.replace("|", ";").split(";"):
        if part.strip():
            e164 = normalise_number(part, region)
            if e164 not in phones:
                phones.append(e164)
    email = text("email")
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        raise FieldError("email", email, "not an e-mail address")
    dnc_raw = (text("do_not_call") or "").lower()
    if dnc_raw not in _TRUE | _FALSE:
        raise FieldError("do_not_call", row.get("do_not_call"), "must be yes or no")
    call_from, call_until = text("call_from"), text("call_until")
    for name_, value in (("call_from", call_from), ("call_until", call_until)):
        if value:
            try:
                parse_hhmm(value)
            except ValueError as exc:
                raise FieldError(name_, value, str(exc)) from None
    if (call_from is None) != (call_until is None):
        missing = "call_until" if call_until is None else "call_from"
        raise FieldError(missing, None, "call_from and call_until go together")
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
            raise FieldError("timezone", tz, "unknown time zone") from None
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
    return FieldError(exc.field, exc.value, exc.message, line)


# --- writing ---------------------------------------------------------------------------------


async def phone_owners(conn: AsyncConnection, numbers: Iterable[str]) -> dict[str, str]:
    """E.164 number -> the customer who has it, for the given numbers."""
    t = CustomerPhone.__table__
    owners: dict[str, str] = {}
    nums = sorted(set(numbers))
    for i in range(0, len(nums), 500):
        res = await conn.execute(
            select(t.c.e164, t.c.customer_id).where(t.c.e164.in_(nums[i : i + 500]))
        )
        owners.update({r.e164: r.customer_id for r in res})
    return owners


async def write_customers(
    conn: AsyncConnection, records: Sequence[CustomerRecord], now: datetime, default_tz: str
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], str]]:
    """Insert or update ``records`` and replace their numbers, in the caller's transaction.

    Returns customer id -> (old numbers, new numbers, tier) for ``sync_caller_index``.
    """
    ct, pt = Customer.__table__, CustomerPhone.__table__
    ids = [r.customer_id for r in records]
    existing: dict[str, datetime | None] = {}
    old_numbers: dict[str, list[str]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        res = await conn.execute(
            select(ct.c.customer_id, ct.c.created_at).where(ct.c.customer_id.in_(chunk))
        )
        existing.update({r.customer_id: r.created_at for r in res})
        res = await conn.execute(
            select(pt.c.customer_id, pt.c.e164).where(pt.c.customer_id.in_(chunk))
        )
        for r in res:
            old_numbers.setdefault(r.customer_id, []).append(r.e164)
    inserts, changes = [], {}
    for rec in records:
        values = {
            "name": rec.name,
            "tier": rec.tier,
            "phone": rec.phones[0] if rec.phones else None,
            "email": rec.email,
            "notes": rec.notes,
            "account_manager": rec.account_manager,
            "do_not_call": rec.do_not_call,
            "call_from": rec.call_from,
            "call_until": rec.call_until,
            "call_days": rec.call_days,
            "timezone": rec.timezone or timezone_of_number(rec.phones[0], default_tz),
            "updated_at": now,
        }
        if rec.customer_id in existing:
            await conn.execute(
                update(ct).where(ct.c.customer_id == rec.customer_id).values(**values)
            )
        else:
            inserts.append({"customer_id": rec.customer_id, "created_at": now, **values})
        changes[rec.customer_id] = (
            tuple(old_numbers.get(rec.customer_id, ())),
            rec.phones,
            rec.tier,
        )
    if inserts:
        await conn.execute(insert(ct), inserts)
    for i in range(0, len(ids), 500):
        await conn.execute(delete(pt).where(pt.c.customer_id.in_(ids[i : i + 500])))
    phone_rows = [
        {"customer_id": r.customer_id, "e164": p, "label": None, "position": n}
        for r in records
        for n, p in enumerate(r.phones)
    ]
    if phone_rows:
        await conn.execute(insert(pt), phone_rows)
    return changes


async def import_customers_csv(
    engine: AsyncEngine,
    data: str,
    *,
    region: str,
    default_tz: str,
    now: datetime,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> ImportReport:
    """Import the good rows of a customer CSV in one transaction; report the bad ones.

    A row is bad when a field is invalid, or when it repeats an id or number of an earlier line,
    or gives a number another customer (not in this file) already has. Bad rows are not written;
    the good rows are written all together or (on a database error) not at all.
    """
    good, errors, lines = parse_customer_csv(data, region)
    async with engine.begin() as conn:
        owners = await phone_owners(conn, [p for _, r in good for p in r.phones])
        accepted, refused = accept_rows(good, owners)
        errors.extend(refused)
        changes = await write_customers(conn, accepted, now, default_tz) if accepted else {}
    errors.sort(key=lambda e: e.line or 0)
    if redis is not None and changes:
        await sync_caller_index(redis, prefix, changes)
    log.info("customer import: %d imported, %d bad rows", len(accepted), len(errors))
    return ImportReport(imported=len(accepted), errors=tuple(errors), lines_read=lines)


async def save_customer(
    engine: AsyncEngine,
    record: CustomerRecord,
    *,
    now: datetime,
    default_tz: str,
    redis: aioredis.Redis | None = None,
    prefix: str = "cc",
) -> None:
    """Insert or update one customer (API, tests); ``FieldError`` if a number is someone else's."""
    async with engine.begin() as conn:
        owners = await phone_owners(conn, record.phones)
        for p in record.phones:
            if owners.get(p, record.customer_id) != record.customer_id:
                raise FieldError("phones", p, f"belongs to customer {owners[p]}")
        changes = await write_customers(conn, [record], now, default_tz)
    if redis is not None:
        await sync_caller_index(redis, prefix, changes)


# --- caller lookup (Redis index) -------------------------------------------------------------


async def sync_caller_index(
    redis: aioredis.Redis,
    prefix: str,
    changes: Mapping[str, tuple[Sequence[str], Sequence[str], str]],
) -> None:
    """Apply written customers to the caller index: drop numbers they lost, set the others."""
    key = customer_phones(prefix)
    pipe = redis.pipeline(transaction=True)
    for customer_id, (old, new, tier) in changes.items():
        gone = [p for p in old if p not in new]
        if gone:
            pipe.hdel(key, *gone)
        if new:
            pipe.hset(key, mapping={p: f"{customer_id}|{tier}" for p in new})
    await pipe.execute()


async def rebuild_caller_index(engine: AsyncEngine, redis: aioredis.Redis, prefix: str) -> int:
    """Rebuild the whole index from the database (atomic swap); returns how many numbers."""
    ct, pt = Customer.__table__, CustomerPhone.__table__
    async with engine.connect() as conn:
        res = await conn.execute(
            select(pt.c.e164, ct.c.customer_id, ct.c.tier).join(
                ct, ct.c.customer_id == pt.c.customer_id
            )
        )
        mapping = {r.e164: f"{r.customer_id}|{r.tier}" for r in res}
    key = customer_phones(prefix)
    tmp = f"{key}:rebuild"
    await redis.delete(tmp)
    items = list(mapping.items())
    for i in range(0, len(items), 1000):
        await redis.hset(tmp, mapping=dict(items[i : i + 1000]))
    if items:
        await redis.rename(tmp, key)
    else:
        await redis.delete(key)
    return len(items)


async def lookup_caller(
    redis: aioredis.Redis, prefix: str, number: str, region: str = "CN"
) -> tuple[str, str] | None:
    """``(customer_id, tier)`` of the customer calling from ``number``, or None.

    ``number`` may be E.164 or national (read in ``region``); unparseable numbers are unknown.
    """
    try:
        e164 = normalise_number(number, region)
    except FieldError:
        return None
    raw = await redis.hget(customer_phones(prefix), e164)
    if raw is None:
        return None
    value = raw.decode() if isinstance(raw, bytes) else raw
    customer_id, _, tier = value.partition("|")
    return customer_id, tier or "ordinary"


# --- reading (masked, audited) ---------------------------------------------------------------


async def _load(
    conn: AsyncConnection, where: object
) -> list[tuple[dict[str, object], tuple[str, ...]]]:
    ct, pt = Customer.__table__, CustomerPhone.__table__
    rows = [
        dict(r)
        for r in (await conn.execute(select(ct).where(where).order_by(ct.c.customer_id))).mappings()
    ]  # type: ignore[arg-type]
    if not rows:
        return []
    ids = [r["customer_id"] for r in rows]
    phones: dict[str, list[str]] = {}
    res = await conn.execute(
        select(pt.c.customer_id, pt.c.e164).where(pt.c.customer_id.in_(ids)).order_by(pt.c.position)
    )
    for r in res:
        phones.setdefault(r.customer_id, []).append(r.e164)
    return [(r, tuple(phones.get(str(r["customer_id"]), ()))) for r in rows]


def _view(
    row: Mapping[str, object], phones: tuple[str, ...], visible: frozenset[str]
) -> CustomerView:
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


async def read_customers(
    engine: AsyncEngine,
    viewer: Viewer,
    *,
    reason: str,
    now: datetime,
    customer_ids: Sequence[str] | None = None,
    number: str | None = None,
    region: str = "CN",
) -> list[CustomerView]:
    """Customers by id (or all, or the one with ``number``) as ``viewer`` may see them.

    Each returned record with any personal field unmasked writes one audit row, in the same
    transaction as the read.
    """
    ct, pt = Customer.__table__, CustomerPhone.__table__
    if number is not None:
        try:
            e164 = normalise_number(number, region)
        except FieldError:
            return []
        where = ct.c.customer_id.in_(select(pt.c.customer_id).where(pt.c.e164 == e164))
    elif customer_ids is not None:
        where = ct.c.customer_id.in_(list(customer_ids))
    else:
        where = ct.c.customer_id.is_not(None)
    out: list[CustomerView] = []
    async with engine.begin() as conn:
        for row, phones in await _load(conn, where):
            view = _view(row, phones, visible_fields(viewer, row.get("account_manager")))  # type: ignore[arg-type]
            if view.unmasked:
                await record_read(
                    conn,
                    viewer,
                    entity="customer",
                    entity_id=view.customer_id,
                    fields=view.unmasked,
                    reason=reason,
                    at=now,
                )
            out.append(view)
    return out


async def get_customer(
    engine: AsyncEngine, customer_id: str, viewer: Viewer, *, reason: str, now: datetime
) -> CustomerView | None:
    """One customer as ``viewer`` may see it (None if unknown); audited when unmasked."""
    found = await read_customers(engine, viewer, reason=reason, now=now, customer_ids=[customer_id])
    return found[0] if found else None


async def customer_contact(conn: AsyncConnection, customer_id: str) -> dict[str, object] | None:
    """The unmasked fields the platform itself needs to place outbound work (not shown to anyone:
    not audited). ``phones`` are in order, primary first."""
    loaded = await _load(conn, Customer.__table__.c.customer_id == customer_id)
    if not loaded:
        return None
    row, phones = loaded[0]
    return {**row, "phones": phones}


__all__ = [
    "PERSONAL_FIELDS",
    "CustomerError",
    "CustomerRecord",
    "CustomerView",
    "FieldError",
    "ImportReport",
    "get_customer",
    "import_customers_csv",
    "lookup_caller",
    "normalise_number",
    "read_customers",
    "rebuild_caller_index",
    "save_customer",
    "sync_caller_index",
    "validate_record",
]
