"""The planner's API: history upload, forecast and requirement for a target, roster solves with
progress and cancel, the roster grid with coverage, hand edits, CSV export, publishing,
adherence; and the agent's own published shifts (``GET /api/agent/shifts``)."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from aiohttp import web

from store.readers import agent_names
from web.domain_errors import value_error
from web.endpoints import ApiCall, Endpoints, Upload
from web.errors import NotFoundError, UnavailableError, invalid
from web.i18n.catalog import N_
from web.i18n.formatting import format_day_time
from web.i18n.http import request_locale, request_translations
from web.keys import ROSTER_JOBS
from web.planner.jobs import Explain, RosterJob
from web.planner.schemas import (
    ActivityOut,
    AdherenceOut,
    AdherenceQuery,
    AgentAdherenceOut,
    AgentRosterOut,
    AgentShiftsOut,
    ForecastOut,
    HistoryOut,
    HistoryStatus,
    JobOut,
    MoveBody,
    RosterBody,
    RosterListOut,
    RosterOut,
    RosterSummary,
    Series,
    ShiftsQuery,
    ShortIntervalOut,
    StateSpanOut,
    TargetQuery,
)
from web.roles import AGENT, PLANNER, PLANNER_OR_SUPERVISOR
from workforce.adherence import adherence
from workforce.errors import FormatError, InputError, WorkforceError
from workforce.formats import AgentSpec, read_history_csv, write_roster_csv
from workforce.planner import (
    Activity,
    Forecast,
    empty_history_reason,
    forecast_week,
    local_midnight,
    requirement,
    target_week,
)
from workforce.planner_store import (
    MAX_HISTORY_BYTES,
    StoredRoster,
    agent_shifts,
    get_roster,
    list_rosters,
    load_history,
    move_agent_shift,
    publish_roster,
    save_history,
    save_planned_roster,
    store_history,
)
from workforce.roster import RosterRules, build_problem
from workforce.shortfall import Shortfall, explain, shortfall, solver_figures
from workforce.staffing import Target
from workforce.store_io import read_agent_states, read_shifts

api = Endpoints(tag="planner")


def _num(v: Any, digits: int = 2) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) or math.isinf(f) else round(f, digits)


# ---- schemas -----------------------------------------------------------------------------------


# ---- history and forecast ----------------------------------------------------------------------


@api.op(
    "PUT",
    "/api/planner/history",
    roles=PLANNER,
    summary="Upload a call history CSV (interval_start,calls,aht_s)",
    upload=Upload("text/csv", MAX_HISTORY_BYTES),
    response=HistoryOut,
)
async def planner_upload_history(call: ApiCall) -> HistoryOut:
    try:
        text = call.body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid("body", "the CSV must be UTF-8 text", "body") from None
    history = await asyncio.to_thread(_check_history, text)
    assert call.principal is not None
    await save_history(call.rt.redis, call.rt.settings.redis_prefix, call.principal.username, text)
    return _history_out(history)


def _history_out(history: pd.DataFrame) -> HistoryOut:
    idx = pd.DatetimeIndex(history.index)
    step_min = int((idx[1] - idx[0]).total_seconds() // 60)
    return HistoryOut(
        intervals=len(idx),
        days=len(idx) * step_min // 1440,
        interval_min=step_min,
        first_at=idx[0].to_pydatetime(),
        last_at=idx[-1].to_pydatetime(),
    )


@api.op(
    "GET",
    "/api/planner/history",
    roles=PLANNER,
    summary="Read the uploaded history's span",
    response=HistoryStatus,
)
async def planner_history(call: ApiCall) -> HistoryStatus:
    assert call.principal is not None
    text = await load_history(call.rt.redis, call.rt.settings.redis_prefix, call.principal.username)
    if text is None:
        return HistoryStatus(uploaded=False)
    history = await asyncio.to_thread(read_history_csv, text, "history.csv")
    return HistoryStatus(uploaded=True, history=_history_out(history))


def _check_history(text: str) -> pd.DataFrame:
    try:
        history = read_history_csv(text, "history.csv")
        forecast_week(history)
    except FormatError as exc:
        raise invalid(exc.column or "csv", str(exc), "body") from None
    except InputError as exc:
        raise invalid(
            exc.field,
            "%(message)s (got %(value)s)",
            "body",
            {"message": exc.message, "value": exc.value},
        ) from None
    return history


async def _history(call: ApiCall, source: str) -> pd.DataFrame:
    s = call.rt.settings
    if source == "store":
        history = await store_history(call.rt.engine, s.timezone, datetime.now(UTC))
        reason = empty_history_reason(history)
        if reason is not None:
            raise invalid(
                "source",
                "the store's history cannot be forecast: %(reason)s",
                "query",
                {"reason": reason},
            )
        return history
    assert call.principal is not None
    text = await load_history(call.rt.redis, s.redis_prefix, call.principal.username)
    if text is None:
        raise NotFoundError(
            N_("no history uploaded yet: upload a CSV or use the store's history"), field="source"
        )
    return read_history_csv(text, "history.csv")


def _target(q: TargetQuery) -> tuple[Target, float]:
    return Target(
        service_level=q.service_level_pct / 100,
        answer_within_s=q.answer_within_s,
        asa_s=q.asa_s,
        max_occupancy=q.max_occupancy_pct / 100,
    ), q.shrinkage_pct / 100


def _week(call: ApiCall, q: TargetQuery) -> pd.Timestamp:
    """The forecast week's first midnight in the centre's time zone."""
    tz = call.rt.settings.timezone
    today = datetime.now(UTC).astimezone(ZoneInfo(tz)).date()
    if q.week_start is not None and not date(2000, 1, 1) <= q.week_start <= date(2100, 1, 1):
        raise invalid("week_start", "must be between 2000 and 2100", "query")
    return local_midnight(target_week(today, q.week_start), tz)


def _plan(
    history: pd.DataFrame, q: TargetQuery, start: pd.Timestamp
) -> tuple[Forecast, pd.DataFrame]:
    try:
        fc = forecast_week(history, start=start)
        target, shrinkage = _target(q)
        table = requirement(fc.forecast, fc.interval_s, target, shrinkage)
    except InputError as exc:
        field = {
            "service_level": "service_level_pct",
            "max_occupancy": "max_occupancy_pct",
            "shrinkage": "shrinkage_pct",
        }.get(exc.field, exc.field)
        raise invalid(
            field,
            "%(message)s (got %(value)s)",
            "query",
            {"message": exc.message, "value": exc.value},
        ) from None
    return fc, table


@api.op(
    "GET",
    "/api/planner/forecast",
    roles=PLANNER,
    summary="Read the forecast and the requirement for a target",
    query=TargetQuery,
    response=ForecastOut,
)
async def planner_forecast(call: ApiCall) -> ForecastOut:
    q: TargetQuery = call.query
    history = await _history(call, q.source)
    start = _week(call, q)
    fc, table = await asyncio.to_thread(_plan, history, q, start)
    step_h = fc.interval_s / 3600
    return ForecastOut(
        week_start=start.date(),
        timezone=call.rt.settings.timezone,
        interval_min=fc.interval_s // 60,
        wape_pct=None if fc.wape is None else round(100 * fc.wape, 1),
        mape_pct=None if fc.mape is None else round(100 * fc.mape, 1),
        holdout_actual=Series(
            starts=[t.to_pydatetime() for t in fc.holdout_actual.index],
            calls=[_num(v) for v in fc.holdout_actual],  # None: a gap, nobody heard Asterisk
        ),
        holdout_forecast=[round(float(v), 2) for v in fc.holdout_forecast],
        starts=[t.to_pydatetime() for t in fc.forecast.index],
        calls=[round(float(v), 2) for v in fc.forecast["calls"]],
        aht_s=[round(float(v), 1) for v in fc.forecast["aht_s"]],
        agents=[int(v) for v in table["agents"]],
        scheduled_agents=[int(v) for v in table["scheduled_agents"]],
        service_level_pct=[
            None if (x := _num(v, 4)) is None else round(100 * x, 1) for v in table["service_level"]
        ],
        total_calls=round(float(fc.forecast["calls"].sum()), 1),
        scheduled_hours=round(float(table["scheduled_agents"].sum()) * step_h, 1),
        peak_scheduled=int(table["scheduled_agents"].max()),
    )


# ---- roster solves -----------------------------------------------------------------------------


def _job_out(job: RosterJob) -> JobOut:
    return JobOut(**job.view())


async def _agents(call: ApiCall, ids: list[str] | None) -> dict[str, str]:
    names = await agent_names(call.rt.engine, active_only=True)
    if ids is not None:
        unknown = [a for a in ids if a not in names]
        if unknown:
            raise invalid(
                "agent_ids", "unknown agent %(agent_id)s", "body", {"agent_id": unknown[0]}
            )
        names = {a: names[a] for a in ids}
    if not names:
        raise invalid("agent_ids", "no active agents to roster", "body")
    return names


@api.op(
    "POST",
    "/api/planner/rosters",
    roles=PLANNER,
    summary="Start solving a roster for the forecast week",
    body=RosterBody,
    response=JobOut,
    status=202,
)
async def planner_start_roster(call: ApiCall) -> JobOut:
    body: RosterBody = call.body
    if body.weekly_hours_min > body.weekly_hours_max:
        raise invalid("weekly_hours_min", "must not exceed weekly_hours_max", "body")
    history = await _history(call, body.source)
    agents = await _agents(call, body.agent_ids)
    _, table = await asyncio.to_thread(_plan, history, body, _week(call, body))
    required = table["scheduled_agents"].astype(float)
    specs = [AgentSpec(a, body.weekly_hours_min, body.weekly_hours_max) for a in agents]
    assert call.principal is not None
    by = call.principal.username
    engine = call.rt.engine
    first_day = pd.DatetimeIndex(required.index)[0].date().isoformat()
    name = request_translations(call.request).gettext("Week of %(date)s") % {"date": first_day}
    settings = body.model_dump(mode="json", exclude={"agent_ids"})

    def build() -> Any:
        return build_problem(required, specs, RosterRules())

    async def on_result(result: Any) -> int:
        shown = solver_figures(result.lower_bound, result.objective)
        figures = {
            "under_staffing": result.under_staffing,
            "over_staffing": result.over_staffing,
            "lower_bound": shown.bound,
            "gap": shown.gap,
        }
        return await save_planned_roster(
            engine,
            result.roster,
            required,
            by=by,
            now=datetime.now(UTC),
            settings={
                **settings,
                "objective": result.objective,
                "status": result.status,
                "unfilled_shifts": result.unfilled_shifts,
                "agent_count": len(specs),
            },
            figures=figures,
            name=name,
        )

    job = call.request.app[ROSTER_JOBS].start(
        by, build, body.time_limit_s, len(specs), on_result, _explainer(call)
    )
    return _job_out(job)


def _explainer(call: ApiCall) -> Explain:
    """The shortfall said in the reader's language (a solve's: the planner who started it), the
    worst interval as a week day and time in the centre's time zone."""
    gettext = request_translations(call.request).gettext
    locale, tz = request_locale(call.request), call.rt.settings.timezone

    def said(sf: Shortfall, n_agents: int, max_hours_each: float) -> str:
        return explain(
            sf, n_agents, max_hours_each, gettext, lambda at: format_day_time(at, locale, tz)
        )

    return said


