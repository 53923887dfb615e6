"""The [qa] settings: scorecard rules per role, sampling rules, errors naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel.settings import SettingsError, load_settings
from qa.scorecard import DEFAULT_ROLES, KpiRule
from qa.service import role_rules, sampling_rules


def settings_from(tmp_path: Path, text: str):
    path = tmp_path / "callcenter.toml"
    path.write_text(text)
    return load_settings({}, path)


def test_configured_role_replaces_the_default(tmp_path: Path) -> None:
    s = settings_from(
        tmp_path,
        """
[qa]
team_leads = ["tl1"]

[qa.scorecard.agent]
kpis = [{ kpi = "qa_score", target = 90, floor = 60, weight = 3 }]
""",
    )
    rules = role_rules(s.qa)
    assert rules["agent"].rules == (KpiRule("qa_score", 90, 60, 3),)
    assert rules["team_lead"] == DEFAULT_ROLES["team_lead"]
    assert s.qa.team_leads == ["tl1"]


@pytest.mark.parametrize(
    ("toml", "field"),
    [
        (
            '[qa.scorecard.agent]\nkpis = [{ kpi = "speed", target = 1, floor = 0, weight = 1 }]',
            "qa.scorecard.agent.kpis.0.kpi",
        ),
        (
            '[qa.scorecard.agent]\nkpis = [{ kpi = "aht_s", target = 1, floor = 1, weight = 1 }]',
            "qa.scorecard.agent.kpis.0",
        ),
        (
            '[qa.scorecard.agent]\nkpis = [{ kpi = "aht_s", target = 1, floor = 2, weight = 0 }]',
            "qa.scorecard.agent.kpis.0.weight",
        ),
        ("[qa]\nsample_percent = 120", "qa.sample_percent"),
        ('[qa]\nsample_strata = ["colour"]', "qa.sample_strata.0"),
        ("[qa]\nfcr_window_days = 0", "qa.fcr_window_days"),
    ],
)
def test_bad_qa_settings_name_the_field(tmp_path: Path, toml: str, field: str) -> None:
    with pytest.raises(SettingsError) as err:
        settings_from(tmp_path, toml)
    assert err.value.field == field


def test_sampling_rules_from_settings(tmp_path: Path) -> None:
    s = settings_from(
        tmp_path, '[qa]\nsample_per_agent = 4\nalways_dispositions = ["complaint", "refund"]\n'
    )
    rules = sampling_rules(s.qa, None, None)
    assert rules.per_agent == 4 and rules.always_dispositions == {"complaint", "refund"}
    assert sampling_rules(s.qa, None, 10.0).per_agent_pct == 10.0  # the option wins
    assert sampling_rules(s.qa, None, 10.0).per_agent is None
