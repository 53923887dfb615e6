"""Helpers of the browser phone tests: the settings
with browser-phone agents, the ``[webrtc]`` secret, the SIP domain, Chromium's media flags."""

from __future__ import annotations

from callcenter_testkit.webtools import web_settings
from kernel.settings import Settings

SECRET = "test-webrtc-secret-0123456789"
DOMAIN = "callcenter.test"
MEDIA_FLAGS = ["--use-fake-device-for-media-stream", "--allow-loopback-in-peer-connection"]


def agents() -> list[dict[str, object]]:
    """alice (a1) and bob (a2) have browser phones; Chen (a3) a desk phone."""
    return [
        {"id": "a1", "name": "Alice Wang", "skills": {"sales": 5}, "phone": "webrtc"},
        {"id": "a2", "name": "Bob Li", "skills": {"support": 7}, "phone": "webrtc"},
        {"id": "a3", "name": "Chen Jie", "skills": {"complaints": 6}},
    ]


def phone_settings(prefix: str, ws_url: str | None, **webrtc: object) -> Settings:
    """The web tests' settings with ``agents()`` and ``[webrtc]`` at ``ws_url`` (None: no PBX)."""
    conf: dict[str, object] = {
        "sip_domain": DOMAIN,
        "secret": SECRET,
        "codecs": ["PCMU", "PCMA"],
        "dtmf": "info",
        "register_expires_s": 120,
        "reconnect_min_s": 1,
        "reconnect_max_s": 2,
    }
    if ws_url is not None:
        conf["ws_url"] = ws_url
    return web_settings(prefix, agents=agents(), webrtc=conf | webrtc)
