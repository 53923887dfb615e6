"""Scoring forms: parsing and validating TOML/JSON definitions, and their version identity.

Pure module. A form has sections, a section has items::

    name = "Customer service"
    version = 1
    critical_rule = "zero_evaluation"      # or "zero_section"

    [[sections]]
    name = "Greeting"
    # weight = 10                          # optional; default: sum of its answered items' weights

    [[sections.items]]
    id = "greet"
    text = "Greets and gives name and department"
    weight = 5                             # > 0
    kind = "yes_no"                        # or "scale" with max = N (answers 0..N)
    na_allowed = false
    critical = false

Item ids are unique across the form (answers are keyed by them), section names unique within it.
Every problem raises ``FormError`` naming the item (or section) and the key.

Versions: a stored form keeps every version; ``fingerprint`` identifies a definition's content
(everything but ``version``) so saving an unchanged form does not create a new version.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from qa.errors import FormError

CriticalRule = Literal["zero_evaluation", "zero_section"]
ItemKind = Literal["yes_no", "scale"]
CRITICAL_RULES: tuple[str, ...] = ("zero_evaluation", "zero_section")
ITEM_KINDS: tuple[str, ...] = ("yes_no", "scale")
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_FORM_KEYS = {"name", "version", "critical_rule", "sections", "description"}
_SECTION_KEYS = {"name", "weight", "items"}
_ITEM_KEYS = {"id", "text", "weight", "kind", "max", "na_allowed", "critical"}


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    text: str
    weight: float
    kind: ItemKind
    max: int | None = None  # top of 0..max for "scale"
    na_allowed: bool = False
    critical: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    items: tuple[Item, ...]
    weight: float | None = None  # None: the sum of its answered (non-N/A) items' weights


@dataclass(frozen=True, slots=True)
class Form:
    name: str
    version: int
    critical_rule: CriticalRule
    sections: tuple[Section, ...]
    description: str = ""

    @property
    def items(self) -> dict[str, Item]:
        return {item.id: item for section in self.sections for item in section.items}


def _number(where: str, field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormError(where, field, f"must be a number, got {value!r}")
    if not value > 0 or value != value or value == float("inf"):
        raise FormError(where, field, f"must be > 0, got {value!r}")
    return float(value)


def _bool(where: str, field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise FormError(where, field, f"must be true or false, got {value!r}")
    return value


def _text(where: str, field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FormError(where, field, f"must be a non-empty string, got {value!r}")
    return value


def _unknown(where: str, data: Mapping[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise FormError(where, extra[0], f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _parse_item(where: str, data: object) -> Item:
    if not isinstance(data, Mapping):
        raise FormError(where, None, "must be a table")
    item_id = data.get("id")
    if not isinstance(item_id, str) or not _ID.match(item_id):
        raise FormError(where, "id", f"must match {_ID.pattern}, got {item_id!r}")
    where = f"item {item_id!r}"
    _unknown(where, data, _ITEM_KEYS)
    text = _text(where, "text", data.get("text"))
    if "weight" not in data:
        raise FormError(where, "weight", "missing")
    weight = _number(where, "weight", data["weight"])
    kind = data.get("kind")
    if kind not in ITEM_KINDS:
        raise FormError(where, "kind", f"must be one of {', '.join(ITEM_KINDS)}, got {kind!r}")
    top = data.get("max")
    if kind == "scale":
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise FormError(where, "max", f"a scale item needs an integer max >= 1, got {top!r}")
    elif top is not None:
        raise FormError(where, "max", "only scale items have a max")
    return Item(
        id=item_id,
        text=text,
        weight=weight,
        kind=kind,
        max=top,
        na_allowed=_bool(where, "na_allowed", data.get("na_allowed", False)),
        critical=_bool(where, "critical", data.get("critical", False)),
    )


def parse_form(data: object) -> Form:
    """Validate a decoded definition (TOML or JSON) into a ``Form``; ``FormError`` names the item."""
    if not isinstance(data, Mapping):
        raise FormError("form", None, "must be a table / JSON object")
    _unknown("form", data, _FORM_KEYS)
    name = _text("form", "name", data.get("name"))
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FormError("form", "version", f"must be an integer >= 1, got {version!r}")
    rule = data.get("critical_rule", "zero_evaluation")
    if rule not in CRITICAL_RULES:
        raise FormError(
            "form", "critical_rule", f"must be one of {', '.join(CRITICAL_RULES)}, got {rule!r}"
        )
    description = data.get("description", "")
    if not isinstance(description, str):
        raise FormError("form", "description", "must be a string")
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise FormError("form", "sections", "must be a non-empty list of sections")
    sections: list[Section] = []
    seen_items: set[str] = set()
    seen_sections: set[str] = set()
    for s_index, raw in enumerate(raw_sections):
        where = f"section {s_index}"
        if not isinstance(raw, Mapping):
            raise FormError(where, None, "must be a table")
        s_name = _text(where, "name", raw.get("name"))
        where = f"section {s_name!r}"
        _unknown(where, raw, _SECTION_KEYS)
        if s_name in seen_sections:
            raise FormError(where, "name", "duplicate section name")
        seen_sections.add(s_name)
        s_weight = _number(where, "weight", raw["weight"]) if "weight" in raw else None
        raw_items = raw.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise FormError(where, "items", "must be a non-empty list of items")
        items = []
        for i_index, raw_item in enumerate(raw_items):
            item = _parse_item(f"{where} item {i_index}", raw_item)
            if item.id in seen_items:
                raise FormError(f"item {item.id!r}", "id", "duplicate item id")
            seen_items.add(item.id)
            items.append(item)
        sections.append(Section(name=s_name, items=tuple(items), weight=s_weight))
    return Form(
        name=name,
        version=version,
        critical_rule=rule,
        sections=tuple(sections),
        description=description,
    )


def form_from_text(text: str, fmt: Literal["toml", "json"]) -> Form:
    """Decode and validate; a decoding problem is a ``FormError`` on ``form``."""
    try:
        data = tomllib.loads(text) if fmt == "toml" else json.loads(text)
    except (ValueError, RecursionError) as exc:  # decoding errors, nesting, 5000-digit numbers
        raise FormError("form", None, f"not valid {fmt.upper()}: {exc}") from None
    return parse_form(data)


def format_of(path: str | Path) -> Literal["toml", "json"]:
    return "json" if str(path).lower().endswith(".json") else "toml"


def form_to_dict(form: Form) -> dict[str, Any]:
    """The definition as plain data (same shape as the TOML/JSON file); ``parse_form`` inverts it."""
    sections = []
    for section in form.sections:
        items = []
        for item in section.items:
            raw: dict[str, Any] = {
                "id": item.id,
                "text": item.text,
                "weight": item.weight,
                "kind": item.kind,
                "na_allowed": item.na_allowed,
                "critical": item.critical,
            }
            if item.max is not None:
                raw["max"] = item.max
            items.append(raw)
        s: dict[str, Any] = {"name": section.name, "items": items}
        if section.weight is not None:
            s["weight"] = section.weight
        sections.append(s)
    data: dict[str, Any] = {
        "name": form.name,
        "version": form.version,
        "critical_rule": form.critical_rule,
        "sections": sections,
    }
    if form.description:
        data["description"] = form.description
    return data


def fingerprint(form: Form) -> str:
    """Hash of the definition without its version number: equal content, equal fingerprint."""
    data = form_to_dict(form)
    data.pop("version")
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def next_version(latest: tuple[int, str] | None, form: Form) -> int | None:
    """The version number a save of ``form`` gets, or ``None`` when it equals the latest version.

    ``latest`` is (version, fingerprint) of the newest stored version. Editing creates a new
    version (never rewrites one that evaluations may point at): the file's own number when it is
    higher, else latest + 1.
    """
    if latest is None:
        return form.version
    version, latest_fingerprint = latest
    if fingerprint(form) == latest_fingerprint:
        return None
    return max(form.version, version + 1)
