"""[webrtc] and the agents' phone kind: defaults, the environment, and errors that name the field
(and never print a secret)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel.settings import SettingsError, load_settings

SECRET = "0123456789abcdef"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "callcenter.toml"
    p.write_text(text)
    return p


def test_defaults_keep_desk_phones_and_no_pbx(tmp_path):
    s = load_settings({}, write(tmp_path, '[[agents]]\nid = "1001"\n'))
    assert s.agents[0].phone == "device"
    assert s.webrtc.ws_url is None and s.webrtc.domain is None
    assert s.webrtc.codecs == ["opus", "PCMU", "PCMA"] and s.webrtc.dtmf == "rfc2833"


def test_environment_and_domain(tmp_path):
    text = '[[agents]]\nid = "1001"\nphone = "webrtc"\n'
    env = {"CALLCENTER_WEBRTC_WS_URL": "wss://pbx.example:8089/ws"}
    s = load_settings({**env, "CALLCENTER_WEBRTC_SECRET": SECRET}, write(tmp_path, text))
    assert s.webrtc.ws_url == "wss://pbx.example:8089/ws"
    assert s.webrtc.secret is not None and s.webrtc.secret.get_secret_value() == SECRET
    assert SECRET not in repr(s)
    assert s.webrtc.domain == "pbx.example" and s.agents[0].sip_user == "1001"
    text += '[webrtc]\nsip_domain = "voice.example"\n'
    s = load_settings({**env, "CALLCENTER_WEBRTC_SECRET": SECRET}, write(tmp_path, text))
    assert s.webrtc.domain == "voice.example"


@pytest.mark.parametrize(
    ("text", "env", "field", "value"),
    [
        ("[webrtc]\nws_url = 'https://pbx:8089/ws'\n", {}, "webrtc.ws_url", "https://pbx:8089/ws"),
        ("[webrtc]\nws_url = 'wss://pbx:8089/ws'\n", {}, "webrtc.secret", None),
        ("", {"CALLCENTER_WEBRTC_SECRET": "short"}, "webrtc.secret", "(hidden)"),
        ("[webrtc]\ncodecs = ['opus', 'speex']\n", {}, "webrtc.codecs.1", "speex"),
        ("[webrtc]\ncodecs = []\n", {}, "webrtc.codecs", []),
        ("[webrtc]\ndtmf = 'inband'\n", {}, "webrtc.dtmf", "inband"),
        (
            "[webrtc]\nreconnect_min_s = 40\nreconnect_max_s = 20\n",
            {},
            "webrtc.reconnect_min_s",
            40,
        ),
        (
            "[[webrtc.ice_servers]]\nurls = ['http://turn.example']\n",
            {},
            "webrtc.ice_servers.0.urls",
            ["http://turn.example"],
        ),
        (
            "[[webrtc.ice_servers]]\nurls = ['turn:turn.example:3478']\n",
            {},
            "webrtc.ice_servers.0",
            {"urls": ["turn:turn.example:3478"]},
        ),
        (
            "[[webrtc.ice_servers]]\nurls = ['turn:t.example']\nauth_secret = 'tiny'\n",
            {},
            "webrtc.ice_servers.0.auth_secret",
            "(hidden)",
        ),
        ("[[agents]]\nid = '1'\nphone = 'sip'\n", {}, "agents.0.phone", "sip"),
        (
            "[[agents]]\nid = '1'\nphone = 'webrtc'\nendpoint = 'SIP/1001'\n",
            {},
            "agents.0.endpoint",
            "SIP/1001",
        ),
    ],
)
def test_invalid_values_name_the_field(tmp_path, text, env, field, value):
    with pytest.raises(SettingsError) as info:
        load_settings(env, write(tmp_path, text))
    assert info.value.field == field
    assert info.value.value == value
    assert field in str(info.value)


def test_a_turn_server_takes_fixed_or_derived_credentials_not_both(tmp_path):
    both = (
        "[[webrtc.ice_servers]]\nurls = ['turn:t.example']\nusername = 'u'\n"
        f"credential = 'c'\nauth_secret = '{SECRET}'\n"
    )
    with pytest.raises(SettingsError, match="not both"):
        load_settings({}, write(tmp_path, both))
    half = "[[webrtc.ice_servers]]\nurls = ['turn:t.example']\nusername = 'u'\n"
    with pytest.raises(SettingsError, match="go together"):
        load_settings({}, write(tmp_path, half))
    fixed = "[[webrtc.ice_servers]]\nurls = ['turn:t.example']\nusername = 'u'\ncredential = 'c'\n"
    ice = load_settings({}, write(tmp_path, fixed)).webrtc.ice_servers[0]
    assert ice.credential is not None and ice.credential.get_secret_value() == "c"
