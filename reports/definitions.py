"""What each report figure means, written once. Pure: frames and numbers in, frames out.

The wallboard's live figures (``queueing.stats``), the API and the historical reports all take
their figures from here, so they agree for the same minutes:

- a call counts in the interval it *arrived* (its outcome follows it there, even when it was
  answered or abandoned in a later interval), so ``answered <= offered`` always holds;
- ``offered``: inbound calls that arrived in a queue; ``answered``, ``abandoned`` (every abandon)
  and ``callbacks`` (the caller asked to be called back instead of waiting) are parts of it;
- ``abandoned_short``: the abandons that waited less than the queue's ``short_abandon_s``;
- ``answered_in_sl``: answered within the queue's ``sl_target_s``;
- ``sl_pct``: ``answered_in_sl / (answered + abandoned - abandoned_short)`` when the queue's
  abandons count against service level, else ``answered_in_sl / answered``; ``None`` (shown
  "—") when that denominator is 0, never 100 % of nothing;
- ``asa_s``: mean wait of the answered calls; ``aht_s``: mean of talk + hold + wrap-up over the
  handled calls (answered and ended); ``hold_s``: mean hold over the same calls;
- ``transfers``: calls transferred; ``rona``: offers the agent let ring unanswered;
- ``surveyed``: calls the caller scored in the post-call survey (a key 1-5; no key, another
  key or a hang-up is no score); ``csat_pct``: the part of them scored ``SATISFIED_SCORE`` (4)
  or more; ``None`` without scores. The return visits' satisfaction form is another figure;
- ``no_data``: 1 when a telephony gap overlaps the interval (its figures are incomplete);
- per agent: ``logged_in_s`` (every state but logged out), time per state and not-ready
  reason, ``occupancy_pct`` = (on call + wrap-up) / (on call + wrap-up + ready + offered),
  ``calls`` answered and their ``aht_s``, ``surveyed`` and ``csat_pct`` of those calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from kernel.messages import N_, FieldValueError

INTERVAL_MINUTES = (15, 30, 60)
SATISFIED_SCORE = 4  # a survey score of 4 or 5 (of 1-5) is a satisfied caller (csat_pct)
COUNTS = (
    "offered",
    "answered",
    "answered_in_sl",
    "abandoned",
    "abandoned_short",
    "transfers",
    "rona",
    "callbacks",
    "surveyed",
)
FIGURES = (
    "offered",
    "answered",
    "answered_in_sl",
    "abandoned",
    "abandoned_short",
    "sl_pct",
    "asa_s",
    "aht_s",
    "hold_s",
    "transfers",
    "rona",
    "callbacks",
    "no_data",
    "surveyed",
    "csat_pct",
)
INTERVAL_COLUMNS = ("interval_start", "queue", *FIGURES)
QUEUE_COLUMNS = ("queue", *FIGURES)
AGENT_COLUMNS = (
    "agent_id",
    "state",
    "reason",
    "state_s",
    "logged_in_s",
    "occupancy_pct",
    "calls",
    "aht_s",
    "surveyed",
    "csat_pct",
)
DISPOSITION_COLUMNS = ("queue", "disposition", "calls", "share_pct", "aht_s")
# Columns the readers hand in: one row per call (``calls``) and per agent state (``states``).
CALL_INPUT = (
    "arrived_at",
    "queue_id",
    "agent_id",
    "outcome",
    "wait_s",
    "talk_s",
    "hold_s",
    "wrap_s",
    "transferred",
    "disposition",
    "rona",
    "survey_score",
)
STATE_SECONDS = ("agent_id", "state", "reason", "state_s")
HANDLING_STATES = ("on_call", "wrap_up")
AVAILABLE_STATES = ("ready", "offered")


@dataclass(frozen=True, slots=True)
class QueueRules:
    """A queue's settings that change its figures (``QueueConfig``'s fields of the same name)."""

    sl_target_s: float = 20.0
    short_abandon_s: float = 5.0
    abandon_counts_against_sl: bool = True


def abandons_against_sl(
    abandoned: Any, abandoned_short: Any, abandon_counts_against_sl: Any
) -> Any:
    """The abandons service level counts: those that were not short, when the queue counts
    abandons at all. Plain arithmetic, so it takes numbers or arrays alike."""
    return (abandoned - abandoned_short) * abandon_counts_against_sl


def service_level_pct(
    answered_in_sl: float, answered: float, abandons_against: float
) -> float | None:
    """Answered within target over answered plus the abandons that count
    (``abandons_against_sl``); ``None`` when that is nothing."""
    return pct_or_none(answered_in_sl, answered + abandons_against)


def mean_or_none(total: float, n: float) -> float | None:
    """``total / n``, or ``None`` when there is nothing to average (shown "—", never 0)."""
    return None if n <= 0 else total / n


def pct_or_none(part: float, whole: float) -> float | None:
    return None if whole <= 0 else 100.0 * part / whole


def csat_pct(satisfied: float, surveyed: float) -> float | None:
    """Surveyed calls scored ``SATISFIED_SCORE`` or more, in percent of the surveyed calls."""
    return pct_or_none(satisfied, surveyed)


def interval_index(
    start_at: datetime, end_at: datetime, interval_min: int, tz: str
) -> pd.DatetimeIndex:
    """Interval starts in ``[start_at, end_at)``, in the centre's time zone ``tz``. Steps are
    absolute (a 60-minute interval is an hour even across a daylight-saving change)."""
    if interval_min not in INTERVAL_MINUTES:
        raise FieldValueError(
            "interval_min", N_("must be 15, 30 or 60, got %(got)s"), {"got": interval_min}
        )
    first = pd.Timestamp(start_at).tz_convert(tz)
    return pd.date_range(
        first,
        pd.Timestamp(end_at).tz_convert(tz),
        freq=f"{interval_min}min",
        inclusive="left",
        name="interval_start",
    )


def _per_call(calls: pd.DataFrame, rules: Mapping[str, QueueRules]) -> pd.DataFrame:
    """One row per call with its 0/1 counts and the sums the means are made of."""
    default = QueueRules()
    queues = calls["queue_id"]
    sl_target = queues.map({q: r.sl_target_s for q, r in rules.items()})
    sl_target = sl_target.astype(float).fillna(default.sl_target_s)
    short_s = queues.map({q: r.short_abandon_s for q, r in rules.items()})
    short_s = short_s.astype(float).fillna(default.short_abandon_s)
    counts = queues.map({q: r.abandon_counts_against_sl for q, r in rules.items()})
    counts = counts.astype(object).fillna(default.abandon_counts_against_sl).astype(int).to_numpy()
    outcome = calls["outcome"]
    wait = calls["wait_s"].astype(float)
    answered = (outcome == "answered").to_numpy()
    abandoned = (outcome == "abandoned").to_numpy()
    short = abandoned & (wait.fillna(0.0) < short_s).to_numpy()
    talk = calls["talk_s"].astype(float)
    handled = answered & talk.notna().to_numpy()
    hold = calls["hold_s"].astype(float).fillna(0.0)
    handle = talk.fillna(0.0) + hold + calls["wrap_s"].astype(float).fillna(0.0)
    score = calls["survey_score"].astype(float)
    return pd.DataFrame(
        {
            "offered": 1,
            "answered": answered.astype(int),
            "answered_in_sl": (answered & (wait <= sl_target).to_numpy()).astype(int),
            "abandoned": abandoned.astype(int),
            "abandoned_short": short.astype(int),
            "sl_abandons": abandons_against_sl(abandoned.astype(int), short.astype(int), counts),
            "transfers": calls["transferred"].fillna(False).astype(bool).astype(int),
            "rona": calls["rona"].fillna(0).astype(int),
            "callbacks": (outcome == "callback").astype(int),
            "wait_sum": np.where(answered, wait.fillna(0.0), 0.0),
            "handled": handled.astype(int),
            "handle_sum": np.where(handled, handle, 0.0),
            "hold_sum": np.where(handled, hold, 0.0),
            "surveyed": score.notna().astype(int),
            "satisfied": (score >= SATISFIED_SCORE).astype(int),
        },
        index=calls.index,
    )


SUMS = (*COUNTS, "sl_abandons", "wait_sum", "handled", "handle_sum", "hold_sum", "satisfied")


def _finish(sums: pd.DataFrame) -> pd.DataFrame:
    """Counts and sums -> the figures (the means and service level from the scalar rules)."""
    out = sums[list(COUNTS)].astype(int)
    rows = sums.to_dict("records")
    out["sl_pct"] = [
        service_level_pct(r["answered_in_sl"], r["answered"], r["sl_abandons"]) for r in rows
    ]
    out["asa_s"] = [mean_or_none(r["wait_sum"], r["answered"]) for r in rows]
    out["aht_s"] = [mean_or_none(r["handle_sum"], r["handled"]) for r in rows]
    out["hold_s"] = [mean_or_none(r["hold_sum"], r["handled"]) for r in rows]
    out["csat_pct"] = [csat_pct(r["satisfied"], r["surveyed"]) for r in rows]
    return out


def _bucket(arrived_at: pd.Series, index: pd.DatetimeIndex) -> np.ndarray:
    """Position in ``index`` of the interval each arrival falls in (-1 before the first)."""
    starts = index.as_unit("ns").asi8
    return np.searchsorted(starts, pd.DatetimeIndex(arrived_at).as_unit("ns").asi8, "right") - 1


ALL_QUEUES = ""  # the ``queue`` of a row that adds every chosen queue up


def _sums(calls: pd.DataFrame, queues: list[str], rules: Mapping[str, QueueRules]) -> pd.DataFrame:
    df = calls[calls["queue_id"].isin(queues)] if len(calls) else calls
    if not len(df):
        empty = {n: pd.Series(dtype=float) for n in SUMS}
        return pd.DataFrame(
            {
                **empty,
                "queue": pd.Series(dtype=object),
                "arrived_at": pd.Series(dtype="datetime64[ns, UTC]"),
            }
        )
    per = _per_call(df, rules)
    per["queue"] = df["queue_id"].to_numpy()
    per["arrived_at"] = df["arrived_at"]
    return per


def interval_report(
    calls: pd.DataFrame,
    index: pd.DatetimeIndex,
    interval_min: int,
    queues: Iterable[str],
    rules: Mapping[str, QueueRules],
    no_data: np.ndarray,
    *,
    by_queue: bool = True,
) -> pd.DataFrame:
    """One row per interval of ``index`` and queue of ``queues`` (``INTERVAL_COLUMNS``), zeros
    where no call arrived; with ``by_queue`` False, one row per interval adding the queues up
    (``queue`` is ``ALL_QUEUES``). ``calls`` holds ``CALL_INPUT`` (UTC ``arrived_at``);
    ``no_data`` is one flag per interval of ``index``."""
    queue_list = list(dict.fromkeys(queues))
    per = _sums(calls, queue_list, rules)
    if len(index):
        end = index[-1] + pd.Timedelta(minutes=interval_min)
        per = per[per["arrived_at"] < end]
    per["slot"] = _bucket(per["arrived_at"], index) if len(per) else pd.Series(dtype=int)
    per = per[per["slot"] >= 0]
    labels = queue_list if by_queue else [ALL_QUEUES]
    if not by_queue:
        per["queue"] = ALL_QUEUES
    full = pd.MultiIndex.from_product([range(len(index)), labels], names=["slot", "queue"])
    sums = per.groupby(["slot", "queue"])[list(SUMS)].sum().reindex(full, fill_value=0)
    out = _finish(sums.reset_index(drop=True))
    slots = full.get_level_values("slot")
    out.insert(0, "queue", full.get_level_values("queue"))
    out.insert(0, "interval_start", index[slots])
    out["no_data"] = np.asarray(no_data, dtype=int)[slots] if len(index) else []
    return out[list(INTERVAL_COLUMNS)].reset_index(drop=True)


def queue_report(
    calls: pd.DataFrame,
    queues: Iterable[str],
    rules: Mapping[str, QueueRules],
    no_data: bool,
) -> pd.DataFrame:
    """One row per queue over the whole range (``QUEUE_COLUMNS``); ``calls`` already limited to
    the range. ``no_data``: a telephony gap touches the range."""
    queue_list = list(dict.fromkeys(queues))
    per = _sums(calls, queue_list, rules)
    sums = per.groupby("queue")[list(SUMS)].sum().reindex(queue_list, fill_value=0)
    out = _finish(sums.reset_index(drop=True))
    out.insert(0, "queue", queue_list)
    out["no_data"] = int(no_data)
    return out[list(QUEUE_COLUMNS)]


def disposition_report(calls: pd.DataFrame, queues: Iterable[str]) -> pd.DataFrame:
    """Answered calls per queue and disposition (``DISPOSITION_COLUMNS``): how many, their share
    of the queue's answered calls, and their AHT. A call not yet wrapped has disposition ""."""
    queue_list = list(dict.fromkeys(queues))
    df = calls[calls["queue_id"].isin(queue_list) & (calls["outcome"] == "answered")]
    if df.empty:
        return pd.DataFrame(columns=list(DISPOSITION_COLUMNS))
    per = _per_call(df, {})
    per["queue"] = df["queue_id"].to_numpy()
    per["disposition"] = df["disposition"].fillna("").to_numpy()
    g = per.groupby(["queue", "disposition"])[["answered", "handled", "handle_sum"]].sum()
    totals = g["answered"].groupby(level="queue").transform("sum")
    out = pd.DataFrame(
        {
            "calls": g["answered"].astype(int),
            "share_pct": [pct_or_none(a, t) for a, t in zip(g["answered"], totals, strict=True)],
            "aht_s": [
                mean_or_none(s, n) for s, n in zip(g["handle_sum"], g["handled"], strict=True)
            ],
        },
        index=g.index,
    ).reset_index()
    order = {q: i for i, q in enumerate(queue_list)}
    out = out.sort_values(
        ["queue", "calls"], key=lambda s: s.map(order) if s.name == "queue" else -s
    )
    return out[list(DISPOSITION_COLUMNS)].reset_index(drop=True)


