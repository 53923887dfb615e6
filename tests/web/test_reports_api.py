"""``GET /api/reports/{kind}``: the figures of a known day as JSON, the CSV and XLSX downloads
(the same cells), and bad requests named (422), for supervisors only."""

from __future__ import annotations

import asyncio
import csv
import io

from callcenter_testkit.report_day import known_day
from callcenter_testkit.schema_fuzz import find_5xx
from callcenter_testkit.webtools import Login, Server
from openpyxl import load_workbook

from store.writer import write_events
from web.keys import RUNTIME

DAY = {"from": "2026-12-07", "to": "2026-12-07"}  # the centre's time zone here is UTC


async def _day(server: Server) -> None:
    async with server.app[RUNTIME].engine.begin() as conn:
        await write_events(conn, known_day())


async def test_intervals_json_csv_and_xlsx(login: Login, server: Server) -> None:
    await _day(server)
    s = await login("sue")
    params = {**DAY, "interval_min": "60", "queue": "sales"}
    async with s.get("/api/reports/intervals", params=params) as r:
        assert r.status == 200, await r.text()
        d = await r.json()
    assert d["timezone"] == "UTC" and len(d["rows"]) == 24
    rows = [dict(zip(d["columns"], row, strict=True)) for row in d["rows"]]
    one = next(x for x in rows if x["interval_start"] == "2026-12-07T01:00:00+00:00")  # 09:00+08
    assert (one["queue"], one["offered"], one["answered"], one["abandoned_short"]) == (
        "sales", 6, 3, 1
    )  # fmt: skip
    assert (one["sl_pct"], one["aht_s"], one["transfers"], one["rona"]) == (50.0, 270.0, 1, 1)
    assert rows[0]["sl_pct"] is None  # nothing offered: no service level, not 100 %

    async with s.get("/api/reports/intervals", params={**params, "format": "csv"}) as r:
        assert r.status == 200 and r.content_type == "text/csv"
        assert 'filename="intervals-2026-12-07-2026-12-07.csv"' in r.headers["Content-Disposition"]
        text = await r.text()
    assert list(csv.reader(io.StringIO(text)))[0] == d["columns"]
    async with s.get("/api/reports/intervals", params={**params, "format": "xlsx"}) as r:
        assert r.status == 200 and r.content_type.endswith("spreadsheetml.sheet")
        sheet = load_workbook(io.BytesIO(await r.read()), read_only=True)["intervals"]
    got = [list(x) for x in sheet.iter_rows(values_only=True)]
    assert got[0] == d["columns"] and len(got) == len(d["rows"]) + 1


async def test_bad_requests_are_named(login: Login, server: Server) -> None:
    s = await login("sue")
    for path, params, field in (
        ("/api/reports/intervals", {**DAY, "queue": "nope"}, "queue"),
        ("/api/reports/intervals", {"from": "2026-12-08", "to": "2026-12-07"}, "to"),
        ("/api/reports/intervals", {**DAY, "interval_min": "20"}, "interval_min"),
        ("/api/reports/intervals", {"from": "7 Dec", "to": "2026-12-07"}, "from"),
        ("/api/reports/weekly", DAY, "kind"),
    ):
        async with s.get(path, params=params) as r:
            assert r.status == 422, (params, await r.text())
            assert (await r.json())["field"].startswith(field), await r.text()


async def test_only_supervisors(login: Login) -> None:
    s = await login("alice")
    async with s.get("/api/reports/queues", params=DAY) as r:
        assert r.status == 403


async def test_schemathesis_finds_no_5xx_on_reports(login: Login, server: Server) -> None:
    await _day(server)
    s = await login("sue")
    cookies = {c.key: c.value for c in s.cookie_jar}
    seen: dict[int, int] = {}
    failures = await asyncio.to_thread(
        find_5xx,
        server.url,
        cookies,
        s.headers["X-CSRF-Token"],
        max_examples=60,
        seen=seen,
        keep=lambda path, method: path.startswith("/api/reports/"),
    )
    assert failures == [], "\n".join(failures[:20])
    assert sum(seen.values()) >= 60
