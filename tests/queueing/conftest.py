"""Router tests: the package import fix and the clock fixture (helpers: queueing_helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

# tests/queueing would shadow the queueing package as a namespace package (pytest puts tests/ and
# this directory on sys.path); the project root first makes the real package win.
_ROOT = str(Path(__file__).resolve().parents[2])
if sys.path[0] != _ROOT:
    sys.path.insert(0, _ROOT)
if getattr(sys.modules.get("queueing"), "__file__", "") is None:
    del sys.modules["queueing"]

import pytest  # noqa: E402
from queueing_helpers import Clock  # noqa: E402


@pytest.fixture
def clock() -> Clock:
    return Clock()
