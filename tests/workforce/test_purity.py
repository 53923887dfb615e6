"""The pure modules import no I/O library (checked with ast)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import workforce

PURE = [
    "erlang",
    "staffing",
    "roster",
    "forecast",
    "adherence",
    "formats",
    "errors",
    "whatif_plan",
    "whatif_compare",
]
FORBIDDEN = {"redis", "aiohttp", "panoramisk", "sqlalchemy", "logging", "asyncio", "socket"}


@pytest.mark.parametrize("name", PURE)
def test_pure_module_imports_no_io(name: str) -> None:
    path = Path(workforce.__file__).with_name(f"{name}.py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    found |= {
        n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
    }
    assert not found & FORBIDDEN
