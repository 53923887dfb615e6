"""The screen pop's customer card: last calls without the call on screen, open complaints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter_testkit.webtools import handled_call

from customers.masking import Viewer
from customers.records import CustomerRecord
from customers.records_store import save_customer
from kernel.runtime import Runtime
from store.models.core import Call
from web.agent.cards import customer_card


async def test_card_lists_earlier_calls_not_the_one_on_screen(web_rt: Runtime) -> None:
    now = datetime.now(UTC)
    record = CustomerRecord("c-1", "Wang Hua", ("+8613800000012",), tier="key_account")
    await save_customer(web_rt.engine, record, now=now, default_tz="UTC")
    async with web_rt.engine.begin() as conn:
        await conn.execute(
            Call.__table__.insert(),
            [
                handled_call("old-1", "a2", now - timedelta(days=3), customer_id="c-1"),
                handled_call("old-2", "a1", now - timedelta(days=1), customer_id="c-1"),
                handled_call("now-1", "a1", now - timedelta(seconds=30), customer_id="c-1"),
            ],
        )
    card = await customer_card(
        web_rt.engine,
        "c-1",
        None,
        "+8613800000012",
        viewer=Viewer(user_id="alice", role="agent", agent_id="a1"),
        reason="screen pop of call now-1",
        now=now,
        call_id="now-1",
    )
    assert (card.name, card.tier) == ("Wang Hua", "key_account")
    assert card.phone_masked is not None and "*" in card.phone_masked  # an agent sees it masked
    assert [c.call_id for c in card.last_calls] == ["old-2", "old-1"]


async def test_queue_callback_card_says_where_the_caller_waited(web_rt: Runtime) -> None:
    from outbound.tasks import OutboundConfig
    from outbound.tasks_store import mirror_queue_callback
    from web.agent.cards import task_card

    now = datetime.now(UTC)
    async with web_rt.engine.begin() as conn:
        await mirror_queue_callback(
            conn,
            call_id="in-7",
            dial_call_id="in-7-cb",
            number="+8613800000007",
            queue_id="support",
            requested_at=now,
            config=OutboundConfig.from_settings(web_rt.settings),
        )
    names = {q.id: q.name for q in web_rt.settings.queues}
    card = await task_card(web_rt.engine, "in-7-cb", names)  # the agent's call is the dial
    assert card is not None and card.kind == "callback"
    assert card.reason == "Asked to be called back while waiting in Technical support"
    # without the settings' names the queue id says it
    plain = await task_card(web_rt.engine, "in-7-cb")
    assert plain is not None
    assert plain.reason == "Asked to be called back while waiting in support"
    # worded in the agent's language (web/agent/task_reasons.py)
    chinese = await task_card(web_rt.engine, "in-7-cb", names, locale="zh_CN")
    assert chinese is not None and chinese.reason == "客户在Technical support排队时要求回拨"
