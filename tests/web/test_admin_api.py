"""The administration API (``/api/admin/...``) on SQLite and PostgreSQL: agents, queues and teams
changed by an admin, each change audited (who, when, the fields, before and after), refused input
a 4xx naming the field with nothing written, and every change reaching the running router without
a restart: the next call follows a queue's new escalation, an agent's new skill takes a waiting
call. The store stays authoritative: ``db seed`` keeps the edits, and a router started afterwards
(or after Redis lost its data) routes by them, not by the settings file."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from callcenter_testkit.webtools import Login, Server, agent_ready

from customers.audit import audit_rows
from kernel.runtime import Runtime
from kernel.settings import Settings
from queueing.routing import Routing
from queueing.service import Router, runtime_routing
from store.routing_config import load_routing_config
from store.seed import seed_from_settings
from web.keys import RUNTIME

DOMAIN = "default"  # web_settings: one routing domain

pytestmark = pytest.mark.timeout(60)

STEP = {"after": 0, "min_level": None, "overflow": [], "extra_skills": {"support": 5}}


@pytest.fixture
def web_db(db_url: str) -> str:
    """The application's store: SQLite and PostgreSQL."""
    return db_url


async def _ok(resp: aiohttp.ClientResponse, status: int = 200) -> Any:
    body = await resp.json()
    assert resp.status == status, body
    return body


async def _audit(server: Server, entity_id: str) -> list[dict[str, Any]]:
    async with server.app[RUNTIME].engine.connect() as conn:
        return await audit_rows(conn, entity_id=entity_id)


async def test_queue_escalation_edit_routes_the_next_call(
    server: Server, login: Login, router: Routing, phone: Any
) -> None:
    """Complaints needs the complaints skill: Bob (support 7) is not offered its call. An admin
    adds an escalation step (from 0 s, any agent with support 5); the next call goes to Bob."""
    await agent_ready(login, "bob")
    await phone.arrive("c1", "complaints", caller="+8613800000001")
    await phone.routed_state(router.keys(DOMAIN), "c1", "waiting")
    await phone.publish("call.abandoned", "c1", wait_s=3)
    await phone.routed_state(router.keys(DOMAIN), "c1", "ended")

    admin = await login("ada")
    body = await _ok(await admin.patch("/api/admin/queues/complaints", json={"escalation": [STEP]}))
    assert body == {"id": "complaints", "changed": {"escalation": [STEP]}}

    await phone.arrive("c2", "complaints", caller="+8613800000002")
    assert await phone.connected_agent("c2") == "a2"
    [row] = await _audit(server, "complaints")
    assert (row["actor"], row["role"], row["action"], row["entity"], row["fields"]) == (
        "ada", "admin", "queue.update", "queue", "escalation"
    )  # fmt: skip
    assert json.loads(row["reason"]) == {
        "before": {"escalation": []},
        "after": {"escalation": [STEP]},
    }
    assert row["at"] is not None

    listed = await _ok(await admin.get("/api/admin/queues"))
    [complaints] = [q for q in listed["queues"] if q["id"] == "complaints"]
    assert complaints["escalation"] == [STEP] and complaints["skills"] == {"complaints": 1}
    changes = (await _ok(await admin.get("/api/admin/changes/queue")))["changes"]
    assert [(c["entity_id"], c["fields"], c["after"]) for c in changes] == [
        ("complaints", ["escalation"], {"escalation": [STEP]})
    ]


