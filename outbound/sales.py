"""Sales CSV, pure: each sale becomes a return visit (``outbound.tasks_store.import_sales_csv``).

``sale_id,customer_id,sold_at,product,amount,agent_id``; ``sold_at`` is ISO 8601 with an offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kernel.files import CsvRowError, csv_dicts
from outbound.tasks import FormError

SALE_COLUMNS = ("sale_id", "customer_id", "sold_at", "product", "amount", "agent_id")


def parse_sales_csv(
    data: str,
) -> tuple[list[tuple[int, dict[str, Any]]], list[FormError], list[int]]:
    """Sales CSV → (valid rows with their line, errors, the line of each error).

    ``sold_at`` is ISO 8601 with an offset (``2026-11-16T10:00:00+08:00``)."""
    try:
        header, rows = csv_dicts(data.lstrip("\ufeff"))
    except CsvRowError as exc:
        return [], [FormError("header", None, exc.message)], [exc.line]
    for required in ("sale_id", "customer_id", "sold_at"):
        if required not in header:
            return [], [FormError(required, None, "column missing from the header")], [1]
    good: list[tuple[int, dict[str, Any]]] = []
    errors: list[FormError] = []
    lines: list[int] = []
    seen: set[str] = set()
    for line, row in rows:
        try:
            if isinstance(row, CsvRowError):
                raise FormError("row", None, row.message)
            values = {k: (row.get(k) or "").strip() for k in SALE_COLUMNS}
            if not values["sale_id"]:
                raise FormError("sale_id", None, "required")
            if values["sale_id"] in seen:
                raise FormError("sale_id", values["sale_id"], "repeated in the file")
            if not values["customer_id"]:
                raise FormError("customer_id", None, "required")
            try:
                sold_at = datetime.fromisoformat(values["sold_at"])
            except ValueError:
                raise FormError("sold_at", values["sold_at"], "not an ISO 8601 time") from None
            if sold_at.tzinfo is None:
                raise FormError("sold_at", values["sold_at"], "needs a UTC offset")
            amount = None
            if values["amount"]:
                try:
                    amount = float(values["amount"])
                except ValueError:
                    raise FormError("amount", values["amount"], "not a number") from None
        except FormError as exc:
            errors.append(exc)
            lines.append(line)
            continue
        seen.add(values["sale_id"])
        good.append(
            (
                line,
                {
                    **values,
                    "sold_at": sold_at,
                    "amount": amount,
                    "product": values["product"] or None,
                    "agent_id": values["agent_id"] or None,
                },
            )
        )
    return good, errors, lines


@dataclass(frozen=True, slots=True)
class SalesImport:
    imported: int
    return_visits: int
    errors: tuple[tuple[int, FormError], ...]  # (line, error)
