"""The browser phone's SIP credentials, handed to the signed-in agent only (``web.phone.credentials``).

The response is never cached (``Cache-Control: no-store``) and nothing logs the password: the
desk's JavaScript passes it to the phone and keeps it out of the page, URLs and storage.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict

from aiohttp import web

from web.endpoints import ApiCall, Endpoints
from web.phone.credentials import sip_credentials
from web.phone.schemas import PhoneCredentialsOut
from web.roles import AGENT

api = Endpoints(tag="agent")

log = logging.getLogger(__name__)


@api.op(
    "GET",
    "/api/agent/phone",
    roles=AGENT,
    summary="Read the agent's browser phone credentials",
    response=PhoneCredentialsOut,
)
async def agent_phone(call: ApiCall) -> web.Response:
    agent_id = call.own_agent()
    s = call.rt.settings
    creds = sip_credentials(s, agent_id, time.time())
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
