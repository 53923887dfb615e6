"""What the site exposes beyond the pages: ``/metrics`` and ``/healthz`` only to whom
``web.monitoring`` allows; ``Secure`` cookies when served over HTTPS (TLS here, or
``X-Forwarded-Proto`` from a trusted proxy); a Content-Security-Policy without
``'unsafe-eval'``."""

from __future__ import annotations

import aiohttp
import pytest
from callcenter_testkit.webtools import PASSWORD, web_settings

from kernel.settings import Settings
from web.ops.monitoring import is_local

TOKEN = "prometheus-scrape-token-0123"
FORWARDED = {"X-Forwarded-For": "203.0.113.9"}


@pytest.fixture
def settings(request: pytest.FixtureRequest, prefix: str) -> Settings:
    web = {"stats_every_ms": 200, **getattr(request, "param", {})}
    return web_settings(prefix, web=web)


async def _status(s: aiohttp.ClientSession, path: str, **headers: str) -> int:
    async with s.get(path, headers=headers) as r:
        if r.status in (401, 403):
            answer = await r.json()
            assert answer["field"] in ("address", "authorization"), answer
        return r.status


async def test_local_by_default(anon: aiohttp.ClientSession) -> None:
    for path in ("/metrics", "/healthz"):
        assert await _status(anon, path) == 200
        assert await _status(anon, path, **FORWARDED) == 403  # a proxy on this host forwarded it


@pytest.mark.parametrize(
    "settings", [{"monitoring": "token", "monitoring_token": TOKEN}], indirect=True
)
async def test_token(anon: aiohttp.ClientSession) -> None:
    for path in ("/metrics", "/healthz"):
        async with anon.get(path) as r:
            assert r.status == 401
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert await _status(anon, path, Authorization="Bearer wrong-token-000000000") == 401
        assert await _status(anon, path, Authorization=TOKEN) == 401  # no scheme
        assert await _status(anon, path, Authorization=f"Bearer {TOKEN}", **FORWARDED) == 200


@pytest.mark.parametrize("settings", [{"monitoring": "open"}], indirect=True)
async def test_open(anon: aiohttp.ClientSession) -> None:
    for path in ("/metrics", "/healthz"):
        assert await _status(anon, path, **FORWARDED) == 200


@pytest.mark.parametrize(
    ("remote", "headers", "local"),
    [
        ("127.0.0.1", {}, True),
        ("127.8.9.10", {}, True),
        ("::1", {}, True),
        ("10.0.0.5", {}, False),
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, False),
        ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}, False),
        (None, {}, False),
        ("not-an-address", {}, False),
    ],
)
def test_is_local(remote: str | None, headers: dict[str, str], local: bool) -> None:
    assert is_local(remote, headers) is local


async def _session_cookie(anon: aiohttp.ClientSession, **headers: str) -> str:
    """The sign-in's Set-Cookie of the session (the login CSRF cookie is sent back by hand: a
    Secure cookie is not returned over plain HTTP by the client, as by a browser)."""
    async with anon.get("/api/session", headers=headers) as r:
        token = (await r.json())["csrf_token"]
        login_cookie = next(c for c in r.headers.getall("Set-Cookie") if "cc_login_csrf" in c)
    h = {"X-CSRF-Token": token, "Cookie": f"cc_login_csrf={token}", **headers}
    async with anon.post(
        "/api/session", json={"username": "alice", "password": PASSWORD}, headers=h
    ) as r:
        assert r.status == 200
        session = next(c for c in r.headers.getall("Set-Cookie") if c.startswith("cc_session="))
    assert ("Secure" in login_cookie) == ("Secure" in session)
    return session


HTTPS = {"X-Forwarded-Proto": "https"}


async def test_forwarded_https_from_a_stranger_is_not_believed(
    anon: aiohttp.ClientSession,
) -> None:
    assert "Secure" not in await _session_cookie(anon, **HTTPS)


@pytest.mark.parametrize("settings", [{"trusted_proxies": ["127.0.0.0/8"]}], indirect=True)
async def test_https_through_a_trusted_proxy_sets_secure(anon: aiohttp.ClientSession) -> None:
    assert "Secure" in await _session_cookie(anon, **HTTPS)
    assert "Secure" not in await _session_cookie(anon, **{"X-Forwarded-Proto": "http"})


@pytest.mark.parametrize("settings", [{"secure_cookies": True}], indirect=True)
async def test_secure_cookies_setting_wins(anon: aiohttp.ClientSession) -> None:
    assert "Secure" in await _session_cookie(anon)


async def test_csp_allows_no_eval(anon: aiohttp.ClientSession) -> None:
    async with anon.get("/login") as r:
        csp = r.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]
