"""The answer rate (接通率) reaches the scorecards API and its CSV export: the router's events
of callcenter_testkit.offers written through the store writer, read as the supervisor."""

from __future__ import annotations

import csv
import io

import pytest
from callcenter_testkit.offers import ANSWER_RATE, offer_events
from callcenter_testkit.webtools import Login

from kernel.runtime import Runtime
from store.writer import write_events


async def test_scorecards_api_has_the_answer_rate(login: Login, web_rt: Runtime) -> None:
    async with web_rt.engine.begin() as conn:
        await write_events(conn, offer_events())
    sue = await login("sue")
    async with sue.get("/api/qa/scorecards", params={"period": "2026-11"}) as r:
        assert r.status == 200, await r.text()
        body = await r.json()
    assert "answer_rate_pct" in body["kpis"]
    cards = {c["agent_id"]: {k["kpi"]: k for k in c["kpis"]} for c in body["scorecards"]}
    for agent_id, rate in ANSWER_RATE.items():
        kpi = cards[agent_id]["answer_rate_pct"]
        assert kpi["value"] == pytest.approx(rate)
        assert (kpi["target"], kpi["floor"], kpi["weight"]) == (98, 85, 15)
    assert cards["a3"]["answer_rate_pct"]["value"] is None  # never offered a call
    async with sue.get("/api/qa/scorecards.csv", params={"period": "2026-11"}) as r:
        rows = {row["agent_id"]: row for row in csv.DictReader(io.StringIO(await r.text()))}
    assert float(rows["a1"]["answer_rate_pct"]) == pytest.approx(ANSWER_RATE["a1"], abs=0.001)
    assert rows["a1"]["answer_rate_pct_score"] == "0.0"