async def test_agent_skill_edit_takes_a_waiting_call(
    server: Server, login: Login, router: Routing, phone: Any
) -> None:
    """Alice is ready but has no complaints skill: the call waits. Given complaints 2 (and a new
    team) on the page, she is indexed anew at once and takes it; the audit row says what changed."""
    await agent_ready(login, "alice")
    await phone.arrive("c3", "complaints", caller="+8613800000003")
    await phone.routed_state(router.keys(DOMAIN), "c3", "waiting")

    admin = await login("ada")
    skills = {"sales": 5, "support": 3, "complaints": 2}
    body = await _ok(
        await admin.patch("/api/admin/agents/a1", json={"skills": skills, "team": "north"})
    )
    assert body["changed"] == {"skills": dict(sorted(skills.items())), "team": "north"}
    assert await phone.connected_agent("c3") == "a1"

    [row] = await _audit(server, "a1")
    assert (row["action"], row["fields"]) == ("agent.update", "skills,team")
    assert json.loads(row["reason"]) == {
        "before": {"skills": {"sales": 5, "support": 3}, "team": None},
        "after": {"skills": {"complaints": 2, "sales": 5, "support": 3}, "team": "north"},
    }
    agents = (await _ok(await admin.get("/api/admin/agents")))["agents"]
    [alice] = [a for a in agents if a["agent_id"] == "a1"]
    assert alice["skills"] == skills and alice["team"] == "north" and alice["name"] == "Alice Wang"
    assert alice["phone"] == "device" and alice["endpoint"] == "PJSIP/a1"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"ring_timeout_s": 0, "strategy": "random"}, {"ring_timeout_s", "strategy"}),
        ({"escalation": [{"after": -1}, {"after": 5, "min_level": 11}]},
         {"escalation.0.after", "escalation.1.min_level"}),
        ({"skills": {"complaints": 11}}, {"skills"}),
        ({"skills": {"complaints": "high"}}, {"skills.complaints"}),
        ({"escalation": [{"after": 10, "overflow": ["nowhere"]}]}, {"escalation.0.overflow"}),
        ({"wrap_up": 10}, {"wrap_up"}),
        ({"sl_target_pct": 0, "name": "x" * 201}, {"sl_target_pct", "name"}),
    ],
)  # fmt: skip
async def test_bad_queue_settings_are_422_naming_the_field(
    server: Server, login: Login, body: dict[str, Any], fields: set[str]
) -> None:
    admin = await login("ada")
    resp = await admin.patch("/api/admin/queues/complaints", json=body)
    out = await resp.json()
    assert resp.status == 422, out
    assert {f["field"] for f in out["fields"]} == fields
    assert await _audit(server, "complaints") == []
    queues = (await _ok(await admin.get("/api/admin/queues")))["queues"]
    assert next(q for q in queues if q["id"] == "complaints")["ring_timeout_s"] == 15


async def test_refusals_name_what_was_wrong(server: Server, login: Login) -> None:
    admin = await login("ada")
    for method, path, body, status, field in [
        ("PATCH", "/api/admin/queues/nope", {"wrap_up_s": 5}, 404, "queue_id"),
        ("PATCH", "/api/admin/agents/nope", {"name": "N"}, 404, "agent_id"),
        ("POST", "/api/admin/agents", {"agent_id": "a1", "name": "Again"}, 409, "agent_id"),
        ("POST", "/api/admin/agents", {"agent_id": "a 9"}, 422, "agent_id"),
        ("PATCH", "/api/admin/agents/a2", {"skills": {"support": 0}}, 422, "skills"),
        ("PATCH", "/api/admin/agents/a2", {"phone": "webrtc"}, 422, "phone"),
        ("POST", "/api/admin/teams", {"name": "north", "agents": ["a1", "zz"]}, 422, "agents.1"),
        ("PUT", "/api/admin/teams/t1", {"name": "north", "agents": ["a1"]}, 404, "team"),
        ("PATCH", "/api/admin/agents/a2", {"endpoint": "PJSIP/1,30,G(x)"}, 422, "endpoint"),
        ("POST", "/api/admin/agents", {"agent_id": "a8", "endpoint": "1009"}, 422, "endpoint"),
        ("PUT", "/api/admin/teams/t1", {"name": "", "agents": []}, 422, "name"),
        ("POST", "/api/admin/teams", {"name": "a b", "agents": []}, 422, "name"),
        ("GET", "/api/admin/changes/users", None, 422, "kind"),
    ]:
        resp = await admin.request(method, path, json=body)
        out = await resp.json()
        assert (resp.status, out.get("field")) == (status, field), (path, body, out)
    assert await _audit(server, "a1") == [] and await _audit(server, "a2") == []

    sue = await login("sue")
    for method, path in [("GET", "/api/admin/agents"), ("PATCH", "/api/admin/queues/sales")]:
        resp = await sue.request(method, path, json={} if method != "GET" else None)
        assert resp.status == 403 and (await resp.json())["field"] == "role"


