"""Scorecard figures from the store against hand computation, on SQLite and PostgreSQL.

The data set (tests/qa/conftest.py), November 2026:

a1 (red): c1 Nov 2 C1 250 s (talk 200 hold 20 wrap 30); c2 Nov 2 C2 360 s, transferred,
   follow_up (no callback made); c3 Nov 3 C3 130 s. C1 calls again on Nov 5 (c4): c1 is not
   resolved first time. -> 3 calls on 2 days, AHT 740/3, hold 30/3, wrap 110/3, transfers 1/3,
   FCR 2/3, callbacks 0/1.
a2 (red): c4 Nov 5 C1 480 s complaint; c5 Nov 20 C4 300 s; c6 Nov 28 C5 400 s follow_up, called
   back by c7 (outbound, answered, Nov 29 08:00: 23 h later) 70 s; C5 calls again Dec 3 (c8,
   5 days after c6): c6 not resolved. -> 4 calls on 4 days, AHT 1250/4, hold 70/4, wrap 120/4,
   FCR 2/3 (c4, c5 of the inbound three), callbacks 1/1.
b1 (blue): c9 Nov 10 (no customer id, caller +8613800000001) 600 s; the same number calls
   again 30 min later and abandons (c10): FCR 0/1. c8 (December) and c11 (October) are outside.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from qa.evaluations_store import submit_evaluation
from qa.forms import Form, Item, Section
from qa.forms_store import save_form
from qa.kpi_store import KpiOptions, read_totals
from qa.periods import parse_period
from qa.scorecard import AgentTotals, KpiRule, RoleRules, build_scorecards
from store.db import session_factory

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
ONE = Form("one", 1, "zero_evaluation", (Section("S", (Item("q", "t", 1, "scale", max=10),)),))


async def add_evaluations(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session, session.begin():
        fv = (await save_form(session, ONE, NOW)).form_version_id
        for call_id, value in (("c1", 8), ("c2", 9), ("c5", 7), ("c11", 5)):
            await submit_evaluation(
                session,
                form_version_id=fv,
                call_id=call_id,
                evaluator_id="qa1",
                answers={"q": value},
                now=NOW,
            )


async def test_totals_match_hand_computation(month: AsyncEngine) -> None:
    await add_evaluations(month)
    totals, teams = await read_totals(month, parse_period("2026-11"), KpiOptions(), {"a1": 90.0})
    assert teams == {"a1": "red", "a2": "red", "b1": "blue"}
    assert totals["a1"] == AgentTotals(
        calls=3,
        worked_days=2,
        handle_s=740,
        hold_s=30,
        wrap_s=110,
        transfers=1,
        fcr_calls=3,
        fcr_resolved=2,
        callbacks_due=1,
        callbacks_done=0,
        qa_sum=170,
        qa_count=2,
        adherence_pct=(90.0,),
    )
    assert totals["a2"] == AgentTotals(
        calls=4,
        worked_days=4,
        handle_s=1250,
        hold_s=70,
        wrap_s=120,
        transfers=0,
        fcr_calls=3,
        fcr_resolved=2,
        callbacks_due=1,
        callbacks_done=1,
        qa_sum=70,
        qa_count=1,
    )
    assert totals["b1"] == AgentTotals(
        calls=1,
        worked_days=1,
        handle_s=600,
        hold_s=0,
        wrap_s=100,
        fcr_calls=1,
        fcr_resolved=0,
    )
    v = totals["a1"].values()
    assert v["aht_s"] == pytest.approx(740 / 3) and v["fcr_pct"] == pytest.approx(200 / 3)
    assert v["transfer_rate_pct"] == pytest.approx(100 / 3) and v["callback_pct"] == 0.0


async def test_windows_are_configurable(month: AsyncEngine) -> None:
    # FCR window 4 days: c1 (C1 again after 3 days) still unresolved, c6 (5 days) now resolved.
    # Callback window 12 h: c7 came 23 h after c6, too late.
    options = KpiOptions(fcr_window_days=4, callback_window_h=12)
    totals, _ = await read_totals(month, parse_period("2026-11"), options)
    assert (totals["a1"].fcr_resolved, totals["a2"].fcr_resolved) == (2, 3)
    assert (totals["a2"].callbacks_due, totals["a2"].callbacks_done) == (1, 0)


async def test_week_period_and_local_days(month: AsyncEngine) -> None:
    # 2026-W45 is Nov 2-8: a1's three calls and a2's c4 only.
    totals, _ = await read_totals(month, parse_period("2026-W45"), KpiOptions())
    assert totals["a1"].calls == 3 and totals["a2"].calls == 1 and totals["b1"].calls == 0
    # Worked days are local days: at UTC-9 (Pacific/Gambier, no DST) c6 (Nov 28 09:00 UTC) and
    # c7 (Nov 29 08:00 UTC) both fall on Nov 28, so a2 worked 3 days, not 4.
    gambier = parse_period("2026-11", "Pacific/Gambier")
    totals, _ = await read_totals(month, gambier, KpiOptions(timezone="Pacific/Gambier"))
    assert totals["a2"].calls == 4 and totals["a2"].worked_days == 3


async def test_scorecards_match_hand_computation(month: AsyncEngine) -> None:
    await add_evaluations(month)
    totals, teams = await read_totals(month, parse_period("2026-11"), KpiOptions(), {"a1": 90.0})
    rules = RoleRules(
        "own",
        (
            KpiRule("aht_s", target=300, floor=480, weight=2),
            KpiRule("fcr_pct", target=80, floor=60, weight=1),
            KpiRule("qa_score", target=90, floor=60, weight=1),
            KpiRule("adherence_pct", target=95, floor=80, weight=1),
            KpiRule("calls_handled", target=2, floor=0, weight=1),
        ),
    )
    cards = {c.agent_id: c for c in build_scorecards(totals, teams, role_rules={"agent": rules})}
    # a1: aht 246.7 -> 100; fcr 66.7 -> 33.3; qa 85 -> 83.3; adherence 90 -> 66.7;
    #     1.5 calls a day -> 75.  total = (2*100 + 100/3 + 250/3 + 200/3 + 75) / 6
    assert cards["a1"].total == pytest.approx((200 + 100 / 3 + 250 / 3 + 200 / 3 + 75) / 6)
    # a2: aht 312.5 -> 167.5/180; fcr -> 100/3; qa 70 -> 100/3; adherence missing; 1/day -> 50
    a2 = (2 * 100 * 167.5 / 180 + 100 / 3 + 100 / 3 + 50) / 5
    assert cards["a2"].total == pytest.approx(a2) and cards["a2"].missing == ("adherence_pct",)
    # b1: aht 600 -> 0; fcr 0 -> 0; qa and adherence missing; 1/day -> 50: 50 / 4
    assert cards["b1"].total == pytest.approx(12.5)
    assert set(cards["b1"].missing) == {"qa_score", "adherence_pct"}
    assert (cards["a1"].rank, cards["a2"].rank, cards["b1"].rank) == (1, 2, 1)


async def test_aht_leaves_out_calls_under_min_handle_s(month: AsyncEngine) -> None:
    totals, _ = await read_totals(month, parse_period("2026-11"), KpiOptions(min_handle_s=300))
    a1, a2 = totals["a1"], totals["a2"]
    # a1: 250 s and 130 s are under 300 s; 360 s stays. a2: only the 70 s callback is short
    assert (a1.short_calls, a1.short_handle_s) == (2, 380)
    assert (a2.short_calls, a2.short_handle_s) == (1, 70)
    assert a1.values()["aht_s"] == pytest.approx(360)
    assert a2.values()["aht_s"] == pytest.approx((1250 - 70) / 3)
    assert a1.values()["calls_handled"] == 3  # still handled calls; only the AHT ignores them
    rules = {"agent": RoleRules("agent", (KpiRule("aht_s", 300, 480, 1),))}
    cards = {c.agent_id: c for c in build_scorecards(totals, {}, role_rules=rules)}
    assert cards["a1"].kpis[0].note == (
        "leaves out 2 of 3 calls shorter than min_handle_s (not real handling)"
    )
    assert cards["b1"].kpis[0].note is None
