"""The other workspace pages with realistic data, in Chromium: adherence (scheduled vs actual),
scorecards with drill-down, a calibration session, the admin's form editor (a save makes a new
version), the roster list, complaint reports. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import asyncio
import json
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from callcenter_testkit.browsing import no_js_errors, shot, sign_in
from callcenter_testkit.webtools import Server
from playwright.async_api import Browser, expect

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import change_status, open_complaint
from kernel.runtime import Runtime
from outbound.tasks import OutboundConfig
from qa.calibrations_store import add_calibration_score, create_calibration
from qa.evaluations_store import submit_evaluation
from qa.files import load_default_form
from qa.forms_store import save_form
from qa.periods import Period, parse_period, week_label
from store.db import session_factory
from store.models.core import AgentState, Call, Customer
from store.models.customers import CustomerPhone
from workforce.store_io import save_roster

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def _answers(rng: random.Random, good: float) -> dict[str, object]:
    form = load_default_form()
    out: dict[str, object] = {}
    for item in form.items.values():
        if item.kind == "scale":
            out[item.id] = item.max if rng.random() < good else rng.randint(0, item.max or 1)
        else:
            out[item.id] = "yes" if rng.random() < good or item.critical else "no"
    return out


def _previous_week(week: str, tz_name: str) -> Period:
    before = parse_period(week, tz_name).start_at - timedelta(days=1)
    return parse_period(week_label(before, tz_name), tz_name)


async def _seed(rt: Runtime, period: Period) -> tuple[str, int]:
    """A week of data in ``period`` (a whole past week, so nothing depends on today's date): a
    published roster for its Wednesday and what the agents did, calls, evaluations, a
    calibration; customers and complaints (opened relative to now: the desk shows overdue ones)."""
    rng = random.Random(3)
    now = datetime.now(UTC)
    day = period.start_at + timedelta(days=2)
    rows, states = [], []
    for i in range(1, 13):
        agent = f"a{i}"
        start = day + timedelta(hours=6 + i % 4)
        rows += [
            (agent, "shift", start, start + timedelta(hours=8)),
            (agent, "break", start + timedelta(hours=2), start + timedelta(hours=2, minutes=15)),
            (agent, "lunch", start + timedelta(hours=4), start + timedelta(hours=5)),
        ]
        t = start + timedelta(minutes=rng.choice([-5, 0, 10, 25]))
        end = start + timedelta(hours=8, minutes=rng.choice([-20, 0, 5]))
        while t < end:
            state = rng.choices(["ready", "on_call", "wrap_up", "not_ready"], [3, 6, 2, 1])[0]
            length = timedelta(minutes=rng.randint(3, 25))
            states.append(
                {
                    "agent_id": agent,
                    "state": state,
                    "reason": "break" if state == "not_ready" else None,
                    "start_at": t,
                    "end_at": min(t + length, end),
                }
            )
            t += length
    await save_roster(
        rt.engine,
        pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"]),
        name=f"Week {period.label}",
        period_start_at=day,
        period_end_at=day + timedelta(days=1),
        created_at=now,
        published=True,
    )
    async with rt.engine.begin() as conn:
        await conn.execute(AgentState.__table__.insert(), states)
        calls = []
        for i in range(120):
            agent = f"a{1 + i % 12}"
            at = period.start_at + timedelta(
                days=rng.randint(0, 6), hours=rng.randint(8, 19), minutes=rng.randint(0, 59)
            )
            calls.append(
                {
                    "call_id": f"c-tour-{i}",
                    "direction": "inbound",
                    "queue_id": rng.choice(["sales", "support"]),
                    "agent_id": agent,
                    "arrived_at": at,
                    "answered_at": at + timedelta(seconds=15),
                    "wait_s": 15.0,
                    "talk_s": float(rng.randint(90, 500)),
                    "hold_s": float(rng.choice([0, 0, 20, 45])),
                    "wrap_s": 30.0,
                    "outcome": "answered",
                    "disposition": "resolved",
                    "notes": "Explained the plan change.",
                    "transferred": rng.random() < 0.1,
                    "offers": 1,
                    "customer_id": None,
                    "updated_at": now,
                }
            )
        await conn.execute(Call.__table__.insert(), calls)
    async with session_factory(rt.engine)() as session, session.begin():
        stored = await save_form(session, load_default_form(), now)
        for i in range(0, 120, 3):
            await submit_evaluation(
                session,
                form_version_id=stored.form_version_id,
                call_id=f"c-tour-{i}",
                evaluator_id="quinn",
                answers=_answers(rng, 0.5 + (i % 12) / 24),
                now=now,
            )
        cal = await create_calibration(
            session,
            form_version_id=stored.form_version_id,
            call_id="c-tour-1",
            now=now,
            facilitator_id="quinn",
        )
        for who, good in (("quinn", 0.9), ("mei", 0.7), ("olga", 0.8), ("sam", 0.6)):
            await add_calibration_score(session, cal, who, _answers(random.Random(good), good), now)
    async with rt.engine.begin() as conn:
        await conn.execute(
            Customer.__table__.insert(),
            [
                {
                    "customer_id": f"cust-{i}",
                    "name": f"Customer {i}",
                    "tier": "ordinary",
                    "phone": f"+86138000000{i:02d}",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(14)
            ],
        )
        await conn.execute(
            CustomerPhone.__table__.insert(),
            [
                {"customer_id": f"cust-{i}", "e164": f"+86138000000{i:02d}", "position": 0}
                for i in range(14)
            ],
        )
    config = ComplaintConfig.from_settings(rt.settings)
    outbound = OutboundConfig.from_settings(rt.settings)
    cats = ["quality", "service", "other", "quality"]
    for i in range(14):
        opened = now - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 10))
        cid = await open_complaint(
            rt.engine,
            category=cats[i % 4],
            severity=["low", "medium", "high", "critical"][i % 4],
            description=f"Ticket {i}",
            now=opened,
            config=config,
            customer_id=f"cust-{i}",
        )
        if i % 3:
            await change_status(
                rt.engine,
                cid,
                "acknowledged",
                now=opened + timedelta(hours=1),
                config=config,
                by="sue",
            )
        if i % 3 == 2:
            await change_status(
                rt.engine,
                cid,
                "resolved",
                now=opened + timedelta(hours=rng.randint(2, 40)),
                config=config,
                by="sue",
                outbound=outbound,
            )
    return day.date().isoformat(), cal


async def test_workspace_pages(
    browser: Browser,
    server: Server,
    web_rt: Runtime,
    artifacts: Path,  # noqa: F811
) -> None:
    sup = await sign_in(browser, server, "sue", "/qa/scorecards")
    # the page's week comes from the server's clock; the data is the whole week before it
    shown = await sup.input_value('#period-form input[name="period"]')
    week = _previous_week(shown, web_rt.settings.timezone)
    day, cal = await _seed(web_rt, week)
    await sup.goto(f"{server.url}/planner/adherence?day={day}")
    await expect(sup.locator(".adh-row")).to_have_count(12)
    await expect(sup.locator("#k-adh")).to_have_text(re.compile(r"\d+(\.\d)?%"))
    await shot(sup, artifacts / "planner-adherence.png")

    await sup.goto(f"{server.url}/qa/scorecards")
    await sup.fill('#period-form input[name="period"]', week.label)
    await sup.click("#period-form button")
    await expect(sup.locator("#sc-note")).to_contain_text(f"period {week.label}")
    await expect(sup.locator("#cards tbody tr").first).to_be_visible()
    await sup.locator('#cards tbody tr[data-agent="a5"]').click()
    await expect(sup.locator("#drill-title")).to_contain_text("rank")
    await shot(sup, artifacts / "qa-scorecards.png")
    async with sup.expect_download() as dl:
        await sup.click("#csv")
    path = await (await dl.value).path()
    assert (await asyncio.to_thread(Path(path).read_text)).startswith("agent_id,team,role")

    await sup.goto(f"{server.url}/qa/calibrations")
    await sup.locator("#cals tr.clickable").first.click()
    await expect(sup.locator("#devs tr")).to_have_count(4)
    await shot(sup, artifacts / "qa-calibration.png")

    await sup.goto(f"{server.url}/complaints/reports")
    await expect(sup.locator("body")).to_have_attribute("data-reports", "ready")
    await shot(sup, artifacts / "complaints-reports.png")
    await sup.goto(f"{server.url}/complaints")
    await expect(sup.locator("#tickets tr.overdue").first).to_be_visible()
    await shot(sup, artifacts / "complaints-overdue.png")
    no_js_errors(sup)

    admin = await sign_in(browser, server, "ada", "/qa/forms")
    await expect(admin.locator("#version")).to_have_text("version 1")
    definition = json.loads(await admin.input_value("#definition"))
    definition["sections"][0]["items"][0]["weight"] = 4
    await admin.fill("#definition", json.dumps(definition, indent=2))
    await admin.click("#save")
    await expect(admin.locator("#version")).to_have_text("version 2")
    await expect(admin.locator("#versions tr")).to_have_count(2)
    await shot(admin, artifacts / "qa-form-editor.png")
    await admin.goto(f"{server.url}/planner/rosters")
    await expect(admin.locator("#rosters tr.clickable")).to_have_count(1)
    await shot(admin, artifacts / "planner-rosters.png")
    no_js_errors(admin)
