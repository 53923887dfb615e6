"""The browser phone's side of the server: which agents have one, their SIP credentials, and the
Asterisk configuration that matches them. Pure functions of the settings (and ``now``).

Credentials are derived, not stored: an agent's SIP password is an HMAC-SHA256 of its PJSIP
endpoint name under ``[webrtc] secret``, so the platform hands it out after sign-in
(``GET /api/agent/phone``) and ``callcenter phone pjsip`` writes the same passwords into the
``pjsip.conf`` sections Asterisk needs; rotating the secret rotates every password at once. A
TURN server with ``auth_secret`` gets coturn's time-limited credentials (its TURN REST API).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from kernel.messages import N_, FieldValueError
from kernel.settings import AgentConfig, IceServerConfig, Settings, WebrtcSettings

PASSWORD_CHARS = 32


@dataclass(frozen=True, slots=True)
class PhoneSetup:
    """What the agent's desk shows before any credentials: the phone kind and, for a browser
    phone, whether a PBX is configured (no ``ws_url``: the demo's simulated phones only)."""

    kind: Literal["device", "webrtc"]
    sip_user: str | None = None
    ws_url: str | None = None


@dataclass(frozen=True, slots=True)
class IceServer:
    urls: list[str]
    username: str | None = None
    credential: str | None = None


@dataclass(frozen=True, slots=True)
class SipCredentials:
    """Everything the browser phone registers with; the password is for its owner only."""

    ws_url: str
    sip_uri: str
    sip_user: str
    password: str
    display_name: str
    ice_servers: list[IceServer]


class PhoneError(FieldValueError):
    """The agent has no browser phone to register (``field`` names the setting that decides)."""


def agent_config(settings: Settings, agent_id: str) -> AgentConfig | None:
    return next((a for a in settings.agents if a.id == agent_id), None)


def phone_setup(settings: Settings, agent_id: str) -> PhoneSetup:
    agent = agent_config(settings, agent_id)
    if agent is None or agent.phone != "webrtc":
        return PhoneSetup("device")
    return PhoneSetup("webrtc", agent.sip_user, settings.webrtc.ws_url)


def sip_password(secret: str, sip_user: str) -> str:
    """The SIP password of endpoint ``sip_user``: HMAC-SHA256(secret, "sip-password:<user>"),
    base64url, 32 characters (192 bits; letters, digits, ``-`` and ``_``: safe in pjsip.conf)."""
    mac = hmac.new(secret.encode(), f"sip-password:{sip_user}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode()[:PASSWORD_CHARS]


def turn_credential(auth_secret: str, user: str, now_s: float, ttl_s: int) -> tuple[str, str]:
    """coturn's TURN REST API (``use-auth-secret``): the username is ``<expiry>:<user>``, the
    credential base64(HMAC-SHA1(secret, username)); coturn refuses it after the expiry."""
    username = f"{int(now_s) + ttl_s}:{user}"
    mac = hmac.new(auth_secret.encode(), username.encode(), hashlib.sha1)
    return username, base64.b64encode(mac.digest()).decode()


def ice_server(server: IceServerConfig, user: str, now_s: float) -> IceServer:
    if server.auth_secret is not None:
        name, credential = turn_credential(
            server.auth_secret.get_secret_value(), user, now_s, server.credential_ttl_s
        )
        return IceServer(server.urls, name, credential)
    if server.credential is not None:
        return IceServer(server.urls, server.username, server.credential.get_secret_value())
    return IceServer(server.urls)


def sip_credentials(settings: Settings, agent_id: str, now_s: float) -> SipCredentials:
    """The credentials of ``agent_id``'s browser phone; ``PhoneError`` when it has none."""
    agent = agent_config(settings, agent_id)
    if agent is None or agent.phone != "webrtc":
        raise PhoneError(
            "phone",
            N_("agent %(agent_id)s has a desk phone (phone = 'device')"),
            {"agent_id": agent_id},
        )
    w = settings.webrtc
    if not w.ws_url or w.secret is None:
        raise PhoneError(
            "webrtc.ws_url", N_("the browser phone needs a real PBX: no ws_url is set")
        )
    user = agent.sip_user
    assert user is not None  # the settings check that a browser phone is PJSIP/<name>
    return SipCredentials(
        ws_url=w.ws_url,
        sip_uri=f"sip:{user}@{w.domain}",
        sip_user=user,
        password=sip_password(w.secret.get_secret_value(), user),
        display_name=agent.name or agent.id,
        ice_servers=[ice_server(s, user, now_s) for s in w.ice_servers],
    )


def connect_sources(w: WebrtcSettings) -> list[str]:
    """The origins the desk's Content-Security-Policy must let the browser phone connect to."""
    if not w.ws_url:
        return []
    parts = urlsplit(w.ws_url)
    return [f"{parts.scheme}://{parts.netloc}"]


def pjsip_sections(settings: Settings) -> str:
    """pjsip.conf sections for every browser-phone agent, built on the ``webrtc-endpoint``,
    ``webrtc-auth`` and ``webrtc-aor`` templates of config/asterisk/pjsip.conf."""
    w = settings.webrtc
    if w.secret is None:
        raise PhoneError("webrtc.secret", N_("needed to derive the agents' SIP passwords"))
    secret = w.secret.get_secret_value()
    out = [
        "; Browser-phone agents: written by `callcenter phone pjsip` from the settings; the",
        "; passwords derive from [webrtc] secret. Include this file after the webrtc-* templates.",
    ]
    for agent in settings.agents:
        if agent.phone != "webrtc" or agent.sip_user is None:
            continue
        user = agent.sip_user
        name = (agent.name or agent.id).replace('"', "")
        out += [
            "",
            f"[{user}](webrtc-endpoint)",
            f"auth = {user}",
            f"aors = {user}",
            f'callerid = "{name}" <{user}>',
            "",
            f"[{user}](webrtc-auth)",
            f"username = {user}",
            f"password = {sip_password(secret, user)}",
            "",
            f"[{user}](webrtc-aor)",
        ]
    return "\n".join(out) + "\n"