async def test_new_agent_and_team_are_audited(server: Server, login: Login) -> None:
    """An agent added on the page exists for ``user add``; a team gets its agents."""
    admin = await login("ada")
    new = {"agent_id": "a9", "name": "Du Fang", "skills": {"billing": 4}, "endpoint": "PJSIP/1009"}
    await _ok(await admin.post("/api/admin/agents", json=new), 201)
    await _ok(
        await admin.post(
            "/api/users",
            json={
                "username": "du",
                "password": "long enough pw",
                "role": "agent",
                "agent_id": "a9",
            },
        ),
        201,
    )
    body = await _ok(
        await admin.post("/api/admin/teams", json={"name": "north", "agents": ["a9", "a2"]}), 201
    )
    assert body["changed"] == {"agents": ["a2", "a9"]}
    again = await admin.post("/api/admin/teams", json={"name": "north", "agents": []})
    assert (again.status, (await again.json())["field"]) == (409, "name")
    teams = (await _ok(await admin.get("/api/admin/teams")))["teams"]
    assert {"team": "north", "agents": ["a2", "a9"]} in teams
    renamed = await _ok(  # a Chinese name (the demo's teams): its id, also in the URL
        await admin.put("/api/admin/teams/north", json={"name": "二组", "agents": ["a9"]})
    )
    assert renamed["changed"] == {"name": "二组", "agents": ["a9"]}
    same = await _ok(
        await admin.put("/api/admin/teams/二组", json={"name": "二组", "agents": ["a9"]})
    )
    assert same["changed"] == {}

    [added] = await _audit(server, "a9")
    assert added["action"] == "agent.add"
    assert json.loads(added["reason"])["after"]["skills"] == {"billing": 4}
    team_rows = await _audit(server, "north")
    assert [json.loads(r["reason"]) for r in team_rows] == [
        {"before": {"agents": []}, "after": {"agents": ["a2", "a9"]}},
        {"before": {"name": "north", "agents": ["a2", "a9"]}, "after": {"name": "二组", "agents": ["a9"]}},
    ]  # fmt: skip


async def test_the_store_stays_authoritative(
    server: Server, login: Login, web_rt: Runtime, settings: Settings
) -> None:
    """After an edit, ``db seed`` keeps it and a router that starts afresh (or whose Redis lost
    its data) writes the store's queue settings, not the file's."""
    admin = await login("ada")
    await _ok(await admin.patch("/api/admin/queues/sales", json={"ring_timeout_s": 40}))
    report = await seed_from_settings(web_rt.engine, settings)
    assert report.kept["queues"] == 3 and report.added["queues"] == 0
    loaded = await load_routing_config(web_rt.engine, settings)
    assert loaded is not None
    assert next(q for q in loaded.queues if q.id == "sales").ring_timeout_s == 40

    keys = runtime_routing(web_rt).keys(settings.routing.domain)
    await web_rt.redis.delete(keys.queue_config, web_rt.streams.config_version)  # data lost
    router = Router(runtime_routing(web_rt), block_ms=50)
    await router.routing.setup()
    sales = json.loads(await web_rt.redis.hget(keys.queue_config, "sales"))
    assert sales["ring"] == 40_000

    await _ok(await admin.patch("/api/admin/queues/sales", json={"wrap_up_s": 7}))
    assert await router.reload_config() is True
    assert json.loads(await web_rt.redis.hget(keys.queue_config, "sales"))["wrap"] == 7_000
    assert await router.reload_config() is False  # nothing new


