"""A report frame as CSV, XLSX (openpyxl) or rows for a text table: the same cells in all three.

Column names are the machine names of ``reports.definitions`` in every language; times are ISO
8601 with their offset; seconds and percentages have one decimal; a figure with nothing to
measure (``None``) is an empty cell (CSV, XLSX) or "—" (table).
"""

from __future__ import annotations

import csv
import io
import math
from datetime import datetime

import pandas as pd
from openpyxl import Workbook

EMPTY_IN_TABLE = "—"
Cell = str | int | float | None


def cell(value: object) -> Cell:
    """One value as exported: int, float rounded to 0.1, ISO text, text, or None."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value, 1)
    if hasattr(value, "item"):  # numpy scalars
        return cell(value.item())
    return str(value)


def rows_of(df: pd.DataFrame) -> list[list[Cell]]:
    return [[cell(v) for v in row] for row in df.itertuples(index=False, name=None)]


def to_csv(df: pd.DataFrame) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(df.columns)
    for row in rows_of(df):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def to_xlsx(df: pd.DataFrame, sheet: str) -> bytes:
    """One sheet named ``sheet``: the header row, then the cells (numbers as numbers)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(list(df.columns))
    for row in rows_of(df):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_table_rows(df: pd.DataFrame) -> list[list[str]]:
    return [[EMPTY_IN_TABLE if v is None else str(v) for v in row] for row in rows_of(df)]
