"""The pure QA modules import no I/O library (checked with ast)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PURE = [
    "forms",
    "scoring",
    "sampling",
    "calibration",
    "scorecard",
    "periods",
    "evaluation",
    "errors",
]
FORBIDDEN = {"sqlalchemy", "redis", "aiohttp", "panoramisk", "asyncio", "logging", "click", "store"}


@pytest.mark.parametrize("name", PURE)
def test_pure_module_imports(name: str) -> None:
    path = Path(__file__).parents[2] / "qa" / f"{name}.py"
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots = {(node.module or "").split(".")[0]}
        else:
            continue
        assert not roots & FORBIDDEN, f"qa/{name}.py imports {roots & FORBIDDEN}"
