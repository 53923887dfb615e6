"""Reading form and answer files (the I/O edge of ``qa.forms`` and ``qa.scoring``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kernel.files import FileReadError, read_text
from qa.errors import AnswersFileError, FormError
from qa.forms import Form, form_from_text, format_of

FORMS_DIR = Path(__file__).with_name("forms")
# The shipped default forms, one per locale of the pages: the Chinese one follows the manuals'
# call-centre quality control, the English one is its translation (same item ids and weights).
DEFAULT_FORM_PATHS: dict[str, Path] = {
    "en": FORMS_DIR / "default.en.toml",
    "zh_CN": FORMS_DIR / "default.zh_CN.toml",
}


def load_form(path: str | Path) -> Form:
    """A form from a ``.toml`` or ``.json`` file; ``FormError`` names the item."""
    try:
        text = read_text(path)
    except FileReadError as exc:
        raise FormError("form", None, str(exc)) from None
    return form_from_text(text, format_of(path))


def default_form_path(locale: str = "en") -> Path:
    """The shipped default form in the centre's ``locale`` (English for a locale without one)."""
    return DEFAULT_FORM_PATHS.get(locale, DEFAULT_FORM_PATHS["en"])


def configured_form_path(form: Path | None, locale: str) -> Path:
    """The form a centre scores with: its ``qa.form`` file, else the default of its ``locale``."""
    return form or default_form_path(locale)


def load_default_form(locale: str = "en") -> Form:
    return load_form(default_form_path(locale))


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
