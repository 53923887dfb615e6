"""The browser phone's server side: the credentials endpoint (the signed-in agent's own, never
cached), the desk page (the phone panel for browser-phone agents, the PBX's origin in the
Content-Security-Policy, no password in the source), the page without a PBX, and
``callcenter phone pjsip``. Passwords and TURN credentials are checked against openssl's HMAC.
"""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from callcenter_testkit.phone_setup import DOMAIN, SECRET, agents, phone_settings
from callcenter_testkit.webtools import Login, web_settings
from click.testing import CliRunner

from config.cli import cli
from kernel.settings import Settings
from web.phone.credentials import phone_setup, sip_password, turn_credential

WS_URL = "wss://pbx.example:8089/ws"
TURN_SECRET = "coturn-static-auth-secret"
ICE = [
    {"urls": ["stun:stun.example:3478"]},
    {"urls": ["turn:turn.example:3478?transport=udp"], "auth_secret": TURN_SECRET},
    {"urls": ["turns:turn.example:5349"], "username": "desk", "credential": "fixed-turn-pass"},
]


def openssl_hmac(digest: str, key: str, message: str) -> bytes:
    """HMAC computed by openssl, independently of the code under test."""
    out = subprocess.run(
        ["openssl", "dgst", f"-{digest}", "-hmac", key, "-binary"],
        input=message.encode(),
        capture_output=True,
        check=True,
    )
    return out.stdout


@pytest.fixture
def settings(request: pytest.FixtureRequest, prefix: str) -> Settings:
    """A PBX at WS_URL unless the test asks for none (``indirect`` parameter ``"no_pbx"``)."""
    if getattr(request, "param", None) == "no_pbx":
        return phone_settings(prefix, None)
    return phone_settings(prefix, WS_URL, ice_servers=ICE)


async def test_the_agent_gets_its_own_credentials_never_cached(login: Login) -> None:
    s = await login("alice")
    async with s.get("/api/agent/phone") as r:
        assert r.status == 200, await r.text()
        assert r.headers["Cache-Control"] == "no-store"
        body = await r.json()
    expected = base64.urlsafe_b64encode(openssl_hmac("sha256", SECRET, "sip-password:a1"))
    assert body["password"] == expected.decode()[:32]
    assert body["sip_uri"] == f"sip:a1@{DOMAIN}" and body["sip_user"] == "a1"
    assert body["ws_url"] == WS_URL and body["display_name"] == "Alice Wang"
    assert body["codecs"] == ["PCMU", "PCMA"] and body["dtmf"] == "info"
    stun, turn, fixed = body["ice_servers"]
    assert stun == {"urls": ["stun:stun.example:3478"], "username": None, "credential": None}
    expiry, user = turn["username"].split(":")
    assert user == "a1" and int(expiry) > 0
    credential = base64.b64encode(openssl_hmac("sha1", TURN_SECRET, turn["username"])).decode()
    assert turn["credential"] == credential
    assert fixed["username"] == "desk" and fixed["credential"] == "fixed-turn-pass"


async def test_another_agent_gets_other_credentials(login: Login) -> None:
    alice, bob = await login("alice"), await login("bob")
    async with alice.get("/api/agent/phone") as r1, bob.get("/api/agent/phone") as r2:
        a, b = await r1.json(), await r2.json()
    assert b["sip_user"] == "a2" and b["password"] != a["password"]


async def test_only_agents_signed_in_get_credentials(login: Login, anon) -> None:
    async with anon.get("/api/agent/phone") as r:
        assert r.status == 401
    sue = await login("sue")
    async with sue.get("/api/agent/phone") as r:
        assert r.status == 403 and (await r.json())["field"] == "role"


@pytest.mark.parametrize("settings", ["no_pbx"], indirect=True)
async def test_without_a_pbx_the_desk_says_a_real_one_is_needed(login: Login) -> None:
    s = await login("alice")
    async with s.get("/api/agent/phone") as r:
        assert r.status == 409
        body = await r.json()
    assert body["field"] == "webrtc.ws_url" and "needs a real PBX" in body["message"]
    async with s.get("/agent") as r:
        html = await r.text()
        csp = r.headers["Content-Security-Policy"]
    assert 'data-configured="no"' in html and "The browser phone needs a real PBX" in html
    assert "connect-src 'self';" in csp


