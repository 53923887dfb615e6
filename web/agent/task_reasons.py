"""Why an outbound call's customer is called (the return visit's or callback's banner on the
desk), worded in the agent's language from ``outbound.preview``'s reason id and values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from web.i18n.catalog import N_, translations
from web.i18n.formatting import format_date

REASONS = {
    "queue": N_("Asked to be called back while waiting in %(queue)s"),
    "sale_of": N_("After the sale of %(product)s on %(sold_at)s"),
    "sale": N_("After sale %(id)s"),
    "complaint": N_("After complaint %(id)s was resolved"),
    "call": N_("Asked for on call %(id)s"),
    "by_hand": N_("Scheduled by hand"),
}
THE_QUEUE = N_("the queue")
SALE = N_("sale %(id)s")


def task_reason(reason_id: str, params: Mapping[str, Any], locale: str, tz: str) -> str:
    """The reason in ``locale``; dates in the centre's time zone ``tz``."""
    tr = translations(locale)
    values = {k: v for k, v in params.items() if v is not None}
    if reason_id == "queue":
        values.setdefault("queue", tr.gettext(THE_QUEUE))
    if reason_id == "sale_of":
        values.setdefault("product", tr.gettext(SALE) % {"id": params.get("id")})
        sold = params.get("sold_at")
        values["sold_at"] = format_date(sold, locale, tz) if isinstance(sold, datetime) else sold
    return tr.gettext(REASONS.get(reason_id, REASONS["by_hand"])) % values
