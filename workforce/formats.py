"""CSV file formats of the planners' files (header row required; datetimes ISO 8601 with offset).

- calls history / forecast: ``interval_start,calls,aht_s`` (``aht`` accepted for ``aht_s``)
- requirements: ``interval_start,required`` (agents on the phones)

Interval rows lie on one grid (the smallest step between rows) but may be missing: a missing
interval is closed time (0 calls, 0 required), and the data is completed to whole local days.
- agents: ``agent_id,weekly_hours_min,weekly_hours_max,earliest_start,latest_end,
  days_off_wanted,skills`` (days as ``Mon;Sun``, times ``HH:MM``, skills ``sales;support:7``)
- roster: ``agent_id,activity,start,end`` with activity ``shift``, ``break`` or ``lunch``

Readers parse text (no file I/O: the caller opens the file) and raise ``FormatError`` naming the
source, the 1-based line (the header is line 1) and the column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import numpy as np
import pandas as pd

from kernel.files import CsvRowError, csv_records
from workforce.errors import FormatError

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ACTIVITIES = ("shift", "break", "lunch")

HISTORY_COLUMNS = ("interval_start", "calls", "aht_s")
REQUIREMENT_COLUMNS = ("interval_start", "required")
AGENT_COLUMNS = (
    "agent_id",
    "weekly_hours_min",
    "weekly_hours_max",
    "earliest_start",
    "latest_end",
    "days_off_wanted",
    "skills",
)
ROSTER_COLUMNS = ("agent_id", "activity", "start", "end")


@dataclass(frozen=True)
class AgentSpec:
    """One agent to roster: contracted hours, availability window, wished days off, skills."""

    agent_id: str
    weekly_hours_min: float
    weekly_hours_max: float
    earliest_start: time = time(0, 0)
    latest_end: time | None = None  # None: end of day (24:00)
    days_off_wanted: frozenset[int] = frozenset()  # 0 = Monday
    skills: dict[str, int] = field(default_factory=dict)


def _rows(
    text: str, source: str, required: tuple[str, ...], aliases: dict[str, str] | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    records = csv_records(text)
    first = next(records, None)
    if first is None:
        raise FormatError(source, 1, None, "empty file: a header row is required")
    header = _row(first, source)
    names = [h.strip().lstrip("\ufeff") for h in header]
    names = [(aliases or {}).get(n, n) for n in names]
    for col in required:
        if col not in names:
            raise FormatError(
                source, 1, col, f"missing column (header must have {','.join(required)})"
            )
    for record in records:
        line, row = record[0], _row(record, source)
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(names):
            raise FormatError(source, line, None, f"expected {len(names)} fields, got {len(row)}")
        yield line, {n: v.strip() for n, v in zip(names, row, strict=True)}


def _row(record: tuple[int, list[str] | CsvRowError], source: str) -> list[str]:
    line, row = record
    if isinstance(row, CsvRowError):
        raise FormatError(source, line, None, row.message)
    return row


def parse_datetime(value: str, source: str, line: int, column: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise FormatError(source, line, column, f"not an ISO 8601 datetime: {value!r}") from None
    if dt.tzinfo is None:
        raise FormatError(
            source, line, column, f"datetime needs an offset (e.g. +08:00): {value!r}"
        )
    return dt


def _number(value: str, source: str, line: int, column: str, *, integer: bool = False) -> float:
    try:
        x = float(value)
    except ValueError:
        raise FormatError(source, line, column, f"not a number: {value!r}") from None
    if not np.isfinite(x) or x < 0:
        raise FormatError(source, line, column, f"must be a finite number >= 0: {value!r}")
    if integer and x != int(x):
        raise FormatError(source, line, column, f"must be a whole number: {value!r}")
    return x


def _time(value: str, source: str, line: int, column: str) -> time | None:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not m:
        raise FormatError(source, line, column, f"expected HH:MM: {value!r}")
    h, mi = int(m.group(1)), int(m.group(2))
    if h == 24 and mi == 0:
        return None
    if h > 23 or mi > 59:
        raise FormatError(source, line, column, f"not a time of day: {value!r}")
    return time(h, mi)


def _grid_step(starts: list[datetime], lines: list[int], source: str) -> timedelta:
    """The interval length: the smallest step between rows; every row must lie on that grid
    (rows may be missing: an ACD export often holds only the opening hours)."""
    step = min((b - a for a, b in zip(starts, starts[1:], strict=False)), default=timedelta(0))
    for i in range(1, len(starts)):
        diff = starts[i] - starts[i - 1]
        if diff <= timedelta(0):
            raise FormatError(source, lines[i], "interval_start", "intervals must be ascending")
        if diff % step:
            raise FormatError(
                source,
                lines[i],
                "interval_start",
                f"not on the {int(step.total_seconds() // 60)}-minute grid of the other rows",
            )
    return step


def closed_time_filled(
    frame: pd.DataFrame, step: timedelta, closed: dict[str, float]
) -> pd.DataFrame:
    """``frame`` on whole local days (of the first row's offset) with every missing interval
    added as closed time (``closed`` gives each column's value: 0 calls, unknown AHT)."""
    idx = pd.DatetimeIndex(frame.index)
    first = idx[0].normalize()
    last = idx[-1].normalize() + pd.Timedelta(days=1)
    full = pd.date_range(first, last, freq=step, inclusive="left", name="interval_start")
    if len(full) == len(idx) and (full == idx).all():
        return frame
    return frame.reindex(full).fillna({k: v for k, v in closed.items() if not np.isnan(v)})


def _index(starts: list[datetime]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([pd.Timestamp(s) for s in starts], name="interval_start")


def read_history_csv(text: str, source: str = "history.csv") -> pd.DataFrame:
    """``interval_start,calls,aht_s`` → DataFrame indexed by interval start (calls, aht_s), on
    whole days: intervals missing from the file are closed time (0 calls, no AHT)."""
    starts, lines, calls, aht = [], [], [], []
    for line, row in _rows(text, source, HISTORY_COLUMNS, {"aht": "aht_s"}):
        starts.append(parse_datetime(row["interval_start"], source, line, "interval_start"))
        lines.append(line)
        calls.append(_number(row["calls"], source, line, "calls"))
        aht.append(_number(row["aht_s"], source, line, "aht_s") if row["aht_s"] else np.nan)
    if not starts:
        raise FormatError(source, 2, None, "no data rows")
    frame = pd.DataFrame({"calls": calls, "aht_s": aht}, index=_index(starts))
    if len(starts) == 1:  # one interval (``staffing --input``): no grid to complete
        return frame
    step = _grid_step(starts, lines, source)
    return closed_time_filled(frame, step, {"calls": 0.0, "aht_s": np.nan})


def read_requirements_csv(text: str, source: str = "requirements.csv") -> pd.Series:
    """``interval_start,required`` → integer Series indexed by interval start, on whole days:
    intervals missing from the file need nobody (0). Other columns are ignored, so the CSV of
    ``callcenter staffing --format csv`` is valid input."""
    starts, lines, req = [], [], []
    for line, row in _rows(text, source, REQUIREMENT_COLUMNS):
        starts.append(parse_datetime(row["interval_start"], source, line, "interval_start"))
        lines.append(line)
        req.append(int(_number(row["required"], source, line, "required", integer=True)))
    if len(starts) < 2:
        raise FormatError(source, 2, None, "need at least two intervals to infer their length")
    step = _grid_step(starts, lines, source)
    frame = pd.DataFrame({"required": req}, index=_index(starts))
    return closed_time_filled(frame, step, {"required": 0})["required"].astype(np.int64)


def _days(value: str, source: str, line: int, column: str) -> frozenset[int]:
    out: set[int] = set()
    for part in filter(None, (p.strip() for p in value.split(";"))):
        key = part[:1].upper() + part[1:3].lower()
        if key not in DAY_NAMES or len(part) != 3:
            raise FormatError(source, line, column, f"unknown day {part!r} (use Mon;Tue;…;Sun)")
        out.add(DAY_NAMES.index(key))
    return frozenset(out)


def _skills(value: str, source: str, line: int, column: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in value.split(";"))):
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)(?::(\d+))?", part)
        if not m or not 1 <= int(m.group(2) or 1) <= 10:
            raise FormatError(
                source, line, column, f"bad skill {part!r} (use name or name:level 1-10)"
            )
        out[m.group(1)] = int(m.group(2) or 1)
    return out


def read_agents_csv(text: str, source: str = "agents.csv") -> list[AgentSpec]:
    """The agents file → ``AgentSpec`` list (duplicate ids and min > max hours are errors)."""
    agents: list[AgentSpec] = []
    seen: set[str] = set()
    for line, row in _rows(text, source, AGENT_COLUMNS):
        agent_id = row["agent_id"]
        if not re.fullmatch(r"[A-Za-z0-9_.@-]+", agent_id):
            raise FormatError(source, line, "agent_id", f"bad agent id {agent_id!r}")
        if agent_id in seen:
            raise FormatError(source, line, "agent_id", f"duplicate agent id {agent_id!r}")
        seen.add(agent_id)
        lo = _number(row["weekly_hours_min"], source, line, "weekly_hours_min")
        hi = _number(row["weekly_hours_max"], source, line, "weekly_hours_max")
        if hi < lo:
            raise FormatError(
                source, line, "weekly_hours_max", f"{hi} is below weekly_hours_min {lo}"
            )
        start = _time(row["earliest_start"], source, line, "earliest_start") or time(0, 0)
        end = _time(row["latest_end"], source, line, "latest_end")
        if end is not None and end <= start:
            raise FormatError(source, line, "latest_end", "must be after earliest_start")
        agents.append(
            AgentSpec(
                agent_id=agent_id,
                weekly_hours_min=lo,
                weekly_hours_max=hi,
                earliest_start=start,
                latest_end=end,
                days_off_wanted=_days(row["days_off_wanted"], source, line, "days_off_wanted"),
                skills=_skills(row["skills"], source, line, "skills"),
            )
        )
    if not agents:
        raise FormatError(source, 2, None, "no agents")
    return agents


def read_roster_csv(text: str, source: str = "roster.csv") -> pd.DataFrame:
    """``agent_id,activity,start,end`` → DataFrame (start/end as tz-aware Timestamps)."""
    rows = []
    for line, row in _rows(text, source, ROSTER_COLUMNS):
        if row["activity"] not in ACTIVITIES:
            raise FormatError(source, line, "activity", f"must be one of {', '.join(ACTIVITIES)}")
        start = parse_datetime(row["start"], source, line, "start")
        end = parse_datetime(row["end"], source, line, "end")
        if end <= start:
            raise FormatError(source, line, "end", "must be after start")
        rows.append((row["agent_id"], row["activity"], pd.Timestamp(start), pd.Timestamp(end)))
    return pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))