def agent_report(
    state_seconds: pd.DataFrame,
    calls: pd.DataFrame,
    agents: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per agent, long format (``AGENT_COLUMNS``): one row per state and not-ready reason with
    its seconds, each row carrying the agent's logged-in time, occupancy, answered calls and AHT.

    ``state_seconds`` holds ``STATE_SECONDS`` rows: seconds per agent, state and reason inside
    the range; ``calls`` the range's calls (an answered one counts for the agent who answered)."""
    st = state_seconds[state_seconds["state"] != "logged_out"].copy()
    st["reason"] = np.where(st["state"] == "not_ready", st["reason"].fillna(""), "")
    st["state_s"] = st["state_s"].astype(float)
    long = st.groupby(["agent_id", "state", "reason"], as_index=False)["state_s"].sum()
    by_state = long.pivot_table(index="agent_id", columns="state", values="state_s", aggfunc="sum")
    answered = calls[(calls["outcome"] == "answered") & calls["agent_id"].notna()]
    per = _per_call(answered, {}) if len(answered) else pd.DataFrame(columns=list(SUMS))
    per["agent_id"] = answered["agent_id"].to_numpy() if len(answered) else []
    work = per.groupby("agent_id")[["answered", "handled", "handle_sum", "surveyed", "satisfied"]]
    work = work.sum()
    ids = list(dict.fromkeys([*(agents or []), *long["agent_id"], *work.index]))
    if agents is not None:
        wanted = set(agents)
        ids = [a for a in ids if a in wanted]
    rows: list[dict[str, object]] = []
    groups = {a: g for a, g in long.groupby("agent_id", sort=False)}
    for agent_id in ids:
        s = by_state.loc[agent_id] if agent_id in by_state.index else pd.Series(dtype=float)
        handling = float(np.nansum([s.get(k, 0.0) for k in HANDLING_STATES]))
        available = float(np.nansum([s.get(k, 0.0) for k in AVAILABLE_STATES]))
        w = work.loc[agent_id] if agent_id in work.index else None
        common = {
            "agent_id": agent_id,
            "logged_in_s": float(np.nansum(s.to_numpy(dtype=float))),
            "occupancy_pct": pct_or_none(handling, handling + available),
            "calls": int(w["answered"]) if w is not None else 0,
            "aht_s": mean_or_none(w["handle_sum"], w["handled"]) if w is not None else None,
            "surveyed": int(w["surveyed"]) if w is not None else 0,
            "csat_pct": csat_pct(w["satisfied"], w["surveyed"]) if w is not None else None,
        }
        mine = groups.get(agent_id)
        if mine is None:
            rows.append({**common, "state": "", "reason": "", "state_s": 0.0})
            continue
        for r in mine.itertuples(index=False):
            rows.append({**common, "state": r.state, "reason": r.reason, "state_s": r.state_s})
    return pd.DataFrame(rows, columns=list(AGENT_COLUMNS))
