"""Languages over HTTP: a 422's message follows the user's language or ``Accept-Language``
while ``field`` stays the machine name; the language switch stores a signed-in user's choice
(and an anonymous visitor's in a cookie); the centre's ``locale`` is the fallback."""

from __future__ import annotations

import aiohttp
from callcenter_testkit.webtools import Login, Server

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


async def _agent(login: Login) -> aiohttp.ClientSession:
    s = await login("alice")
    async with s.post("/api/agent/login") as r:
        assert r.status == 200
    return s


async def _not_ready_error(s: aiohttp.ClientSession, **kwargs: object) -> dict[str, object]:
    async with s.post("/api/agent/not-ready", json={}, **kwargs) as r:  # type: ignore[arg-type]
        assert r.status == 422
        return await r.json()  # type: ignore[no-any-return]


async def test_validation_error_in_accept_language(login: Login) -> None:
    s = await _agent(login)
    english = await _not_ready_error(s)
    chinese = await _not_ready_error(s, headers=ZH)
    assert english["field"] == chinese["field"] == "reason"
    assert english["message"] == "Field required"
    assert chinese["message"] == "此项必填"
    assert chinese["fields"] == [{"field": "reason", "in": "body", "message": "此项必填"}]


async def test_validation_error_placeholders_translated(login: Login) -> None:
    s = await login("sue")
    async with s.get("/api/wallboard/agents", params={"size": "9999"}, headers=ZH) as r:
        assert r.status == 422
        body = await r.json()
    assert body["field"] == "size"
    assert body["message"].startswith("应小于或等于 ")


async def test_the_users_own_choice_wins(login: Login) -> None:
    s = await _agent(login)
    async with s.post("/locale", data={"locale": "zh_CN", "next": "/agent"}) as r:
        assert r.status == 200 and r.url.path == "/agent"
        assert '<html lang="zh-CN"' in await r.text()
    body = await _not_ready_error(s, headers={"Accept-Language": "en"})
    assert (body["field"], body["message"]) == ("reason", "此项必填")
    again = await login("alice")  # a new session reads the stored choice
    async with again.get("/agent/shifts") as r:
        page = await r.text()
    assert "我的班次" in page and "退出登录" in page
    async with s.post("/locale", data={"locale": "xx"}) as r:
        assert r.status == 422  # a form: the error page
        assert "必须是以下之一：en, zh_CN" in await r.text()  # the error page in her language


async def test_sign_in_page_languages(server: Server) -> None:
    async with aiohttp.ClientSession(
        base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as s:
        async with s.get("/login") as r:  # the centre's default (en in the tests' settings)
            assert "<h1>Sign in</h1>" in await r.text()
        async with s.get("/login", headers=ZH) as r:
            page = await r.text()
        assert "<h1>登录</h1>" in page and "用户名" in page and 'lang="zh-CN"' in page
        async with s.post("/locale", data={"locale": "zh_CN", "next": "/login"}) as r:
            assert "<h1>登录</h1>" in await r.text()  # the cookie, no header needed
