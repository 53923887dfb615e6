"""Labels of machine ids (statuses, categories, KPI names...) in the request's language.

A feature keeps its ids' English labels as ``N_`` maps (one home per feature); a page gets them
translated with :func:`localised`, renders them in its template and hands the same dict to its
JavaScript as JSON (``<script type="application/json" id="labels">``, read by
``web/static/js/labels.js``), so the server and the browser show one wording. An id a map does
not know (a category added in the settings) is shown as itself with spaces for underscores.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Mapping

LabelMaps = Mapping[str, Mapping[str, str]]


def localised(
    catalog: stdlib_gettext.NullTranslations,
    maps: LabelMaps,
    ids: Mapping[str, list[str]] | None = None,
) -> dict[str, dict[str, str]]:
    """Every map of ``maps`` translated with ``catalog``; ``ids`` adds the configured ids a map
    should also cover (their label is the id itself when the map has none)."""
    out = {name: {k: catalog.gettext(v) for k, v in m.items()} for name, m in maps.items()}
    for name, extra in (ids or {}).items():
        known = out.setdefault(name, {})
        for i in extra:
            known.setdefault(i, i.replace("_", " "))
    return out
