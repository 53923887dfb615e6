"""CSV and XLSX exports hold the same cells: the XLSX read back with openpyxl equals the CSV."""

from __future__ import annotations

import csv
import io

import pytest
from callcenter_testkit.report_day import DAY, QUEUES, TZ, known_day
from openpyxl import load_workbook

from reports.export import rows_of, to_csv, to_table_rows, to_xlsx
from reports.service import KINDS, ReportRequest, build_report
from store.writer import write_events


def value(cell: object) -> object:
    """A cell compared by value: numbers as floats (XLSX keeps 50.0 as 50), empty as None."""
    if cell is None or cell == "":
        return None
    try:
        return float(cell)  # type: ignore[arg-type]
    except ValueError:
        return cell


@pytest.mark.parametrize("kind", KINDS)
async def test_xlsx_read_back_equals_csv(engine, kind: str) -> None:
    async with engine.begin() as conn:
        await write_events(conn, known_day())
    df = await build_report(engine, ReportRequest(kind, DAY, DAY, TZ), QUEUES)  # type: ignore[arg-type]
    text = to_csv(df)
    from_csv = list(csv.reader(io.StringIO(text)))
    sheet = load_workbook(io.BytesIO(to_xlsx(df, kind)), read_only=True)[kind]
    width = len(df.columns)  # a read-only sheet drops a row's trailing empty cells
    from_xlsx = [
        [value(v) for v in (*row, *[None] * (width - len(row)))]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert from_xlsx == [[value(c) for c in row] for row in from_csv]
    assert from_csv[0] == list(df.columns)
    assert len(from_csv) == len(df) + 1 > 2
    # the table shows "—" where a figure has nothing to measure, the CSV an empty cell
    table = to_table_rows(df)
    assert [[c == "—" for c in r] for r in table] == [[c is None for c in r] for r in rows_of(df)]


def test_interval_starts_carry_the_centre_offset() -> None:
    import pandas as pd

    df = pd.DataFrame(
        {"interval_start": [pd.Timestamp("2026-12-07T09:00+08:00")], "sl_pct": [None]}
    )
    assert to_csv(df) == "interval_start,sl_pct\n2026-12-07T09:00:00+08:00,\n"
