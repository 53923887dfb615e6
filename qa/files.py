"""Reading form and answer files (the I/O edge of ``qa.forms`` and ``qa.scoring``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kernel.files import FileReadError, read_text
from qa.errors import AnswersFileError, FormError
from qa.forms import Form, form_from_text, format_of

DEFAULT_FORM_PATH = Path(__file__).with_name("forms") / "default.toml"


def load_form(path: str | Path) -> Form:
    """A form from a ``.toml`` or ``.json`` file; ``FormError`` names the item."""
    try:
        text = read_text(path)
    except FileReadError as exc:
        raise FormError("form", None, str(exc)) from None
    return form_from_text(text, format_of(path))


def load_default_form() -> Form:
    return load_form(DEFAULT_FORM_PATH)


def parse_answers(text: str, source: str = "<text>") -> dict[str, Any]:
    """``{"answers": {"<item id>": "yes" | "no" | "na" | <integer>}}`` -> the inner mapping."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # also: nested too deep, a 5000-digit number
        raise AnswersFileError(source, f"not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise AnswersFileError(source, 'must be {"answers": {"<item id>": ...}}')
    return data["answers"]


def load_answers(path: str | Path) -> dict[str, Any]:
    try:
        text = read_text(path)
    except FileReadError as exc:
        where = f"line {exc.line}, column {exc.column}: " if exc.line is not None else ""
        raise AnswersFileError(str(path), where + exc.message) from None
    return parse_answers(text, str(path))
