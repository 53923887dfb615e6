"""The architecture's import contracts (pyproject's ``[tool.importlinter]``), one test each: the
layers and the pure cores' independence from I/O libraries, checked by import-linter's
``lint-imports`` (in its own process: it configures logging and ``sys.path`` for itself)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
CONTRACTS = [
    c["id"] for c in tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(config), "--no-cache", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("contract", CONTRACTS)
def test_contract_is_kept(contract: str) -> None:
    done = lint_imports(PYPROJECT, "--contract", contract)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_a_broken_contract_fails(tmp_path: Path) -> None:
    """The check can fail: the store does use the kernel, so forbidding it is reported."""
    config = tmp_path / "importlinter.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["kernel", "store"]\n'
        '[[tool.importlinter.contracts]]\nname = "store without the kernel"\n'
        'type = "forbidden"\nsource_modules = ["store"]\nforbidden_modules = ["kernel"]\n'
    )
    done = lint_imports(config)
    assert done.returncode == 1
    assert "store without the kernel BROKEN" in done.stdout
