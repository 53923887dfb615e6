"""Settings: file + environment, validation errors name the field and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel.settings import SettingsError, load_settings

GOOD = """
redis_prefix = "cc"
[ami]
host = "pbx.example"
port = 5038
[[skills]]
id = "billing"
[[skills]]
id = "english"
[[queues]]
id = "sales"
skills = { billing = 5 }
escalation = [{ after = 0, min_level = 7 }, { after = 30, min_level = 4 }, { after = 90, overflow = ["general"] }]
[[queues]]
id = "general"
[[agents]]
id = "1001"
skills = { billing = 8, english = 3 }
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "callcenter.toml"
    p.write_text(text)
    return p


def test_file_and_environment(tmp_path):
    path = write(tmp_path, GOOD)
    s = load_settings({"CALLCENTER_AMI_PORT": "6038", "CALLCENTER_WEB_PORT": "9000"}, path)
    assert s.ami.host == "pbx.example" and s.ami.port == 6038 and s.web.port == 9000
    assert s.queues[0].escalation[2].overflow == ["general"]
    assert s.agents[0].dial_string == "PJSIP/1001"
    assert s.effective_db_url.startswith("sqlite+aiosqlite:///")


def test_config_path_from_environment(tmp_path):
    path = write(tmp_path, GOOD)
    assert load_settings({"CALLCENTER_CONFIG": str(path)}).ami.host == "pbx.example"


def test_defaults_without_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings({})
    assert s.redis_url is None and s.db_url is None and str(s.var_dir) == "var"


@pytest.mark.parametrize(
    ("text", "env", "field", "value"),
    [
        ("[web]\nport = 'abc'\n", {}, "web.port", "abc"),
        ("", {"CALLCENTER_AMI_PORT": "70000"}, "ami.port", "70000"),
        ("", {"CALLCENTER_REDIS_URL": "http://x"}, "redis_url", "http://x"),
        ("", {"CALLCENTER_DB_URL": "mysql://x/y"}, "db_url", "mysql://x/y"),
        ("[[queues]]\nid = 'q'\nskills = { a = 11 }\n", {}, "queues.0.skills", {"a": 11}),
        ("[[queues]]\nid = 'q'\nstrategy = 'fastest'\n", {}, "queues.0.strategy", "fastest"),
        ("[ami]\nhots = 'x'\n", {}, "ami.hots", "x"),
        ("[[skills]]\nid='a'\n[[agents]]\nid='1'\nskills={b=3}\n", {}, "agents.0.skills", "b"),
        (
            "[[queues]]\nid = 'q'\nescalation = [{ after = 5, overflow = ['nope'] }]\n",
            {},
            "queues.0.escalation.0.overflow",
            "nope",
        ),
    ],
)
def test_invalid_values_name_the_field(tmp_path, text, env, field, value):
    with pytest.raises(SettingsError) as info:
        load_settings(env, write(tmp_path, text))
    assert info.value.field == field
    assert info.value.value == value
    assert field in str(info.value)


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(SettingsError, match="file not found"):
        load_settings({}, tmp_path / "nope.toml")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings({}, write(tmp_path, "[web\n"))
