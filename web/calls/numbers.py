"""The check every outside number from the desk passes (a transfer to a number, manual
dialling): a phone number, in E.164, inside the role's allowed prefixes (toll fraud)."""

from __future__ import annotations

from customers.records import FieldError, normalise_number
from kernel.settings import Settings
from outbound.dialling import prefix_refusal
from web.errors import ForbiddenError, invalid_because


def outside_number(settings: Settings, role: str, raw: str, field: str) -> str:
    """``raw`` in E.164 when ``role`` may dial it: 422 naming ``field`` when it is no phone
    number, 403 naming ``field`` when it is outside the role's allowed prefixes."""
    try:
        number = normalise_number(raw, settings.default_region)
    except FieldError as exc:
        raise invalid_because(field, exc) from None
    refused = prefix_refusal(number, role, settings.dialling.allowed_prefixes)
    if refused is not None:
        raise ForbiddenError(refused.msgid, field=field, params=refused.params)
    return number
