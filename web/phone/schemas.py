"""Schemas of the browser phone's credentials."""

from __future__ import annotations

from pydantic import BaseModel


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
