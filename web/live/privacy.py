"""Masking of personal data in the live feed. No live page needs a full number (unmasked reads go
through the customers service, which audits them), so every event payload is masked before it
leaves the server, for every role, with the customers area's rules (``customers.masking``):

* by name: the fields that hold a number (``PHONE_FIELDS``) are masked whole (``mask_phone``);
* by value: in every other text of the payload, however deep in objects and lists, each
  number-shaped run is masked (``mask_numbers``), so a number inside a customer id, a channel
  name, a caller name or wrap-up notes does not get through either.

JSON numbers, booleans and null are passed as they are (counts, durations, scores).

Free text the API shows beside a call (wrap-up notes to QA, a callback's note on the agent's
preview) goes through ``text_for``: its numbers are masked for the roles the customers policy
does not let see a phone number (customers' own notes: ``customers.records``).
"""

from __future__ import annotations

from typing import Any

from customers.masking import Viewer, mask_numbers, mask_phone, visible_fields
from web.session.users import Principal

PHONE_FIELDS = frozenset({"caller", "number", "phone", "dialled", "caller_id"})


def mask_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A copy of an event payload in which no number-shaped text is left."""
    return {k: _masked(v, k in PHONE_FIELDS) for k, v in payload.items()}


def _masked(value: Any, phone_field: bool = False) -> Any:
    if isinstance(value, str):
        return mask_phone(value) if phone_field and value else mask_numbers(value)
    if isinstance(value, dict):
        return {k: _masked(v, k in PHONE_FIELDS) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


def viewer_of(principal: Principal) -> Viewer:
    """The signed-in user as the customers area's masking rules see them."""
    return Viewer(user_id=principal.username, role=principal.role, agent_id=principal.agent_id)


def text_for(viewer: Viewer, text: str | None) -> str | None:
    """Free text as ``viewer`` may read it: numbers masked unless the role may see phones."""
    if text is None or "phone" in visible_fields(viewer):
        return text
    return mask_numbers(text)
