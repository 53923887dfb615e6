"""``routed_calls``: what the router holds live, as the bridge's reconcile reads it; and the
router freeing agents when the reconcile's ``call.ended`` / ``call.abandoned`` come in."""

from __future__ import annotations

from typing import Any

from callcenter_testkit.queueing_helpers import Clock, make_settings, routing_for

from queueing.live_calls import RoutedCall, routed_calls

QUEUES = [{"id": "sales", "skills": {"sales": 1}, "ring_timeout_s": 60, "wrap_up_s": 5}]


def op(name: str, call: str, at_ms: int, **kw: Any) -> dict[str, Any]:
    return {"op": name, "call": call, "ts": at_ms, **kw}


async def test_routed_calls_and_their_end(redis: Any, prefix: str, clock: Clock) -> None:
    routing, actions = routing_for(redis, make_settings(prefix, QUEUES), clock)
    await routing.setup()
    await actions.login("a1", {"sales": 1}, ready=True)
    await actions.login("a2", {"sales": 1}, ready=True)
    t = clock.ms - 100  # arrivals in the past (a future one is clamped to now)
    arrive = [
        op("arrive", c, t + i, queue="sales", prio=0, tier="ordinary")
        for i, c in enumerate(["talking", "offered", "waiting", "callback"])
    ]
    await routing.run("default", "events", arrive)  # a1 gets "talking", a2 "offered"
    await routing.run("default", "events", [op("answer", "talking", t + 10, agent="a1")])
    await actions.request_callback("callback", "+8613800000000")
    got = {c.call_id: c for c in await routed_calls(routing)}
    assert got == {
        "talking": RoutedCall("talking", "connected", "sales", "a1", t),
        "offered": RoutedCall("offered", "offered", "sales", "a2", t + 1),
        "waiting": RoutedCall("waiting", "waiting", "sales", None, t + 2),
    }  # the callback waits without a channel by design: not the reconcile's

    # what the reconcile publishes for calls Asterisk no longer has
    await routing.run(
        "default",
        "events",
        [
            op("gone", "talking", t + 20, kind="ended"),
            op("gone", "offered", t + 20, kind="abandoned"),
            op("gone", "waiting", t + 20, kind="abandoned"),
        ],
    )
    # a1 wraps up; a2, freed, is offered the callback (its dial is the router's to time out)
    states = {a: (await actions.state(a)) for a in ("a1", "a2")}
    assert states["a1"]["state"] == "wrap_up"
    assert (states["a2"]["state"], states["a2"]["call"]) == ("offered", "callback-cb")
    assert await routed_calls(routing) == []
