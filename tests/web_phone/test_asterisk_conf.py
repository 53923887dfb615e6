"""The sample Asterisk configuration for the browser phone agrees with the platform: the
templates ``callcenter phone pjsip`` builds on exist with what browsers need, the WebSocket is
served over TLS on 8089 (the port of ``[webrtc] ws_url``'s example), ICE is on."""

from __future__ import annotations

import re
from pathlib import Path

from callcenter_testkit.phone_setup import SECRET

from kernel.settings import Settings
from web.phone.credentials import pjsip_sections

CONF = Path(__file__).resolve().parents[2] / "config" / "asterisk"


def sections(name: str) -> dict[str, dict[str, str]]:
    """``[name](options)`` sections of an Asterisk file, their ``key = value`` lines (the
    last of a repeated key wins), comments dropped."""
    out: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for raw in (CONF / name).read_text().splitlines():
        line = raw.split(";", 1)[0].strip()
        if m := re.match(r"^\[([^\]]+)\](\(([^)]*)\))?$", line):
            current = out.setdefault(m.group(1) + (m.group(2) or ""), {})
        elif "=" in line:
            key, _, value = line.partition("=")
            current[key.strip()] = value.strip()
    return out


def test_webrtc_templates_have_what_browsers_need() -> None:
    pjsip = sections("pjsip.conf")
    endpoint = pjsip["webrtc-endpoint(!)"]
    assert endpoint["webrtc"] == "yes" and endpoint["dtls_auto_generate_cert"] == "yes"
    assert endpoint["allow"] == "ulaw,alaw" and endpoint["context"] == "cc-agents"
    assert pjsip["webrtc-auth(!)"]["auth_type"] == "userpass"
    aor = pjsip["webrtc-aor(!)"]
    assert aor["max_contacts"] == "1" and aor["remove_existing"] == "yes"
    assert pjsip["transport-wss"]["protocol"] == "wss"
    assert "#tryinclude pjsip_webrtc_agents.conf" in (CONF / "pjsip.conf").read_text()


def test_generated_sections_use_those_templates() -> None:
    s = Settings.model_validate(
        {"webrtc": {"secret": SECRET}, "agents": [{"id": "1001", "phone": "webrtc"}]}
    )
    used = set(re.findall(r"^\[[^\]]+\]\(([^)]+)\)$", pjsip_sections(s), flags=re.M))
    assert used == {"webrtc-endpoint", "webrtc-auth", "webrtc-aor"}
    templates = {k.removesuffix("(!)") for k in sections("pjsip.conf") if k.endswith("(!)")}
    assert used <= templates


def test_http_serves_tls_on_8089_and_rtp_has_ice() -> None:
    http = sections("http.conf")["general"]
    assert http["enabled"] == "yes" and http["tlsenable"] == "yes"
    assert http["tlsbindaddr"].endswith(":8089")
    assert http["tlscertfile"] and http["tlsprivatekey"]
    rtp = sections("rtp.conf")["general"]
    assert rtp["icesupport"] == "yes" and int(rtp["rtpstart"]) < int(rtp["rtpend"])
    for name in ("http.conf", "rtp.conf"):
        assert (CONF / name).read_text().startswith(";"), f"{name} opens with what it is for"
