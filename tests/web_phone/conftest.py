"""Fixtures of the browser phone tests: the test kit's web fixtures (a real Redis, a migrated
SQLite file, the application on a loopback port), with agents whose phone is the browser phone
and ``[webrtc]`` pointing at a Kamailio started for the test (``callcenter_testkit.kamailio``); Chromium with a fake microphone; and the "customer" page, served from
another origin, which calls the agent with the same phone module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from callcenter_testkit.kamailio import Kamailio, available
from callcenter_testkit.phone_setup import DOMAIN, MEDIA_FLAGS, SECRET, phone_settings
from callcenter_testkit.webtools import Server
from playwright.async_api import Browser, async_playwright

from kernel.settings import Settings
from web.phone.credentials import sip_password

CHROMIUM = Path("/usr/bin/chromium")
STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
HERE = Path(__file__).resolve().parent
BASE_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def kamailio(tmp_path: Path) -> Iterator[Kamailio]:
    """Kamailio knowing a1's password (derived from SECRET) and another one for a2, whose
    registration it therefore refuses."""
    if not available():
        pytest.skip(
            "Debian's kamailio is missing (apt-get install kamailio kamailio-websocket-modules)"
        )
    users = {"a1": sip_password(SECRET, "a1"), "a2": sip_password("another-secret-0123456", "a2")}
    k = Kamailio(tmp_path, users, DOMAIN)
    k.start()
    try:
        yield k
    finally:
        k.stop()


@pytest.fixture
def settings(prefix: str, kamailio: Kamailio) -> Settings:
    return phone_settings(prefix, kamailio.ws_url)


@pytest.fixture
async def customer_site() -> AsyncIterator[str]:
    """The customer's page on an origin of its own, with the same static files as the desk."""

    async def page(_: web.Request) -> web.FileResponse:
        return web.FileResponse(HERE / "customer.html")

    app = web.Application()
    app.router.add_get("/customer.html", page)
    app.router.add_static("/static/", STATIC)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "localhost", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://localhost:{port}"
    finally:
        await runner.cleanup()


def _chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return str(CHROMIUM)


@pytest.fixture
async def browser(server: Server) -> AsyncIterator[Browser]:
    """Chromium with a fake microphone (a beeping tone) that every page may use; closed before
    the server stops (an open page's live feed would hold the server's shutdown)."""
    async with async_playwright() as pw:
        b = await pw.chromium.launch(
            executable_path=_chromium(),
            args=[*BASE_FLAGS, *MEDIA_FLAGS, "--use-fake-ui-for-media-stream"],
        )
        try:
            yield b
        finally:
            await b.close()


@pytest.fixture
async def strict_browser(server: Server) -> AsyncIterator[Browser]:
    """Chromium without the flag that accepts every permission prompt: the microphone is
    refused unless a context grants it."""
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=_chromium(), args=[*BASE_FLAGS, *MEDIA_FLAGS])
        try:
            yield b
        finally:
            await b.close()
