"""Compile the message catalogs (build step of `make install`): each
``web/locales/<locale>/LC_MESSAGES/messages.po`` to its ``.mo`` (Babel's compiler, as
``pybabel compile``) and to ``web/static/i18n/<locale>.json`` (msgid -> translation, for
``web/static/js/i18n.js``). Fuzzy and untranslated entries are left out, as gettext does."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "web" / "locales"
JSON_DIR = ROOT / "web" / "static" / "i18n"


def main() -> int:
    JSON_DIR.mkdir(parents=True, exist_ok=True)
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        locale = po.parent.parent.name
        with po.open("rb") as f:
            catalog = read_po(f, locale=locale)
        errors = [(m.id, e) for m, es in catalog.check() for e in es]
        if errors:
            for msgid, err in errors:
                print(f"{po}: {msgid!r}: {err}", file=sys.stderr)
            return 1
        with po.with_suffix(".mo").open("wb") as f:
            write_mo(f, catalog)
        table = {
            str(m.id): m.string
            for m in catalog
            # JavaScript's t() has no context: a pgettext entry must not replace the plain one
            if m.id and m.string and not m.fuzzy and isinstance(m.id, str) and not m.context
        }
        (JSON_DIR / f"{locale}.json").write_text(
            json.dumps(table, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )
        done = sum(1 for m in catalog if m.id and m.string and not m.fuzzy)
        total = len([m for m in catalog if m.id])
        pct = done * 100 // total if total else 0  # as `pybabel compile --statistics` reports
        source = " (the source language: an empty entry shows its English msgid)"
        print(
            f"{locale}: {done} of {total} messages ({pct}%) translated{source * (locale == 'en')}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
