"""Masking of personal data in the live feed: phone numbers in event payloads are masked with the
customers area's rule (``store.masking.mask_phone``) before any event leaves the server. No live
page needs a full number; unmasked reads go through the customers service, which audits them."""

from __future__ import annotations

from typing import Any

from store.masking import mask_phone

PHONE_FIELDS = ("caller", "number", "phone", "dialled", "caller_id")


def mask_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A copy of an event payload with every phone-number field masked."""
    if not any(k in payload for k in PHONE_FIELDS):
        return payload
    out = dict(payload)
    for k in PHONE_FIELDS:
        v = out.get(k)
        if isinstance(v, str) and v:
            out[k] = mask_phone(v)
    return out
