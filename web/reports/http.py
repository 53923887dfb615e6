"""``GET /api/reports/{kind}``: a historical report over days of the centre's time zone, as JSON
for the Reports page or as a CSV / XLSX download (the same cells, ``reports.export``)."""

from __future__ import annotations

from aiohttp import web

from reports.export import rows_of, to_csv, to_xlsx
from reports.service import ReportError, ReportRequest, build_report
from web.endpoints import ApiCall, Endpoints
from web.errors import invalid
from web.reports.schemas import ReportOut, ReportQuery
from web.roles import SUPERVISOR

api = Endpoints(tag="reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@api.op(
    "GET",
    "/api/reports/{kind}",
    roles=SUPERVISOR,
    summary="Read a historical report (intervals, queues, agents, dispositions)",
    query=ReportQuery,
    response=ReportOut,
)
async def report(call: ApiCall) -> ReportOut | web.StreamResponse:
    q: ReportQuery = call.query
    s = call.rt.settings
    kind = call.path["kind"]
    try:
        request = ReportRequest(
            kind,  # type: ignore[arg-type]
            q.from_day,
            q.to_day,
            s.timezone,
            interval_min=q.interval_min,
            queues=tuple(q.queue),
        )
        df = await build_report(call.rt.engine, request, s.queues)
    except ReportError as exc:
        where = "path" if exc.field == "kind" else "query"
        raise invalid(exc.field, exc.message, where) from None
    name = f"{kind}-{q.from_day}-{q.to_day}"
    if q.format == "csv":
        return web.Response(
            text=to_csv(df),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if q.format == "xlsx":
        return web.Response(
            body=to_xlsx(df, kind),
            content_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return ReportOut(
        kind=kind,
        from_day=q.from_day,
        to_day=q.to_day,
        timezone=s.timezone,
        interval_min=q.interval_min,
        columns=list(df.columns),
        rows=rows_of(df),
    )