async def test_the_desk_page_has_the_panel_and_lets_it_reach_the_pbx(login: Login) -> None:
    s = await login("alice")
    async with s.get("/agent") as r:
        html = await r.text()
        csp = r.headers["Content-Security-Policy"]
    assert 'id="phone-panel"' in html and 'data-configured="yes"' in html
    assert "connect-src 'self' wss://pbx.example:8089;" in csp
    assert sip_password(SECRET, "a1") not in html and SECRET not in html


class TestDeskPhone:
    @pytest.fixture
    def settings(self, prefix: str) -> Settings:
        """bob (a2) has a desk phone."""
        mixed = [a if a["id"] != "a2" else {**a, "phone": "device"} for a in agents()]
        webrtc = {"ws_url": WS_URL, "secret": SECRET}
        return web_settings(prefix, agents=mixed, webrtc=webrtc)

    async def test_a_desk_phone_agent_has_no_panel_and_no_credentials(self, login: Login) -> None:
        s = await login("bob")
        async with s.get("/api/agent/phone") as r:
            assert r.status == 409 and (await r.json())["field"] == "phone"
        async with s.get("/agent") as r:
            assert 'id="phone-panel"' not in await r.text()

    def test_phone_setup(self, settings: Settings) -> None:
        assert phone_setup(settings, "a1").kind == "webrtc"
        assert phone_setup(settings, "a1").ws_url == WS_URL
        assert phone_setup(settings, "a2").kind == "device"
        assert phone_setup(settings, "nobody").kind == "device"


def test_pjsip_sections_carry_the_passwords_the_desk_hands_out(tmp_path: Path) -> None:
    config = tmp_path / "callcenter.toml"
    config.write_text(
        f'[webrtc]\nws_url = "{WS_URL}"\nsecret = "{SECRET}"\n'
        '[[agents]]\nid = "1001"\nname = "Li Na"\nphone = "webrtc"\n'
        '[[agents]]\nid = "1002"\nendpoint = "PJSIP/desk-1002"\nphone = "webrtc"\n'
        '[[agents]]\nid = "1003"\n'
    )
    out = tmp_path / "pjsip_webrtc_agents.conf"
    result = CliRunner().invoke(cli, ["--config", str(config), "phone", "pjsip", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 2 agents" in result.output
    text = out.read_text()
    assert oct(out.stat().st_mode & 0o777) == "0o640"
    assert "[1001](webrtc-endpoint)" in text and 'callerid = "Li Na" <1001>' in text
    assert f"password = {sip_password(SECRET, '1001')}" in text
    assert "[desk-1002](webrtc-auth)" in text and "username = desk-1002" in text
    assert "1003" not in text


def test_pjsip_without_a_secret_names_the_setting(tmp_path: Path) -> None:
    config = tmp_path / "callcenter.toml"
    config.write_text('[[agents]]\nid = "1001"\nphone = "webrtc"\n')
    result = CliRunner().invoke(cli, ["--config", str(config), "phone", "pjsip"])
    assert result.exit_code == 2
    assert "webrtc.secret" in result.output


@pytest.mark.parametrize(
    ("secret", "user"), [("0123456789abcdef", "1001"), ("ключ-секрет-длинный", "agent.7")]
)
def test_sip_password_is_the_documented_hmac(secret: str, user: str) -> None:
    mac = openssl_hmac("sha256", secret, f"sip-password:{user}")
    assert sip_password(secret, user) == base64.urlsafe_b64encode(mac).decode()[:32]


def test_turn_credential_is_coturns_rest_credential() -> None:
    name, credential = turn_credential(TURN_SECRET, "a1", now_s=1_700_000_000.7, ttl_s=3600)
    assert name == "1700003600:a1"
    assert credential == base64.b64encode(openssl_hmac("sha1", TURN_SECRET, name)).decode()
