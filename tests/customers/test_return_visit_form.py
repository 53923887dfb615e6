"""The return-visit form (客户回访记录表) in the agent's language: the Chinese and English forms
ask for the same answers (the ids ``outbound.tasks.form_answers`` keeps), and a return visit's
task card on the desk carries the form in the locale it is asked for (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from outbound.return_visit_form import FIELDS, LOCALES, return_visit_form
from outbound.tasks import form_answers


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_both_forms_ask_for_the_answers_the_task_keeps() -> None:
    kept = form_answers("reached", satisfied=True, score=5, comment="ok")
    assert kept is not None
    assert FIELDS == tuple(kept)
    for locale in LOCALES:
        assert tuple(q.field for q in return_visit_form(locale).questions) == FIELDS
    zh, en = return_visit_form("zh_CN"), return_visit_form("en")
    for text in (zh.title, zh.opening, zh.closing, *(q.text for q in zh.questions)):
        assert _is_chinese(text), text
    for text in (en.title, en.opening, en.closing, *(q.text for q in en.questions)):
        assert not _is_chinese(text), text


@pytest.mark.parametrize(
    ("locale", "title"),
    [("zh_CN", "客户回访记录表"), ("en", "Return-visit record"), ("fr", "Return-visit record")],
)
def test_the_locale_picks_the_form(locale: str, title: str) -> None:
    assert return_visit_form(locale).title == title


async def test_a_return_visits_card_carries_the_centres_form(engine) -> None:
    from customers.records import CustomerRecord
    from customers.records_store import save_customer
    from kernel.settings import load_settings
    from outbound.tasks import OutboundConfig
    from outbound.tasks_store import record_sale
    from web.agent.cards import task_card

    now = datetime.now(UTC)
    await save_customer(
        engine, CustomerRecord("cu-1", "李娜", ("+8613900001111",)), now=now, default_tz="UTC"
    )
    settings = load_settings({"CALLCENTER_CONFIG": "/dev/null"})
    task_id = await record_sale(
        engine,
        sale_id="S-1",
        customer_id="cu-1",
        sold_at=now - timedelta(hours=2),
        now=now,
        config=OutboundConfig.from_settings(settings),
    )
    call_id = f"ob-{task_id}-1"
    zh = await task_card(engine, call_id, locale="zh_CN")
    en = await task_card(engine, call_id, locale="en")
    assert zh is not None and zh.form is not None and en is not None and en.form is not None
    assert zh.form.title == "客户回访记录表" and en.form.title == "Return-visit record"
    assert [q.field for q in zh.form.questions] == [q.field for q in en.form.questions]
    assert zh.form.questions[0].text == "您对我们的产品和服务是否满意？"
