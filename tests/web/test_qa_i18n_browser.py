"""The QA and complaint pages in zh_CN in a real browser, with data: the sampled calls, an
evaluation beside its recording (player, waveform, timed comments), the agent's and the
supervisor's evaluations (dispute), calibration, scorecards, the form editor, the complaint desk
(categories 质量投诉 / 服务投诉 / 其他, severities, a ticket's history) and the complaint
reports. Screenshots in tests/artifacts/i18n-qa-*.png; each page is checked for key Chinese
texts and for English catalog strings left on it (what the data itself says, such as the English
default QA form's items on this branch, is allowed)."""

from __future__ import annotations

import re
import wave
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from callcenter_testkit.browsing import no_js_errors, shot, sign_in_chinese
from callcenter_testkit.webtools import (
    Login,
    Server,
    handled_call,
    web_settings,
)
from playwright.async_api import Browser, Page, expect
from sqlalchemy import insert, update

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import change_status, open_complaint
from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.recording_files import file_name
from kernel.runtime import Runtime
from kernel.settings import Settings
from outbound.tasks import OutboundConfig
from outbound.tasks_store import record_outcome, record_sale
from qa.periods import parse_period
from store.models.core import Call
from store.models.customers import OutboundTask
from store.models.recordings import Recording
from web.i18n.catalog import LOCALE_DIR

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
RECORDED = "c-qa-rec"
CRITICAL_ITEM = "verify.identity"


@pytest.fixture
def settings(prefix: str, tmp_path: Path) -> Settings:
    return web_settings(
        prefix,
        timezone="Asia/Shanghai",
        recording={"folder": str(tmp_path / "recordings")},
        complaints={"categories": ["quality", "service", "other"]},
    )


