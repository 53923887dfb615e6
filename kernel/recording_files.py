"""The name of a call's recording file: derived from the call id alone, never from a request.

Pure module. The bridge tells Asterisk to write ``<[recording] asterisk_dir>/<file_name>``; the
platform reads (plays, purges) ``<[recording] folder>/<file_name>``.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def file_name(call_id: str) -> str:
    """``cc-<call id>.wav`` with anything but ``[A-Za-z0-9_.-]`` turned into ``_`` (no leading
    dot): never a path, whatever the id holds."""
    safe = _UNSAFE.sub("_", call_id).lstrip(".") or "_"
    return f"cc-{safe}.wav"
