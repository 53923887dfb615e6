"""Fixtures of the planner, QA and complaint page tests: the test kit's web fixtures (a real
Redis, a migrated SQLite file, the application on a loopback port, signed-in clients), as the web
tests have them, with more agents (a roster of 60 needs 60 agents; ``@pytest.mark.agents(200)``
asks for more), and Chromium. Helpers shared with the web tests (``Server``, ``Login``,
``PASSWORD``) are in ``callcenter_testkit.webtools``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from callcenter_testkit.webtools import web_settings
from playwright.async_api import Browser, async_playwright

from kernel.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")


NAMES = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Lin",
    "Gao",
    "Luo",
]
GIVEN = ["Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Jun", "Hui", "Ping", "Tao", "Xin", "Ying"]


def agent_configs(n: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = [
        {"id": "a1", "name": "Alice Wang", "skills": {"sales": 5, "support": 3}, "team": "t1"},
        {"id": "a2", "name": "Bob Li", "skills": {"support": 7}, "team": "t1"},
        {"id": "a3", "name": "Chen Jie", "skills": {"complaints": 6, "sales": 2}, "team": "t2"},
    ]
    for i in range(4, n + 1):
        out.append(
            {
                "id": f"a{i}",
                "name": f"{NAMES[i % len(NAMES)]} {GIVEN[i % len(GIVEN)]}",
                "skills": {"support": 1 + i % 9},
                "team": f"t{1 + i % 4}",
            }
        )
    return out[:n]


@pytest.fixture
def settings(request: pytest.FixtureRequest, prefix: str) -> Settings:
    marker = request.node.get_closest_marker("agents")
    n = marker.args[0] if marker else 60
    return web_settings(prefix, agents=agent_configs(n))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "agents(n): the number of agents in the settings")


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        b = await pw.chromium.launch(
            executable_path=str(chromium),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield b
        finally:
            await b.close()
