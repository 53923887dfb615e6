"""Reading form and answer files (the I/O edge of ``qa.forms`` and ``qa.scoring``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qa.errors import AnswersFileError, FormError
from qa.forms import Form, form_from_text, format_of

DEFAULT_FORM_PATH = Path(__file__).with_name("forms") / "default.toml"


def load_form(path: str | Path) -> Form:
    """A form from a ``.toml`` or ``.json`` file; ``FormError`` names the item."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FormError("form", None, f"cannot read {path}: {exc.strerror}") from exc
    return form_from_text(text, format_of(path))


def load_default_form() -> Form:
    return load_form(DEFAULT_FORM_PATH)


def parse_answers(text: str, source: str = "<text>") -> dict[str, Any]:
    """``{"answers": {"<item id>": "yes" | "no" | "na" | <integer>}}`` -> the inner mapping."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnswersFileError(source, f"not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise AnswersFileError(source, 'must be {"answers": {"<item id>": ...}}')
    return data["answers"]


def load_answers(path: str | Path) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise AnswersFileError(str(path), f"cannot read: {exc.strerror}") from exc
    return parse_answers(text, str(path))