async def test_a_reload_that_fails_part_way_is_tried_again(
    server: Server, login: Login, web_rt: Runtime, settings: Settings
) -> None:
    """The version counts as applied only after the queue settings are written and the agents
    indexed: Redis refusing the write (the key holds a string) leaves it to the next check."""
    from redis.exceptions import ResponseError

    router = Router(runtime_routing(web_rt), block_ms=50)
    await router.routing.setup()
    keys = router.routing.keys(settings.routing.domain)
    admin = await login("ada")
    await _ok(await admin.patch("/api/admin/queues/sales", json={"wrap_up_s": 9}))
    await web_rt.redis.delete(keys.queue_config)
    await web_rt.redis.set(keys.queue_config, "not a hash")  # the write fails part-way
    with pytest.raises(ResponseError):
        await router.reload_config()
    await web_rt.redis.delete(keys.queue_config)
    assert await router.reload_config() is True
    assert json.loads(await web_rt.redis.hget(keys.queue_config, "sales"))["wrap"] == 9_000


async def test_transfer_targets_are_the_stores(server: Server, login: Login) -> None:
    """An agent added on the admin page (in the store, not in the settings file) is a transfer
    target at once; an unknown one is still refused naming ``target``."""
    from web.keys import SERVICES

    admin = await login("ada")
    new = {"agent_id": "a9", "name": "Du Fang", "skills": {"billing": 4}}
    await _ok(await admin.post("/api/admin/agents", json=new), 201)
    alice = await agent_ready(login, "alice")
    routing = server.app[SERVICES].live_state.routing
    key = routing.keys(routing.agent_domain("a1")).agent("a1")
    await routing.client.hset(key, mapping={"call": "c9", "state": "on_call"})
    transfer = {"target_kind": "agent", "target": "a9"}
    await _ok(await alice.post("/api/calls/c9/transfer", json=transfer))
    unknown = {"target_kind": "agent", "target": "a77"}
    async with alice.post("/api/calls/c9/transfer", json=unknown) as r:
        assert r.status == 422 and (await r.json())["field"] == "target"


async def test_a_deactivated_agent_takes_no_more_calls(
    server: Server, login: Login, router: Routing, phone: Any
) -> None:
    """Alice is ready when an admin deactivates her: she is indexed anew with no skills, and the
    next sales call waits instead of ringing her."""
    await agent_ready(login, "alice")
    admin = await login("ada")
    await _ok(await admin.patch("/api/admin/agents/a1", json={"active": False}))
    from callcenter_testkit.queueing_helpers import eventually

    key = router.keys(DOMAIN).agent("a1")

    async def no_skills() -> bool:
        return bool(json.loads(await router.client.hget(key, "skills")) == {})

    await eventually(no_skills)  # the router's reload indexes her anew
    await phone.arrive("c5", "sales", caller="+8613800000005")
    await phone.routed_state(router.keys(DOMAIN), "c5", "waiting")


async def test_a_team_is_neither_merged_by_a_rename_nor_made_by_put(
    server: Server, login: Login
) -> None:
    admin = await login("ada")
    for name, agents in (("north", ["a1"]), ("south", ["a2"])):
        body = {"name": name, "agents": agents}
        await _ok(await admin.post("/api/admin/teams", json=body), 201)
    onto = {"name": "south", "agents": ["a1"]}
    async with admin.put("/api/admin/teams/north", json=onto) as r:
        assert (r.status, (await r.json())["field"]) == (409, "name")
    async with admin.put("/api/admin/teams/west", json={"name": "west", "agents": ["a1"]}) as r:
        assert (r.status, (await r.json())["field"]) == (404, "team")
    teams = {
        t["team"]: t["agents"] for t in (await _ok(await admin.get("/api/admin/teams")))["teams"]
    }
    assert teams == {"north": ["a1"], "south": ["a2"]}
