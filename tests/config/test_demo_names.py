"""The demo is the department's (issue 21 item 5): it starts in zh_CN, its people, queues, skills,
teams, customers and callers have Chinese names, and every id stays a machine id (ASCII)."""

from __future__ import annotations

import re

from config.demo_data import demo_customers, demo_scenario, demo_settings_overrides, demo_users
from kernel.settings import Settings

CHINESE = re.compile(r"^[\u4e00-\u9fff]+$")
MACHINE_ID = re.compile(r"^[A-Za-z0-9_.:@-]+$")


def test_the_demo_speaks_chinese_and_keeps_machine_ids() -> None:
    settings = Settings.model_validate(demo_settings_overrides(5038))
    assert settings.locale == "zh_CN"
    named = [*settings.queues, *settings.skills, *settings.agents]
    assert [x.name for x in named if not CHINESE.match(x.name or "")] == []
    assert [x.id for x in named if not MACHINE_ID.match(x.id)] == []
    assert {q.id for q in settings.queues} == {"sales", "support", "complaints"}
    assert {a.team for a in settings.agents} == {"一组", "二组"}
    assert set(settings.complaints.categories) == {"quality", "service", "other"}

    users = demo_users()
    assert [u.username for u in users if not MACHINE_ID.match(u.username)] == []
    assert [u.display_name for u in users if not CHINESE.match(u.display_name)] == []
    agent_names = {a.id: a.name for a in settings.agents}
    people = [(u.agent_id, u.display_name) for u in users if u.agent_id]
    assert len(people) == 3 and all(agent_names[a] == name for a, name in people)

    scenario = demo_scenario(9.0)
    customers = demo_customers(scenario)
    assert [c["name"] for c in customers if not CHINESE.match(c["name"])] == []
    assert [c["customer_id"] for c in customers if not MACHINE_ID.match(c["customer_id"])] == []
    assert all(CHINESE.match(n) for n in scenario.caller_names)
