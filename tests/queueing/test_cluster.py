"""The router on a real 3-node Redis Cluster: three routing domains on three nodes, two routers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from callcenter_testkit.cluster import redis_cluster
from callcenter_testkit.queueing_helpers import (
    emit,
    eventually,
    make_settings,
    read_stream,
    routing_for,
    running,
)
from redis.asyncio.cluster import RedisCluster

from kernel.commands import Command
from kernel.keys import DomainKeys, StreamNames
from queueing.routing import Routing
from queueing.service import Router


@pytest.fixture(scope="module")
def cluster_ports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[int]]:
    with redis_cluster(tmp_path_factory.mktemp("cluster")) as ports:
        yield ports


def _domains_on_distinct_nodes(client: RedisCluster, prefix: str) -> list[str]:
    """Pick three domain names whose hash tags land on three different nodes."""
    chosen: dict[str, str] = {}
    for i in range(200):
        name = f"d{i}"
        node = client.get_node_from_key(DomainKeys(prefix, name).timers).name
        chosen.setdefault(node, name)
        if len(chosen) == 3:
            return sorted(chosen.values())
    raise AssertionError("could not spread domains")


async def test_router_on_a_redis_cluster(cluster_ports: list[int]) -> None:
    prefix = "cl"
    clients = [
        RedisCluster(host="127.0.0.1", port=cluster_ports[i % 3], decode_responses=True)
        for i in range(3)
    ]
    try:
        await clients[0].initialize()
        domains = _domains_on_distinct_nodes(clients[0], prefix)
        queues = [
            {
                "id": f"q{i}",
                "domain": d,
                "skills": {f"s{i}": 2},
                "wrap_up_s": 0,
                "ring_timeout_s": 30,
                "escalation": [{"after": 0}, {"after": 5, "min_level": 1}],
            }
            for i, d in enumerate(domains)
        ]
        agent_domains = {f"a{i}{j}": d for i, d in enumerate(domains) for j in range(2)}
        s = make_settings(
            prefix,
            queues,
            domain=domains[0],
            agent_domains=agent_domains,
            tick_ms=20,
            publish_in_script=True,  # asked for, but the streams are not in the domains' slots
        )
        routing, actions = routing_for(clients[2], s, time.time)
        assert routing.domains == domains
        assert not routing.publish_in_script  # so the outbox it is
        await routing.setup()
        for agent_id, domain in agent_domains.items():
            await actions.login(agent_id, {f"s{domains.index(domain)}": 3}, ready=True)
        routers = [Router(Routing(c, s), block_ms=20) for c in clients[:2]]
        streams = StreamNames(prefix)
        async with running(*routers):
            for n in range(12):
                await emit(
                    clients[2],
                    prefix,
                    "call.arrived",
                    call_id=f"c{n}",
                    at=time.time(),
                    payload={"direction": "inbound", "queue": f"q{n % 3}"},
                )

            async def offered() -> bool:
                return len(await read_stream(clients[2], streams.commands)) >= 6

            await eventually(offered)
            connects = [
                Command.from_fields(f) for f in await read_stream(clients[2], streams.commands)
            ]
            for cmd in connects:  # answer and hang up: the agents take the waiting calls
                await emit(
                    clients[2],
                    prefix,
                    "call.answered",
                    call_id=cmd.args["call_id"],
                    agent_id=cmd.args["agent_id"],
                    at=time.time(),
                )
                await emit(
                    clients[2], prefix, "call.ended", call_id=cmd.args["call_id"], at=time.time()
                )

            async def all_offered() -> bool:
                return len(await read_stream(clients[2], streams.commands)) >= 12

            await eventually(all_offered)
        connects = [Command.from_fields(f) for f in await read_stream(clients[2], streams.commands)]
        assert sorted(c.args["call_id"] for c in connects) == sorted(f"c{n}" for n in range(12))
        for cmd in connects:  # each call went to an agent of its own queue's domain
            n = int(cmd.args["call_id"][1:])
            assert agent_domains[cmd.args["agent_id"]] == domains[n % 3]
        nodes = {clients[0].get_node_from_key(DomainKeys(prefix, d).timers).name for d in domains}
        assert len(nodes) == 3
        stats = {q.queue_id: q for q in await routing.read_stats()}
        assert all(stats[f"q{i}"].day.offered == 4 for i in range(3))  # type: ignore[union-attr]
    finally:
        for c in clients:
            await c.aclose()