def _iso(ts: pd.Timestamp | datetime) -> str:
    return pd.Timestamp(ts).isoformat()


def write_roster_csv(roster: pd.DataFrame) -> str:
    """Roster DataFrame (agent_id, activity, start, end) → CSV text."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ROSTER_COLUMNS)
    for r in roster.itertuples(index=False):
        w.writerow((r.agent_id, r.activity, _iso(r.start), _iso(r.end)))
    return buf.getvalue()


def write_requirements_csv(required: pd.Series) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(REQUIREMENT_COLUMNS)
    for ts, v in required.items():
        w.writerow((_iso(ts), int(v)))
    return buf.getvalue()


def write_history_csv(frame: pd.DataFrame) -> str:
    """DataFrame with calls and aht_s indexed by interval start → CSV text."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HISTORY_COLUMNS)
    for ts, row in frame.iterrows():
        aht = row["aht_s"]
        w.writerow((_iso(ts), f"{row['calls']:.6g}", "" if pd.isna(aht) else f"{aht:.6g}"))
    return buf.getvalue()


def write_agents_csv(agents: list[AgentSpec]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(AGENT_COLUMNS)
    for a in agents:
        w.writerow(
            (
                a.agent_id,
                f"{a.weekly_hours_min:g}",
                f"{a.weekly_hours_max:g}",
                a.earliest_start.strftime("%H:%M"),
                "24:00" if a.latest_end is None else a.latest_end.strftime("%H:%M"),
                ";".join(DAY_NAMES[d] for d in sorted(a.days_off_wanted)),
                ";".join(f"{k}:{v}" for k, v in a.skills.items()),
            )
        )
    return buf.getvalue()
