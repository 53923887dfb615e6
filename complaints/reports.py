"""Reports on customer work (pandas): complaints against their deadlines, return visits.

Loaders read the store once and return one row per ticket / task; the summaries are pure
functions of those frames (testable on hand-made frames).

Complaints are judged on their *first* cycle (opened → first acknowledgement, first
resolution, against the deadlines in force then); the reopen rate says how often that first
resolution did not hold.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from complaints.deadlines import DeadlinePolicy, StatusChange, deadline_state
from store.models.customers import Complaint, ComplaintHistory, OutboundTask

COMPLAINT_COLUMNS = [
    "complaint_id",
    "category",
    "severity",
    "status",
    "opened_at",
    "acknowledged_at",
    "resolved_at",
    "acknowledge_due_at",
    "resolve_due_at",
    "reopened",
]
TASK_COLUMNS = [
    "task_id",
    "kind",
    "status",
    "outcome",
    "trigger_at",
    "due_at",
    "deadline_at",
    "done_at",
    "attempts",
    "satisfied",
    "score",
]


async def load_complaints(
    engine: AsyncEngine, policy: DeadlinePolicy, *, since: datetime | None = None
) -> pd.DataFrame:
    """One row per ticket opened since ``since``: first-cycle times and deadlines, reopened."""
    c, h = Complaint.__table__, ComplaintHistory.__table__
    q = select(c)
    if since is not None:
        q = q.where(c.c.opened_at >= since)
    async with engine.connect() as conn:
        tickets = (await conn.execute(q)).mappings().all()
        hist: dict[str, list[StatusChange]] = defaultdict(list)
        res = await conn.execute(
            select(h.c.complaint_id, h.c.status, h.c.at).order_by(h.c.at, h.c.id)
        )
        for r in res:
            hist[r.complaint_id].append(StatusChange(r.status, r.at))
    rows: list[dict[str, Any]] = []
    for t in tickets:
        history = hist.get(t["complaint_id"]) or [StatusChange("open", t["opened_at"])]
        reopen_at = next((i for i, s in enumerate(history) if s.status == "reopened"), None)
        first = history if reopen_at is None else history[:reopen_at]
        state = deadline_state(t["severity"], first, policy)
        rows.append(
            {
                "complaint_id": t["complaint_id"],
                "category": t["category"],
                "severity": t["severity"],
                "status": t["status"],
                "opened_at": t["opened_at"],
                "acknowledged_at": state.acknowledged_at,
                "resolved_at": state.resolved_at,
                "acknowledge_due_at": state.acknowledge_due_at,
                "resolve_due_at": state.resolve_due_at,
                "reopened": reopen_at is not None,
            }
        )
    return _frame(
        rows,
        COMPLAINT_COLUMNS,
        ["opened_at", "acknowledged_at", "resolved_at", "acknowledge_due_at", "resolve_due_at"],
    )


def complaint_summary(df: pd.DataFrame) -> pd.DataFrame:
    """By category and severity: tickets, hours to acknowledge / resolve (mean, clock time),
    share acknowledged / resolved in time (of all tickets: an open overdue one is not in time),
    reopen rate (of resolved tickets)."""
    if df.empty:
        return pd.DataFrame(
            columns=[
                "category",
                "severity",
                "tickets",
                "ack_h_mean",
                "resolve_h_mean",
                "ack_in_time_pct",
                "resolved_in_time_pct",
                "reopen_rate_pct",
            ]
        )
    d = df.copy()
    d["ack_h"] = (d["acknowledged_at"] - d["opened_at"]).dt.total_seconds() / 3600
    d["resolve_h"] = (d["resolved_at"] - d["opened_at"]).dt.total_seconds() / 3600
    d["ack_in_time"] = d["acknowledged_at"].notna() & (
        d["acknowledged_at"] <= d["acknowledge_due_at"]
    )
    d["resolved_in_time"] = d["resolved_at"].notna() & (d["resolved_at"] <= d["resolve_due_at"])
    d["was_resolved"] = d["resolved_at"].notna()
    g = d.groupby(["category", "severity"], sort=True)
    out = pd.DataFrame(
        {
            "tickets": g.size(),
            "ack_h_mean": g["ack_h"].mean(),
            "resolve_h_mean": g["resolve_h"].mean(),
            "ack_in_time_pct": g["ack_in_time"].mean() * 100,
            "resolved_in_time_pct": g["resolved_in_time"].mean() * 100,
            "reopen_rate_pct": g.apply(_reopen_rate, include_groups=False),
        }
    )
    return out.reset_index()


def _reopen_rate(group: pd.DataFrame) -> float:
    resolved = group["was_resolved"].sum()
    return float(group["reopened"].sum() / resolved * 100) if resolved else float("nan")


async def load_tasks(engine: AsyncEngine, *, since: datetime | None = None) -> pd.DataFrame:
    """One row per outbound task created since ``since`` (form answers flattened)."""
    t = OutboundTask.__table__
    q = select(t)
    if since is not None:
        q = q.where(t.c.created_at >= since)
    async with engine.connect() as conn:
        tasks = (await conn.execute(q)).mappings().all()
    rows = []
    for r in tasks:
        answers = r["answers"] or {}
        rows.append(
            {
                **{k: r[k] for k in TASK_COLUMNS if k in r},
                "satisfied": answers.get("satisfied"),
                "score": answers.get("score"),
            }
        )
    return _frame(rows, TASK_COLUMNS, ["trigger_at", "due_at", "deadline_at", "done_at"])


def return_visit_summary(df: pd.DataFrame, now: datetime) -> dict[str, float | int | None]:
    """Return visits: due now (open and due), done, done within the window (24 h), reach rate
    (reached of done), satisfaction (share satisfied and mean score of the answered forms)."""
    rv = df[df["kind"] == "return_visit"] if not df.empty else df
    open_ = rv[rv["status"].isin(["scheduled", "queued", "connected"])] if not rv.empty else rv
    done = rv[rv["status"] == "done"] if not rv.empty else rv
    due_now = int((open_["due_at"] <= pd.Timestamp(now)).sum()) if not open_.empty else 0
    within = int((done["done_at"] <= done["deadline_at"]).sum()) if not done.empty else 0
    reached = int((done["outcome"] == "reached").sum()) if not done.empty else 0
    answered = done[done["satisfied"].notna()] if not done.empty else done
    return {
        "return_visits": int(len(rv)),
        "due_now": due_now,
        "open": int(len(open_)),
        "done": int(len(done)),
        "done_within_window_pct": _pct(within, len(done)),
        "reach_rate_pct": _pct(reached, len(done)),
        "satisfied_pct": _pct(int(answered["satisfied"].astype(bool).sum()), len(answered))
        if len(answered)
        else None,
        "score_mean": float(answered["score"].dropna().mean())
        if len(answered) and answered["score"].notna().any()
        else None,
    }


def per_day(df: pd.DataFrame) -> list[tuple[str, int, int]]:
    """(day, tickets opened, tickets resolved) for each day with either, oldest first."""
    if df.empty:
        return []
    opened = df["opened_at"].dt.strftime("%Y-%m-%d").value_counts()
    resolved = df["resolved_at"].dropna().dt.strftime("%Y-%m-%d").value_counts()
    days = sorted(set(opened.index) | set(resolved.index))
    return [(d, int(opened.get(d, 0)), int(resolved.get(d, 0))) for d in days]


def return_visit_outcomes(df: pd.DataFrame) -> dict[str, int]:
    """Return visits per outcome (their status while they have none)."""
    rv = df[df["kind"] == "return_visit"] if not df.empty else df
    if rv.empty:
        return {}
    return {str(k): int(v) for k, v in rv["outcome"].fillna(rv["status"]).value_counts().items()}


def _pct(part: int, whole: int) -> float | None:
    return round(part / whole * 100, 2) if whole else None


def _frame(rows: list[dict[str, Any]], columns: list[str], times: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    for col in times:
        df[col] = pd.to_datetime(df[col], utc=True)
    return df
