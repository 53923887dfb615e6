"""Router tests: the clock fixture (helpers: ``callcenter_testkit.queueing_helpers``)."""

from __future__ import annotations

import pytest
from callcenter_testkit.queueing_helpers import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()
