"""Every translatable string of the project, found with Babel's extractors (``babel.cfg`` says
where): ``N_``/``gettext``/``_`` in Python and templates, ``invalid``'s message (its second
argument: ``web.errors.invalid`` takes a msgid), ``t`` in the pages' JavaScript (only there:
Python code reads ``t[...]`` as a row). ``make messages`` writes the result as
``web/locales/messages.pot``; the catalog test compares the catalogs with it."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent.parent
KEYWORDS = {
    "python": {**DEFAULT_KEYWORDS, "N_": None, "invalid": (2,)},
    "jinja2": dict(DEFAULT_KEYWORDS),
}
JS_KEYWORDS = {"t": None}


def extract(root: Path = ROOT) -> Catalog:
    """The template catalog of every marked string under ``root``."""
    with (root / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, filename=str(root / "babel.cfg"))
    catalog = Catalog(project="callcenter", copyright_holder="callcenter contributors")
    for kind, keywords in (("python", KEYWORDS["python"]), ("javascript", JS_KEYWORDS)):
        methods = [(p, m) for p, m in method_map if (m == "javascript") == (kind == "javascript")]
        found = extract_from_dir(
            str(root), methods, options_map, keywords=keywords, strip_comment_tags=True
        )
        for filename, lineno, message, comments, context in found:
            catalog.add(
                message, None, [(filename, lineno)], auto_comments=comments, context=context
            )
    return catalog


def main() -> int:
    out = ROOT / "web" / "locales" / "messages.pot"
    with out.open("wb") as f:
        write_po(f, extract(), omit_header=False, sort_output=True, no_location=True)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
