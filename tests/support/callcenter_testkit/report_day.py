"""A known day of events (centre time zone Asia/Shanghai, +08:00) whose report figures are
computed by hand in the tests: short abandons, a transfer, a RONA, a hold, a callback asked in
line, a call spanning two intervals, a telephony gap, agents' states with not-ready reasons,
post-call survey scores (c1 5, c2 2, c5 4; s1's caller hung up in the survey: no score)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from kernel.events import DomainEvent

TZ = "Asia/Shanghai"


@dataclass
class Q:
    """A queue's settings that change its figures (as ``QueueConfig`` has them)."""

    id: str
    sl_target_s: int
    short_abandon_s: int
    abandon_counts_against_sl: bool


QUEUES = [Q("sales", 20, 5, True), Q("support", 30, 10, False)]
DAY = date(2026, 12, 7)
LOCAL = ZoneInfo(TZ)


def at(hhmmss: str, day: date = DAY) -> datetime:
    h, m, s = (int(x) for x in hhmmss.split(":"))
    return datetime(day.year, day.month, day.day, h, m, s, tzinfo=LOCAL)


class Events:
    def __init__(self) -> None:
        self.out: list[DomainEvent] = []

    def add(
        self,
        when: datetime,
        type_: str,
        call_id: str | None = None,
        agent_id: str | None = None,
        **payload: object,
    ) -> None:
        event_id = f"{call_id or agent_id}:{type_}:{len(self.out)}"
        self.out.append(
            DomainEvent(event_id, when.astimezone(UTC), type_, call_id, agent_id, payload)
        )

    def arrive(self, cid: str, when: str, queue: str) -> None:
        self.add(at(when), "call.arrived", cid, direction="inbound", queue=queue)

    def answer(self, cid: str, when: str, agent: str) -> None:
        self.add(at(when), "call.answered", cid, agent)

    def end(self, cid: str, when: str, agent: str) -> None:
        self.add(at(when), "call.ended", cid, agent, ended_by="agent")

    def wrap(self, cid: str, when: str, agent: str, disposition: str, **p: object) -> None:
        self.add(at(when), "call.wrapped", cid, agent, disposition=disposition, **p)

    def survey(self, cid: str, when: str, agent: str, score: int | None, reason: str) -> None:
        self.add(at(when), "call.surveyed", cid, agent, score=score, reason=reason)

    def abandon(self, cid: str, when: str, wait_s: float) -> None:
        self.add(at(when), "call.abandoned", cid, wait_s=wait_s)

    def state(self, agent: str, when: datetime, state: str, reason: str | None = None) -> None:
        if state == "logged_out":
            self.add(when, "agent.logged_out", None, agent)
        else:
            self.add(when, "agent.state", None, agent, state=state, reason=reason)


def known_day() -> list[DomainEvent]:
    e = Events()
    # sales (SL 20 s, short abandons under 5 s, abandons count against SL), 09:00-09:15 local
    e.arrive("c1", "09:00:00", "sales")  # wait 10 (in SL); hold 30; talk 160; wrap 20
    e.answer("c1", "09:00:10", "1001")
    e.add(at("09:01:00"), "call.held", "c1", "1001")
    e.add(at("09:01:30"), "call.resumed", "c1", "1001")
    e.end("c1", "09:03:10", "1001")
    e.wrap("c1", "09:03:30", "1001", "resolved")
    e.survey("c1", "09:03:20", "1001", 5, "answered")
    e.arrive("c2", "09:01:00", "sales")  # a RONA, wait 30 (late), transferred, talk 300
    e.add(at("09:01:15"), "agent.rona", "c2", "1001", queue="sales", offer=1)
    e.answer("c2", "09:01:30", "1002")
    e.add(at("09:02:00"), "call.transferred", "c2", "1002", to="1003")
    e.end("c2", "09:06:30", "1002")
    e.wrap("c2", "09:06:40", "1002", "complaint", wrap_s=0)
    e.survey("c2", "09:06:38", "1002", 2, "answered")
    e.arrive("c3", "09:02:00", "sales")
    e.abandon("c3", "09:02:03", 3)  # short
    e.arrive("c4", "09:05:00", "sales")
    e.abandon("c4", "09:05:40", 40)
    e.arrive("c5", "09:14:50", "sales")  # arrives in 09:00, answered in 09:15: wait 15, talk 300
    e.answer("c5", "09:15:05", "1002")
    e.end("c5", "09:20:05", "1002")
    e.wrap("c5", "09:20:15", "1002", "resolved")
    e.survey("c5", "09:20:12", "1002", 4, "answered")
    e.arrive("c6", "09:10:00", "sales")  # asks to be called back, then hangs up
    e.add(at("09:10:30"), "outbound.scheduled", "c6", kind="callback_in_queue")
    e.abandon("c6", "09:10:31", 31)
    # support (SL 30 s, short under 10 s, abandons do not count against SL), 09:15-09:30
    e.arrive("s1", "09:16:00", "support")
    e.answer("s1", "09:16:25", "1002")
    e.end("s1", "09:18:25", "1002")
    e.survey("s1", "09:18:29", "1002", None, "hung_up")
    e.arrive("s2", "09:17:00", "support")
    e.abandon("s2", "09:17:20", 20)
    # the bridge heard nothing from 10:05 to 10:20
    e.out.append(
        DomainEvent(
            "gap:1",
            at("10:20:00").astimezone(UTC),
            "telephony.gap",
            payload={
                "source": "pbx",
                "from_at": at("10:05:00").isoformat(),
                "to_at": at("10:20:00").isoformat(),
            },
        )
    )
    # agents: 1001 from 08:00 to 10:00; 1002 ready from 23:00 and still ready at midnight
    e.state("1001", at("08:00:00"), "not_ready", "lunch")
    e.state("1001", at("08:30:00"), "ready")
    e.state("1001", at("09:00:10"), "on_call")
    e.state("1001", at("09:03:10"), "wrap_up")
    e.state("1001", at("09:03:30"), "ready")
    e.state("1001", at("09:30:00"), "not_ready", "break")
    e.state("1001", at("10:00:00"), "logged_out")
    e.state("1002", at("23:00:00"), "ready")
    e.state("1003", at("23:00:00", DAY - timedelta(days=1)), "not_ready", "meeting")
    e.state("1003", at("00:30:00"), "logged_out")
    return e.out
