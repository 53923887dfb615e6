"""The demo's built-in call center: skills, queues, agents, users, customers, a roster.

Pure module: functions return values (settings dicts, records, data frames); ``config.demo``
writes them. Numbers of key-account and VIP customers are the ones the simulator's traffic
uses for such callers, so their calls arrive with the customer's tier.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic, Scenario

DEMO_PASSWORD = "callcenter-demo"
SIMULATED_AGENTS = [str(n) for n in range(1001, 1027)]  # 26 agents played by the demo
HUMAN_AGENTS = ["1090", "1091", "1092"]  # left for people to play from the dashboard

# Names are the department's (Chinese, issue 21); ids stay machine ids in every language.
SKILLS = [
    ("sales", "销售"),
    ("support", "技术支持"),
    ("billing", "账务"),
    ("complaints", "投诉处理"),
    ("english", "英语"),
]
TEAMS = ("一组", "二组")  # a team's name is its id (the admin pages rename it)
SUPERVISOR_NAME = "王芳"  # the supervisor, also the key accounts' account manager

# Hourly arrival rates (calls per hour, whole centre) over a day: morning and afternoon peaks.
DAY_CURVE = [
    20,
    10,
    5,
    5,
    5,
    10,
    40,
    150,
    420,
    600,
    640,
    560,
    380,
    450,
    600,
    620,
    540,
    420,
    260,
    160,
    110,
    80,
    50,
    30,
]
QUEUE_SHARE = {"sales": 0.4, "support": 0.48, "complaints": 0.12}


def demo_settings_overrides(ami_port: int) -> dict[str, Any]:
    """Settings the demo adds to the user's (queues, skills, agents, AMI to the simulator)."""
    rng = random.Random(11)
    agents: list[dict[str, Any]] = []
    for i, agent_id in enumerate(SIMULATED_AGENTS + HUMAN_AGENTS):
        team = TEAMS[i % 2]
        skills = {"sales": rng.randint(3, 9), "support": rng.randint(3, 9)}
        if i % 3 == 0:
            skills["billing"] = rng.randint(4, 9)
        if i % 4 == 0 or agent_id in HUMAN_AGENTS:
            skills["complaints"] = rng.randint(6, 10)
        if i % 5 == 0:
            skills["english"] = rng.randint(5, 9)
        agents.append(
            {
                "id": agent_id,
                "name": AGENT_NAMES[i % len(AGENT_NAMES)],
                "team": team,
                "endpoint": f"PJSIP/{agent_id}",
                "skills": skills,
            }
        )
    queues = [
        {
            "id": "sales",
            "name": "销售咨询",
            "skills": {"sales": 5},
            "did": ["5000"],
            "record": True,  # the demo records every queue, kept one day
            "retention_days": 1,
            "sl_target_pct": 80,
            "sl_target_s": 20,
            "wrap_up_s": 20,
            "survey": True,  # the demo surveys its callers (cc-survey)
            "escalation": [{"after": 0, "min_level": 6}, {"after": 20, "min_level": 3}],
        },
        {
            "id": "support",
            "name": "售后服务",
            "skills": {"support": 5},
            "did": ["5001"],
            "record": True,  # the demo records every queue, kept one day
            "retention_days": 1,
            "sl_target_pct": 80,
            "sl_target_s": 30,
            "wrap_up_s": 30,
            "survey": True,  # the demo surveys its callers (cc-survey)
            "strategy": "most_skilled",
            "escalation": [
                {"after": 0},
                {"after": 45, "min_level": 3},
                {"after": 90, "overflow": ["sales"]},
            ],
        },
        {
            "id": "complaints",
            "name": "投诉专线",
            "skills": {"complaints": 6},
            "did": ["5002"],
            "record": True,  # the demo records every queue, kept one day
            "retention_days": 1,
            "priority": 10,
            "sl_target_pct": 90,
            "sl_target_s": 15,
            "wrap_up_s": 45,
            "survey": True,  # the demo surveys its callers (cc-survey)
            "escalation": [{"after": 0}, {"after": 30, "overflow": ["support"]}],
        },
    ]
    return {
        "locale": "zh_CN",  # the department's language (issue 21); users may switch
        "skills": [{"id": s, "name": n} for s, n in SKILLS],
        "queues": queues,
        "agents": agents,
        # the seeds' complaint categories (质量投诉 / 服务投诉 / 其他), whatever the defaults
        "complaints": {"categories": list(COMPLAINT_CATEGORIES)},
        "ami": {
            "host": "127.0.0.1",
            "port": ami_port,
            "username": "demo",
            "secret": "demo-secret",
            "supervisor_endpoint": "PJSIP/9000",
        },
        "outbound": {
            "queue": "sales",
            "retry_delay_min": 5,
            "call_from": "00:00",
            "call_until": "23:59",
        },
        # the desk's manual dialling and transfers to numbers: mainland China and Hong Kong
        "dialling": {"allowed_prefixes": {"agent": ["+86", "+852"], "supervisor": ["+"]}},
    }


