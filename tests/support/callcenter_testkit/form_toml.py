"""Write a QA form, given as the dict its JSON file would hold, as the TOML file a department
would write (top-level keys, ``[[sections]]``, ``[[sections.items]]``): the tests state a form
once, compactly, and still feed the parser real TOML."""

from __future__ import annotations

import json
from typing import Any


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a TOML basic string
    return str(v)


def _keys(table: dict[str, Any]) -> list[str]:
    return [f"{k} = {_value(v)}" for k, v in table.items() if not isinstance(v, list)]


def form_toml(form: dict[str, Any]) -> str:
    lines = _keys(form)
    for section in form.get("sections", []):
        lines += ["", "[[sections]]", *_keys(section)]
        for item in section.get("items", []):
            lines += ["", "[[sections.items]]", *_keys(item)]
    return "\n".join(lines) + "\n"


def item(
    item_id: str,
    text: str,
    weight: float,
    kind: str,
    *,
    max: int | None = None,  # noqa: A002 - the form's own key
    na_allowed: bool = False,
    critical: bool = False,
) -> dict[str, Any]:
    """One item, every key spelled out as a department's file would."""
    out: dict[str, Any] = {"id": item_id, "text": text, "weight": weight, "kind": kind}
    if max is not None:
        out["max"] = max
    return out | {"na_allowed": na_allowed, "critical": critical}