def _job(call: ApiCall) -> RosterJob:
    job = call.request.app[ROSTER_JOBS].jobs.get(call.path["job_id"])
    if job is None:
        raise NotFoundError(
            N_("no roster job %(job_id)s"), field="job_id", params={"job_id": call.path["job_id"]}
        )
    return job


@api.op(
    "GET",
    "/api/planner/jobs/{job_id}",
    roles=PLANNER,
    summary="Read a roster solve's progress",
    response=JobOut,
)
async def planner_job(call: ApiCall) -> JobOut:
    return _job_out(_job(call))


@api.op(
    "POST",
    "/api/planner/jobs/{job_id}/cancel",
    roles=PLANNER,
    summary="Cancel a roster solve (stops the solver)",
    response=JobOut,
)
async def planner_cancel_job(call: ApiCall) -> JobOut:
    job = _job(call)
    call.request.app[ROSTER_JOBS].cancel(job)
    return _job_out(job)


# ---- rosters -----------------------------------------------------------------------------------


@api.op(
    "GET",
    "/api/planner/rosters",
    roles=PLANNER_OR_SUPERVISOR,
    summary="List rosters",
    response=RosterListOut,
)
async def planner_rosters(call: ApiCall) -> RosterListOut:
    return RosterListOut(rosters=[RosterSummary(**r) for r in await list_rosters(call.rt.engine)])