@cache
def _catalog_english() -> list[re.Pattern[str]]:
    """Every English msgid the zh_CN catalog translates differently, as a whole-word pattern
    (placeholders stripped; three letters at least, so that "N/A"-like marks do not count)."""
    with (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    out = []
    for m in catalog:
        if not m.id or not isinstance(m.id, str) or m.string == m.id:
            continue
        for part in re.split(r"%\(\w+\)s", m.id):
            part = part.strip(" ,.:;·—()“”%")
            if len(re.sub(r"[^A-Za-z]", "", part)) >= 3:
                out.append(re.compile(rf"(?<![A-Za-z_.-]){re.escape(part)}(?![A-Za-z_.-])"))
    return out


async def _no_english(page: Page, allowed: list[str]) -> None:
    """No English catalog string in the page's visible text, once ``allowed`` (the data) is
    taken out."""
    text = await page.locator("body").inner_text()
    for a in sorted(allowed, key=len, reverse=True):
        text = text.replace(a, " ")
    left = sorted({p.pattern for p in _catalog_english() if p.search(text)})
    assert left == [], (page.url, left)


async def _sign_in_chinese(browser: Browser, server: Server, username: str, path: str) -> Page:
    return await sign_in_chinese(browser, server, username, path)


def _wav(path: Path, seconds: int = 12) -> None:
    """A 8 kHz mono recording whose loudness rises and falls (a visible waveform)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rate = 8000
    frames = bytearray()
    for i in range(rate * seconds):
        level = 3000 + 9000 * ((i // rate) % 4) / 3
        sample = int(level if (i // 20) % 2 else -level)
        frames += sample.to_bytes(2, "little", signed=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))


async def _seed_week(rt: Runtime, week: str) -> None:
    """Handled calls of a1 and a2 in ``week`` (a transferred one, a short one) and a recording
    of one of them, with a pause."""
    period = parse_period(week, rt.settings.timezone)
    span = max(min(datetime.now(UTC), period.end_at) - period.start_at, timedelta(hours=1))
    at = [period.start_at + span * (i + 1) / 7 for i in range(6)]
    rows = [
        handled_call(RECORDED, "a1", at[0], notes="客户无法登录，已重置密码并核对账户。"),
        handled_call("c-qa-1", "a1", at[1], transferred=True, notes=None),
        handled_call("c-qa-2", "a2", at[2], talk_s=9.0, disposition="information", notes=None),
        handled_call("c-qa-3", "a2", at[3], disposition="complaint", notes=None),
        handled_call("c-qa-4", "a1", at[4], disposition="follow_up", notes=None),
    ]
    async with rt.engine.begin() as conn:
        await conn.execute(Call.__table__.insert(), rows)
        await conn.execute(
            insert(Recording).values(
                call_id=RECORDED,
                file=file_name(RECORDED),
                queue_id="support",
                agent_id="a1",
                started_at=at[0],
                stopped_at=at[0] + timedelta(seconds=12),
                duration_s=12.0,
                size_bytes=None,
                paused_spans=[[4.0, 6.0]],
            )
        )
    _wav(rt.settings.recordings_folder / file_name(RECORDED))


async def _answer_all(page: Page, container: str) -> None:
    for label in await page.locator(
        f'{container} .qa-item label:has(input[value="yes"]), '
        f"{container} .qa-item label.scale:last-of-type"
    ).all():
        await label.click()


async def _form_texts(login: Login) -> list[str]:
    """The current QA form's own words (its name, sections and items): data, not catalog."""
    s = await login("ada")  # the form editor's reader is the admin's
    async with s.get("/api/qa/forms/current") as r:
        form = (await r.json())["form"]
    out = [form["name"]]
    for section in form["definition"]["sections"]:
        out.append(section["name"])
        out += [i["text"] for i in section["items"]] + [i["id"] for i in section["items"]]
    return out


def _names(settings: Settings) -> list[str]:
    """The configured queues' and agents' names (the tests' are English): data too."""
    return [q.name or q.id for q in settings.queues] + [a.name or a.id for a in settings.agents]


async def test_qa_pages_in_chinese(
    browser: Browser, server: Server, web_rt: Runtime, login: Login, artifacts: Path
) -> None:
    qa = await _sign_in_chinese(browser, server, "quinn", "/qa")
    await expect(qa.locator("h1")).to_have_text("待质检的抽样通话")
    week = await qa.input_value('#filters input[name="week"]')
    await _seed_week(web_rt, week)
    data = await _form_texts(login) + _names(web_rt.settings)
    await qa.click("#draw")
    await expect(qa.locator("#samples tr[data-call]")).to_have_count(5)
    await expect(qa.locator("#count")).to_have_text("共 5 通")
    await expect(qa.locator("#samples")).to_contain_text("转接")
    await expect(qa.locator("#samples")).to_contain_text("通话过短")
    await expect(qa.locator("#samples")).to_contain_text("待质检")
    await expect(qa.locator("thead")).to_contain_text("抽样原因")
    await shot(qa, artifacts / "i18n-qa-samples.png")
    await _no_english(qa, data)

    await qa.click(f'#samples tr[data-call="{RECORDED}"]')
    await expect(qa).to_have_url(re.compile(f"/qa/calls/{RECORDED}"))
    await expect(qa.locator("h1")).to_have_text(f"通话 {RECORDED}")
    await expect(qa.locator("#facts")).to_contain_text("呼叫方向呼入")
    await expect(qa.locator("#form-version")).to_have_text("第 1 版")
    await expect(qa.locator("#rec-wave .main-svg").first).to_be_visible()
    await expect(qa.locator("#recording")).to_contain_text("暂停录音（静音）")
    await expect(qa.locator("#rec-comment-add")).to_have_text("添加批注")
    await qa.fill("#rec-comment-text", "开场白没有报公司名称")
    await qa.click("#rec-comment-add")
    await expect(qa.locator("#rec-comments .rec-comment.new")).to_contain_text("0:00")
    await _answer_all(qa, "#form")
    await qa.locator(f'.qa-item[data-item="{CRITICAL_ITEM}"] label:has(input[value="no"])').click()
    await qa.fill("#comment", "未核实来电人身份就讨论了账户。")
    await qa.click("#submit")
    await expect(qa.locator("#score")).to_have_text("0")
    await expect(qa.locator("#critical")).to_contain_text("致命项未通过")
    await expect(qa.locator("#submit")).to_have_text("已提交")
    await expect(qa.locator(".crit").first).to_have_text("致命项")
    await shot(qa, artifacts / "i18n-qa-evaluate.png")
    await _no_english(qa, data)
    no_js_errors(qa)

    agent = await _sign_in_chinese(browser, server, "alice", "/qa/evaluations")
    card = agent.locator(".eval-card").first
    await expect(card).to_have_attribute("data-status", "submitted")
    await expect(card.locator(".pill")).to_have_text("已提交")
    await expect(card.locator(".ack")).to_have_text("确认")
    await expect(card.locator(".dispute")).to_have_text("申诉")
    await expect(card.locator(".listen")).to_have_text("收听录音")
    await shot(agent, artifacts / "i18n-qa-agent-evaluations.png")
    await _no_english(agent, data)
    await card.locator(".dispute").click()  # no reason given: asked for one
    await expect(agent.locator("#toast")).to_have_text("请说明申诉理由")
    await card.locator(".dispute-comment").fill("我在 0:40 核实了客户的出生日期。")
    await card.locator(".dispute").click()
    await expect(agent.locator(".eval-card").first).to_have_attribute("data-status", "disputed")
    no_js_errors(agent)

    sup = await _sign_in_chinese(browser, server, "sue", "/qa/evaluations")
    card = sup.locator('.eval-card[data-status="disputed"]').first
    await expect(card.locator(".pill")).to_have_text("申诉中")
    await expect(card).to_contain_text("坐席申诉：“我在 0:40 核实了客户的出生日期。”")
    await expect(card.locator(".uphold")).to_have_text("维持原分")
    await expect(card.locator(".amend")).to_have_text("改分")
    await expect(sup.locator("#count")).to_have_text("共 1 条质检结果")
    await shot(sup, artifacts / "i18n-qa-supervisor-evaluations.png")
    await _no_english(sup, data)
    await card.locator(f'input[value="{CRITICAL_ITEM}"]').check()
    await card.locator(".amend").click()
    await sup.select_option('#filters select[name="status"]', "")
    resolved = sup.locator('.eval-card[data-status="resolved"]').first
    await expect(resolved.locator(".pill")).to_have_text("申诉已处理")
    await expect(resolved).to_contain_text("申诉处理：已改分（原为 0 分）")
    no_js_errors(sup)

    await qa.goto(f"{server.url}/qa/calibrations")
    await expect(qa.locator("h1")).to_have_text("质检校准")
    await qa.fill('#new-cal input[name="call_id"]', "c-qa-1")
    await qa.click("#new-cal button")
    await expect(qa.locator("#detail")).to_be_visible()
    await _answer_all(qa, "#cal-form")
    await qa.click("#cal-submit")
    await expect(qa.locator("#toast")).to_have_text("评分已保存")
    supervisor = await login("sue")  # a second evaluator, who fails the critical item
    cal_id = (await qa.locator("#cals tr").first.locator("td").first.inner_text()).strip()
    async with supervisor.get(f"/api/qa/calibrations/{cal_id}") as r:
        definition = (await r.json())["form"]["definition"]
    answers: dict[str, object] = {
        i["id"]: (i.get("max", 1) if i["kind"] == "scale" else "yes")
        for s in definition["sections"]
        for i in s["items"]
    }
    answers[CRITICAL_ITEM] = "no"
    async with supervisor.put(
        f"/api/qa/calibrations/{cal_id}/score", json={"answers": answers}
    ) as r:
        assert r.status == 200, await r.text()
    await qa.reload()
    await qa.locator("#cals tr").first.click()
    await expect(qa.locator("#devs tr")).to_have_count(2)
    await expect(qa.locator("#k-agreed-label")).to_have_text("平均分（尚未达成共识）")
    await expect(qa.locator("#items-head")).to_contain_text("标准差")
    await shot(qa, artifacts / "i18n-qa-calibrations.png")
    await _no_english(qa, data + ["quinn", "sue"])

    await qa.goto(f"{server.url}/qa/scorecards")
    await expect(qa.locator("h1")).to_have_text("考核量表")
    await expect(qa.locator("#cards thead")).to_contain_text("质检得分")
    await expect(qa.locator("#drill-title")).to_contain_text("排名")
    await expect(qa.locator("#sc-note")).to_contain_text(f"考核周期 {week}")
    await shot(qa, artifacts / "i18n-qa-scorecards.png")
    await _no_english(qa, data)
    no_js_errors(qa)

    admin = await _sign_in_chinese(browser, server, "ada", "/qa/forms")
    await expect(admin.locator("#version")).to_have_text("第 1 版")
    await expect(admin.locator("#save")).to_have_text("另存为新版本")
    await expect(admin.locator("#versions tr")).to_have_count(1)
    await shot(admin, artifacts / "i18n-qa-forms.png")
    await _no_english(admin, data)
    no_js_errors(admin)


async def _return_visits(rt: Runtime, now: datetime) -> None:
    """Three return visits: one reached and satisfied, one refused, one still to call."""
    cfg = OutboundConfig(queue_id="support", default_timezone=rt.settings.timezone)
    ids = []
    for i in range(3):
        await save_customer(
            rt.engine,
            CustomerRecord(f"cu{i}", f"客户{i}", (f"+861380000000{i}",)),
            now=now - timedelta(days=2),
            default_tz=rt.settings.timezone,
        )
        ids.append(
            await record_sale(
                rt.engine,
                sale_id=f"s{i}",
                customer_id=f"cu{i}",
                sold_at=now - timedelta(days=2),
                now=now - timedelta(days=2),
                config=cfg,
            )
        )
    t = OutboundTask.__table__
    async with rt.engine.begin() as conn:  # the two called were put through
        await conn.execute(update(t).where(t.c.task_id.in_(ids[:2])).values(status="connected"))
    await record_outcome(rt.engine, ids[0], outcome="reached", satisfied=True, score=5, now=now)
    await record_outcome(rt.engine, ids[1], outcome="refused", now=now)


async def test_complaint_pages_in_chinese(
    browser: Browser, server: Server, web_rt: Runtime, artifacts: Path
) -> None:
    config = ComplaintConfig.from_settings(web_rt.settings)
    now = datetime.now(UTC)
    late = await open_complaint(
        web_rt.engine,
        category="quality",
        severity="high",
        description="十一月套餐重复扣费",
        now=now - timedelta(days=6),
        config=config,
        wish="退款",
    )
    done = await open_complaint(
        web_rt.engine,
        category="service",
        severity="medium",
        description="坐席态度生硬",
        now=now - timedelta(days=3),
        config=config,
    )
    await change_status(
        web_rt.engine, done, "acknowledged", now=now - timedelta(days=3), config=config
    )
    await change_status(web_rt.engine, done, "resolved", now=now - timedelta(days=2), config=config)
    await open_complaint(
        web_rt.engine,
        category="other",
        severity="low",
        description="包裹放错了门口",
        now=now,
        config=config,
    )
    await _return_visits(web_rt, now)

    page = await _sign_in_chinese(browser, server, "sue", "/complaints")
    await expect(page.locator("h1")).to_have_text("投诉工单")
    await expect(page.locator("#overdue-count")).to_have_text("1 单超时")
    options = page.locator('#filters select[name="category"] option')
    await expect(options).to_have_text(["全部", "质量投诉", "服务投诉", "其他"])
    row = page.locator(f'#tickets tr[data-complaint="{late}"]')
    await expect(row).to_contain_text("质量投诉")
    await expect(row).to_contain_text("高")
    await expect(row).to_contain_text("已超时")
    await row.click()
    await expect(page.locator("#t-desc")).to_contain_text("客户诉求：退款")
    await expect(page.locator("#t-flags")).to_contain_text("超时：受理、解决")
    await page.select_option("#t-assignee", "a2")
    await page.click("#t-save-assign")
    await expect(page.locator("#t-history")).to_contain_text("已指派给 Bob Li")
    await page.select_option("#t-status", "acknowledged")
    await page.fill("#t-note", "已回电客户，已向账务部门申请退款。")
    await page.click("#t-save-status")
    await expect(page.locator("#t-history")).to_contain_text("状态改为已受理")
    await expect(page.locator("#t-status option").first).to_have_text("已受理（当前）")
    await shot(page, artifacts / "i18n-qa-complaints-desk.png")
    await _no_english(page, _names(web_rt.settings))
    no_js_errors(page)

    await page.goto(f"{server.url}/complaints/reports")
    await expect(page.locator("body")).to_have_attribute("data-reports", "ready")
    await expect(page.locator("h1")).to_have_text("投诉与回访")
    await expect(page.locator("#k-tickets")).to_have_text("3")
    await expect(page.locator("#in-time")).to_contain_text("服务投诉")
    await expect(page.locator("#rv-outcomes")).to_contain_text("拒绝回访")
    await shot(page, artifacts / "i18n-qa-complaint-reports.png")
    await _no_english(page, _names(web_rt.settings))
    no_js_errors(page)
