"""Logging set-up for the ``callcenter`` processes: stderr plus a file under ``var/logs/``."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from kernel.settings import Settings


def setup_logging(settings: Settings, name: str) -> None:
    logs = Path(settings.var_dir) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    for h in list(root.handlers):
        root.removeHandler(h)
    stderr = logging.StreamHandler()
    stderr.setFormatter(fmt)
    file = logging.handlers.RotatingFileHandler(
        logs / f"{name}.log", maxBytes=20_000_000, backupCount=3
    )
    file.setFormatter(fmt)
    root.addHandler(stderr)
    root.addHandler(file)