async def _roster(call: ApiCall) -> StoredRoster:
    raw = call.path["roster_id"]
    roster = await get_roster(call.rt.engine, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if roster is None:
        raise NotFoundError(
            N_("no roster %(roster_id)s"), field="roster_id", params={"roster_id": raw}
        )
    return roster


def _act(a: Activity) -> ActivityOut:
    return ActivityOut(activity=a.activity, start_at=a.start_at, end_at=a.end_at)


async def _roster_out(call: ApiCall, roster: StoredRoster) -> RosterOut:
    names = await agent_names(call.rt.engine)
    by_agent: dict[str, list[Activity]] = {}
    for a in roster.activities:
        by_agent.setdefault(a.agent_id, []).append(a)
    agents = []
    for agent_id in sorted(by_agent, key=lambda x: (names.get(x, x), x)):
        acts = sorted(by_agent[agent_id], key=lambda a: (a.start_at, a.activity != "shift"))
        hours = (
            sum((a.end_at - a.start_at).total_seconds() for a in acts if a.activity == "shift")
            / 3600
        )
        agents.append(
            AgentRosterOut(
                agent_id=agent_id,
                name=names.get(agent_id, agent_id),
                hours=round(hours, 2),
                activities=[_act(a) for a in acts],
            )
        )
    cov = roster.coverage()
    diff = np.asarray(cov) - np.asarray(roster.required, dtype=float)
    slot_h = roster.interval_min / 60
    tz = roster.tz
    starts = pd.date_range(
        roster.first_interval_at.astimezone(tz),
        periods=len(roster.required),
        freq=f"{roster.interval_min}min",
    )
    sf = shortfall(pd.Series(roster.required, index=starts), np.asarray(cov), roster.interval_min)
    n_agents = int(roster.settings.get("agent_count") or len(agents))
    max_h = float(roster.settings.get("weekly_hours_max") or 40)
    return RosterOut(
        roster_id=roster.roster_id,
        name=roster.name,
        published=roster.published,
        published_at=roster.published_at,
        first_interval_at=roster.first_interval_at.astimezone(tz),
        interval_min=roster.interval_min,
        utc_offset_min=roster.utc_offset_min,
        required=roster.required,
        coverage=cov,
        under_agent_h=round(float(np.clip(-diff, 0, None).sum()) * slot_h, 1),
        over_agent_h=round(float(np.clip(diff, 0, None).sum()) * slot_h, 1),
        meets_requirement=sf.met,
        explanation=_explainer(call)(sf, n_agents, max_h),
        short_intervals=[
            ShortIntervalOut(
                start_at=x.start.to_pydatetime(),
                required=round(x.required, 2),
                covered=round(x.covered, 2),
                short=round(x.short, 2),
            )
            for x in sf.intervals
        ],
        timezone=call.rt.settings.timezone,
        gap=roster.gap,
        settings=roster.settings,
        agents=agents,
    )


@api.op(
    "GET",
    "/api/planner/rosters/{roster_id}",
    roles=PLANNER_OR_SUPERVISOR,
    summary="Read a roster with coverage against requirement",
    response=RosterOut,
)
async def planner_roster(call: ApiCall) -> RosterOut:
    return await _roster_out(call, await _roster(call))


def _aware(field: str, value: datetime) -> datetime:
    if value.tzinfo is None:
        raise invalid(field, "needs a time zone (e.g. Z or +08:00)", "body")
    return value.astimezone(UTC)


@api.op(
    "POST",
    "/api/planner/rosters/{roster_id}/moves",
    roles=PLANNER,
    summary="Move a shift by hand",
    body=MoveBody,
    response=RosterOut,
)
async def planner_move_shift(call: ApiCall) -> RosterOut:
    body: MoveBody = call.body
    roster = await _roster(call)
    shift_at = _aware("shift_start_at", body.shift_start_at)
    start, end = _aware("start_at", body.start_at), _aware("end_at", body.end_at)
    first = roster.first_interval_at
    last = first + timedelta(minutes=roster.interval_min * len(roster.required))
    if start < first or end > last:
        raise invalid("start_at", "the shift must stay inside the roster's week", "body")
    if not any(a.agent_id == body.agent_id for a in roster.activities):
        raise invalid(
            "agent_id",
            "agent %(agent_id)s is not on this roster",
            "body",
            {"agent_id": body.agent_id},
        )
    try:
        await move_agent_shift(call.rt.engine, roster, body.agent_id, shift_at, start, end)
    except ValueError as exc:
        raise value_error(exc) from None
    moved = await get_roster(call.rt.engine, roster.roster_id)
    assert moved is not None
    return await _roster_out(call, moved)


@api.op(
    "POST",
    "/api/planner/rosters/{roster_id}/publish",
    roles=PLANNER,
    summary="Publish a roster so agents see their shifts",
    response=RosterSummary,
)
async def planner_publish(call: ApiCall) -> RosterSummary:
    roster = await _roster(call)
    await publish_roster(call.rt.engine, roster.roster_id, datetime.now(UTC))
    rows = {r["roster_id"]: r for r in await list_rosters(call.rt.engine, limit=500)}
    return RosterSummary(**rows[roster.roster_id])


@api.op(
    "GET",
    "/api/planner/rosters/{roster_id}/export",
    roles=PLANNER_OR_SUPERVISOR,
    summary="Export a roster as CSV",
)
async def planner_export(call: ApiCall) -> web.StreamResponse:
    roster = await _roster(call)
    tz = roster.tz
    frame = pd.DataFrame(
        [
            (a.agent_id, a.activity, a.start_at.astimezone(tz), a.end_at.astimezone(tz))
            for a in sorted(roster.activities, key=lambda a: (a.agent_id, a.start_at))
        ],
        columns=["agent_id", "activity", "start", "end"],
    )
    return web.Response(
        text=write_roster_csv(frame),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="roster-{roster.roster_id}.csv"'},
    )


# ---- adherence ---------------------------------------------------------------------------------


def _day_bounds(day: date, tz_name: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(tz_name)
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


@api.op(
    "GET",
    "/api/planner/adherence",
    roles=PLANNER_OR_SUPERVISOR,
    summary="Read adherence per agent for a day (scheduled vs actual)",
    query=AdherenceQuery,
    response=AdherenceOut,
)
async def planner_adherence(call: ApiCall) -> AdherenceOut:
    q: AdherenceQuery = call.query
    tz_name = call.rt.settings.timezone
    now = datetime.now(UTC)
    day = q.day or now.astimezone(ZoneInfo(tz_name)).date()
    if not date(2000, 1, 1) <= day <= date(2100, 1, 1):
        raise invalid("day", "must be between 2000 and 2100", "query")
    start, end = _day_bounds(day, tz_name)
    shifts = await read_shifts(call.rt.engine, start, end)
    states = await read_agent_states(call.rt.engine, start, end)
    names = await agent_names(call.rt.engine)
    until = min(now, end)
    try:
        table = await asyncio.to_thread(adherence, shifts, states, start, until)
    except WorkforceError as exc:
        raise UnavailableError(
            N_("adherence failed: %(reason)s"), field="day", params={"reason": str(exc)}
        ) from None
    out = []
    for agent_id in sorted(
        set(shifts["agent_id"]) | set(states["agent_id"]), key=lambda a: (names.get(a, a), a)
    ):
        row = table.loc[agent_id] if agent_id in table.index else None
        mine = shifts[shifts["agent_id"] == agent_id]
        st = states[states["agent_id"] == agent_id]
        out.append(
            AgentAdherenceOut(
                agent_id=agent_id,
                name=names.get(agent_id, agent_id),
                adherence_pct=None
                if row is None or (v := _num(row["adherence"], 4)) is None
                else round(100 * v, 1),
                occupancy_pct=None
                if row is None or (o := _num(row["occupancy"], 4)) is None
                else round(100 * o, 1),
                scheduled_min=0 if row is None else int(row["scheduled_min"]),
                in_adherence_min=0 if row is None else int(row["in_adherence_min"]),
                scheduled=[
                    ActivityOut(
                        activity=r.activity, start_at=max(r.start, start), end_at=min(r.end, end)
                    )
                    for r in mine.itertuples()
                ],
                actual=[
                    StateSpanOut(
                        state=r.state,
                        reason=r.reason if isinstance(r.reason, str) else None,
                        start_at=max(r.start_at, start),
                        end_at=min(
                            r.end_at if r.end_at is not None and not pd.isna(r.end_at) else until,
                            end,
                        ),
                    )
                    for r in st.itertuples()
                ],
            )
        )
    return AdherenceOut(day=day, day_start_at=start, agents=out)


# ---- the agent's shifts ------------------------------------------------------------------------


@api.op(
    "GET",
    "/api/agent/shifts",
    roles=AGENT,
    summary="Read the agent's published shifts",
    tag="agent",
    query=ShiftsQuery,
    response=AgentShiftsOut,
)
async def agent_week_shifts(call: ApiCall) -> AgentShiftsOut:
    q: ShiftsQuery = call.query
    agent_id = call.own_agent()
    tz_name = call.rt.settings.timezone
    today = datetime.now(UTC).astimezone(ZoneInfo(tz_name)).date()
    week_start = q.week_start or today - timedelta(days=today.weekday())
    if not date(2000, 1, 1) <= week_start <= date(2100, 1, 1):
        raise invalid("week_start", "must be between 2000 and 2100", "query")
    start, _ = _day_bounds(week_start, tz_name)
    # a day's margin on both sides: rosters may be planned in another UTC offset
    acts = await agent_shifts(
        call.rt.engine, agent_id, start - timedelta(days=1), start + timedelta(days=8)
    )
    return AgentShiftsOut(
        agent_id=agent_id,
        week_start=week_start,
        timezone=tz_name,
        activities=[_act(a) for a in acts],
    )
