"""API errors in the reader's language: a zh_CN user (``web_users.locale``, stored through the
language switch and read back by a new session) and an ``Accept-Language: zh-CN`` request each
get a Chinese ``message`` while ``field`` stays the same English machine name, for a pydantic
422, an ``invalid()`` 422 raised by a handler and the features' own errors (an agent state
conflict, a complaint's transition); in English the messages stay English. On SQLite and
PostgreSQL: the user's choice lives in the store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from callcenter_testkit.webtools import Login, Server

from complaints.lifecycle import ComplaintConfig
from complaints.tickets import open_complaint
from web.keys import RUNTIME

ZH_HEADER = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN_HEADER = {"Accept-Language": "en"}

# how the reader says which language they read: their stored choice, or the browser's header
Reader = Callable[[Login, str], Awaitable[tuple[aiohttp.ClientSession, dict[str, str]]]]


@pytest.fixture
def web_db(db_url: str) -> str:
    return db_url


async def _chose_chinese(login: Login, user: str) -> tuple[aiohttp.ClientSession, dict[str, str]]:
    first = await login(user)
    async with first.post("/locale", data={"locale": "zh_CN", "next": "/"}) as r:
        assert r.status == 200
    return await login(user), EN_HEADER  # a new session reads web_users.locale; it beats the header


async def _browser_chinese(login: Login, user: str) -> tuple[aiohttp.ClientSession, dict[str, str]]:
    return await login(user), ZH_HEADER


async def _english(login: Login, user: str) -> tuple[aiohttp.ClientSession, dict[str, str]]:
    return await login(user), EN_HEADER


CHINESE = pytest.mark.parametrize(
    "reader", [_chose_chinese, _browser_chinese], ids=["user", "header"]
)


async def _error(
    s: aiohttp.ClientSession,
    method: str,
    path: str,
    status: int,
    headers: dict[str, str],
    **kw: Any,
) -> dict[str, Any]:
    async with s.request(method, path, headers=headers, **kw) as r:
        body = await r.json()
        assert r.status == status, body
        return body  # type: ignore[no-any-return]


async def _agent_conflict(login: Login, reader: Reader) -> dict[str, Any]:
    """An agent who is not logged in asks to go ready: the router's AgentStateError, 409."""
    s, headers = await reader(login, "alice")
    return await _error(s, "POST", "/api/agent/ready", 409, headers)


async def _complaint_transition(login: Login, server: Server, reader: Reader) -> dict[str, Any]:
    """A new complaint cannot be closed straight away: the lifecycle's TransitionError, 409."""
    rt = server.app[RUNTIME]
    complaint_id = await open_complaint(
        rt.engine,
        category="service",
        severity="medium",
        description="charged twice",
        now=datetime.now(UTC),
        config=ComplaintConfig.from_settings(rt.settings),
    )
    s, headers = await reader(login, "sue")
    path = f"/api/complaints/tickets/{complaint_id}/status"
    return await _error(s, "POST", path, 409, headers, json={"status": "closed"})


@CHINESE
async def test_pydantic_422_in_chinese(login: Login, reader: Reader) -> None:
    s, headers = await reader(login, "alice")
    body = await _error(s, "POST", "/api/agent/not-ready", 422, headers, json={})
    assert (body["field"], body["message"]) == ("reason", "此项必填")
    assert body["fields"] == [{"field": "reason", "in": "body", "message": "此项必填"}]


@CHINESE
async def test_handlers_invalid_422_in_chinese(login: Login, reader: Reader) -> None:
    s, headers = await reader(login, "sue")
    body = await _error(s, "GET", "/api/wallboard/day", 422, headers, params={"queue": "nope"})
    assert (body["field"], body["message"]) == ("queue", "没有这个队列")
    assert body["fields"] == [{"field": "queue", "in": "query", "message": "没有这个队列"}]


@CHINESE
async def test_agent_state_conflict_in_chinese(login: Login, reader: Reader) -> None:
    body = await _agent_conflict(login, reader)
    assert (body["error"], body["field"]) == ("conflict", "state")
    assert body["message"] == "当前状态为 logged_out，不能执行 ready"


@CHINESE
async def test_complaint_transition_in_chinese(
    login: Login, server: Server, reader: Reader
) -> None:
    body = await _complaint_transition(login, server, reader)
    assert (body["error"], body["field"]) == ("conflict", "status")
    assert body["message"].startswith("投诉 CMP-") and "不能从 open 变为 closed" in body["message"]


async def test_english_stays_english(login: Login, server: Server) -> None:
    s, headers = await _english(login, "alice")
    body = await _error(s, "POST", "/api/agent/not-ready", 422, headers, json={})
    assert (body["field"], body["message"]) == ("reason", "Field required")
    sue, _ = await _english(login, "sue")
    body = await _error(sue, "GET", "/api/wallboard/day", 422, headers, params={"queue": "nope"})
    assert (body["field"], body["message"]) == ("queue", "no such queue")
    body = await _agent_conflict(login, _english)
    assert (body["field"], body["message"]) == ("state", "ready not allowed while logged_out")
    body = await _complaint_transition(login, server, _english)
    assert body["field"] == "status"
    assert "cannot go from open to closed (allowed: acknowledged" in body["message"]


async def test_the_sign_in_limit_in_chinese(anon: aiohttp.ClientSession) -> None:
    """The rate limit's message (429) names its field and reads in the visitor's language."""
    answers = []
    for _ in range(4):
        async with anon.get("/api/session") as r:
            token = (await r.json())["csrf_token"]
        form = {"username": "bob", "password": "wrong-password"}
        async with anon.post(
            "/api/session", json=form, headers={"X-CSRF-Token": token, **ZH_HEADER}
        ) as r:
            answers.append((r.status, await r.json()))
    assert [status for status, _ in answers] == [401, 401, 401, 429]
    assert (answers[0][1]["field"], answers[0][1]["message"]) == ("password", "用户名或密码错误")
    locked = answers[3][1]
    assert locked["field"] == "username"
    assert locked["message"].startswith("该用户名从此地址登录失败次数过多；请 ")
    assert locked["message"].endswith(" 秒后再试，或请管理员解锁")
