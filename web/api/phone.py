"""The browser phone's SIP credentials, handed to the signed-in agent only (``web.phone``).

The response is never cached (``Cache-Control: no-store``) and nothing logs the password: the
desk's JavaScript passes it to the phone and keeps it out of the page, URLs and storage.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict

from aiohttp import web
from pydantic import BaseModel

from web.api import API
from web.api.agent import AGENT, own_agent
from web.api.registry import ApiCall
from web.errors import ConflictError
from web.phone import PhoneError, sip_credentials

log = logging.getLogger(__name__)


class IceServerOut(BaseModel):
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class PhoneCredentialsOut(BaseModel):
    """What the browser phone registers with (JsSIP's UA configuration, and the RTCPeerConnection's
    ICE servers)."""

    ws_url: str
    sip_uri: str
    sip_user: str
    password: str
    display_name: str
    ice_servers: list[IceServerOut]
    codecs: list[str]
    dtmf: str
    register_expires_s: int
    reconnect_min_s: int
    reconnect_max_s: int


@API.op(
    "GET",
    "/api/agent/phone",
    roles=AGENT,
    summary="Read the agent's browser phone credentials",
    tag="agent",
    response=PhoneCredentialsOut,
)
async def agent_phone(call: ApiCall) -> web.Response:
    agent_id = own_agent(call)
    s = call.rt.settings
    try:
        creds = sip_credentials(s, agent_id, time.time())
    except PhoneError as exc:
        raise ConflictError(exc.message, field=exc.field) from None
    w = s.webrtc
    out = PhoneCredentialsOut(
        **asdict(creds),
        codecs=list(w.codecs),
        dtmf=w.dtmf,
        register_expires_s=w.register_expires_s,
        reconnect_min_s=w.reconnect_min_s,
        reconnect_max_s=w.reconnect_max_s,
    )
    log.info("browser phone credentials handed to agent %s (sip user %s)", agent_id, creds.sip_user)
    return web.json_response(
        out.model_dump(mode="json"), headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
    )