AGENT_NAMES = [
    "李娜",
    "王伟",
    "张敏",
    "刘洋",
    "陈杰",
    "杨帆",
    "赵磊",
    "黄丽",
    "周涛",
    "吴霞",
    "徐明",
    "孙燕",
    "马琳",
    "朱红",
    "胡军",
    "郭平",
    "何青",
    "林波",
    "罗慧",
    "高峰",
    "郑宇",
    "梁凯",
    "宋佳",
    "唐睿",
    "韩雪",
    "冯毅",
    "邓浩",
    "曹兰",
    "彭飞",
]
CALLER_NAMES = ["张先生", "李女士", "王先生", "刘女士", "陈先生", "赵女士", "黄先生", "周女士"]
COMPLAINT_CATEGORIES = ("quality", "service", "other")
# category, severity, opened hours ago, description
DEMO_COMPLAINTS = (
    ("quality", "high", 30, "宽带两周内频繁断线，上门维修后仍未解决。"),
    ("service", "medium", 2, "十月份话费被重复扣款，客服承诺回电但一直没有回复。"),
)


def demo_scenario(start_hour: float) -> Scenario:
    """Traffic for the demo: a daily curve per queue, patient and impatient callers."""
    base = Scenario.default()
    queues = [
        QueueTraffic(
            queue=q,
            did=did,
            daily_curve=[r * share for r in DAY_CURVE],
            patience_s=Dist(kind="exponential", mean=150 if q != "complaints" else 240),
            talk_s=Dist(kind="lognormal", mean=100, sd=50),
            wrap_up_s=Dist(kind="uniform", low=5, high=20),
            key_account_share=0.15,
            vip_share=0.05,
            record=True,
        )
        for (q, share), did in zip(QUEUE_SHARE.items(), ("5000", "5001", "5002"), strict=True)
    ]
    # Simulated agents' phones answer by themselves; the people's ring until they press Answer
    # or the queue's ring timeout passes (then the router makes them not ready for rona).
    agents = [AgentPhone(agent_id=a) for a in SIMULATED_AGENTS] + [
        AgentPhone(agent_id=a, auto_answer=False) for a in HUMAN_AGENTS
    ]
    return base.model_copy(
        update={
            "queues": queues,
            "start_hour": start_hour,
            "agents": agents,
            "caller_names": CALLER_NAMES,
        }
    )


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    display_name: str
    agent_id: str | None = None


def demo_users() -> list[DemoUser]:
    """Usernames are ASCII logins; display names are the people's Chinese names (an agent's is
    the name the configuration gives that agent)."""
    users = [
        DemoUser("admin", "admin", "系统管理员"),
        DemoUser("supervisor", "supervisor", SUPERVISOR_NAME),
        DemoUser("planner", "planner", "李强"),
        DemoUser("qa", "qa", "赵静"),
    ]
    first = len(SIMULATED_AGENTS)  # the human agents come after the simulated ones
    users += [
        DemoUser(f"agent{a}", "agent", AGENT_NAMES[(first + i) % len(AGENT_NAMES)], agent_id=a)
        for i, a in enumerate(HUMAN_AGENTS)
    ]
    return users


def demo_customers(scenario: Scenario, ordinary: int = 40) -> list[dict[str, Any]]:
    """Customer rows (for ``customers.records.CustomerRecord``) for the scenario's callers."""
    rng = random.Random(5)
    surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"]
    given = ["华", "明", "静", "磊", "艳", "志强", "欣怡", "建国", "波", "婷婷"]
    rows: list[dict[str, Any]] = []

    def add(number: str, tier: str) -> None:
        n = len(rows)
        rows.append(
            {
                "customer_id": f"demo-{n + 1:04d}",
                "name": f"{rng.choice(surnames)}{rng.choice(given)}",
                "phones": (number,),
                "tier": tier,
                "account_manager": SUPERVISOR_NAME if tier != "ordinary" else None,
                "notes": {"vip": "VIP客户，请称呼姓氏和尊称。", "key_account": "大客户"}.get(tier),
            }
        )

    for number in scenario.vip_numbers:
        add(number, "vip")
    for number in scenario.key_account_numbers:
        add(number, "key_account")
    for i in range(ordinary):
        add(f"+86137{i:08d}", "ordinary")
    return rows


def demo_roster(agent_ids: list[str], week_start: datetime) -> pd.DataFrame:
    """A published week for the agents: early and late shifts, lunch and two breaks each day,
    two days off. Rows: agent_id, activity, start, end."""
    rows: list[dict[str, Any]] = []
    for i, agent_id in enumerate(agent_ids):
        late = i % 3 == 2
        days_off = {(i % 7), ((i % 7) + 1) % 7}
        for day in range(7):
            if day in days_off:
                continue
            start = week_start + timedelta(days=day, hours=12 if late else 8)
            rows.append(
                {
                    "agent_id": agent_id,
                    "activity": "shift",
                    "start": start,
                    "end": start + timedelta(hours=9),
                }
            )
            for activity, offset_h, minutes in (
                ("break", 2, 15),
                ("lunch", 4, 60),
                ("break", 7, 15),
            ):
                b = start + timedelta(hours=offset_h)
                rows.append(
                    {
                        "agent_id": agent_id,
                        "activity": activity,
                        "start": b,
                        "end": b + timedelta(minutes=minutes),
                    }
                )
    return pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"])
