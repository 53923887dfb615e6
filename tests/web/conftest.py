"""Web tests: the test kit's web fixtures (``callcenter_testkit.web_fixtures``) with the web
tests' settings (three agents, the test's Redis prefix)."""

from __future__ import annotations

import pytest
from callcenter_testkit.webtools import web_settings

from kernel.settings import Settings


@pytest.fixture
def settings(prefix: str) -> Settings:
    return web_settings(prefix)
