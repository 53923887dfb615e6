"""Router events of offers (``call.offered``, ``call.answered``, ``agent.rona``, ...) for the
answer rate (接通率, ``answer_rate_pct``) tests: November 2026, UTC.

a1: c1 answered; c2 rang out (RONA), then a2 answered it; c3's caller hung up while it rang;
    c4's phone could not be dialled; c5 answered; c6 an outbound call it answered (no offer);
    c0 offered and answered in October (outside). -> 2 answered of 3 that counted: 66.67 %.
a2: c2 answered -> 1 of 1: 100 %.       b1: no offer -> no answer rate.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kernel.events import DomainEvent

ANSWER_RATE = {"a1": 200 / 3, "a2": 100.0}


def offer_events() -> list[DomainEvent]:
    events: list[DomainEvent] = []

    def ev(kind: str, call_id: str, agent: str | None, at: datetime, **payload: object) -> None:
        n = len(events)
        events.append(DomainEvent(f"{call_id}:{kind}:{n}", at, kind, call_id, agent, payload))

    def arrive(call_id: str, at: datetime) -> None:
        ev(
            "call.arrived",
            call_id,
            None,
            at,
            direction="inbound",
            queue="support",
            caller="+8613800000001",
        )
        ev("call.queued", call_id, None, at, queue="support", priority=0)

    s = timedelta(seconds=1)

    def offer(call_id: str, agent: str, at: datetime, n: int = 1) -> None:
        ev("call.offered", call_id, agent, at, queue="support", offer=n)

    def answered(call_id: str, agent: str, at: datetime, talk_s: float) -> None:
        ev("call.answered", call_id, agent, at, agent_id=agent, queue="support")
        ev("call.ended", call_id, agent, at + talk_s * s, ended_by="caller")

    t = datetime(2026, 11, 2, 9, tzinfo=UTC)
    arrive("c1", t)
    offer("c1", "a1", t + 2 * s)
    answered("c1", "a1", t + 5 * s, 100)
    t += timedelta(hours=1)
    arrive("c2", t)
    offer("c2", "a1", t + 2 * s)
    ev("agent.rona", "c2", "a1", t + 17 * s, queue="support", offer=1)
    offer("c2", "a2", t + 18 * s, 2)
    answered("c2", "a2", t + 20 * s, 200)
    t += timedelta(hours=1)
    arrive("c3", t)
    offer("c3", "a1", t + 2 * s)
    ev("call.abandoned", "c3", None, t + 6 * s, queue="support", wait_s=6.0)
    t += timedelta(hours=1)
    arrive("c4", t)
    offer("c4", "a1", t + 2 * s)
    ev("call.connect_failed", "c4", "a1", t + 3 * s, dial_status="CHANUNAVAIL")
    ev("call.abandoned", "c4", None, t + 30 * s, queue="support", wait_s=30.0)
    t += timedelta(days=1)
    arrive("c5", t)
    offer("c5", "a1", t + 2 * s)
    answered("c5", "a1", t + 4 * s, 60)
    t += timedelta(hours=1)
    ev("call.originated", "c6", "a1", t, direction="outbound", dialled="+8613900000002")
    answered("c6", "a1", t + 9 * s, 90)
    old = datetime(2026, 10, 30, 9, tzinfo=UTC)
    arrive("c0", old)
    offer("c0", "a1", old + 2 * s)
    answered("c0", "a1", old + 4 * s, 30)
    return events
