"""Dialling by hand from the desk and transfers to outside numbers: may this role dial this
number, and may this customer be called now. Pure: values in, values out.

Two kinds of refusal:

* **prefix** (toll fraud): a number outside the role's allowed E.164 prefixes
  (``settings.dialling.allowed_prefixes``) is refused for good, for manual dialling and for
  transfers alike; nobody can override it from the desk.
* **the customer's rules**: a known customer marked do-not-call, or called outside their
  calling hours (``outbound.rules.CallingWindow``: their own, else the configured default ones),
  is refused unless the agent overrides it with a reason, which the caller audits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from kernel.messages import N_, Labels, english
from outbound.rules import CallingWindow

PREFIX = "prefix"
DO_NOT_CALL = "do_not_call"
CALLING_HOURS = "calling_hours"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a number may not be dialled now; ``overridable`` refusals yield to a reason."""

    reason: str  # PREFIX | DO_NOT_CALL | CALLING_HOURS
    msgid: str  # what people read, a catalog msgid (kernel.messages) filled from params
    params: Mapping[str, object]
    overridable: bool

    @property
    def message(self) -> str:
        """The English text."""
        return english(self.msgid, self.params)


def allowed_prefixes(role: str, rules: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The role's prefixes (an admin has the admin entry, none when it is not listed)."""
    return tuple(rules.get(role, ()))


def prefix_refusal(number: str, role: str, rules: Mapping[str, Sequence[str]]) -> Refusal | None:
    """None when ``number`` (E.164) starts with one of ``role``'s allowed prefixes."""
    prefixes = allowed_prefixes(role, rules)
    if any(number.startswith(p) for p in prefixes):
        return None
    if not prefixes:
        message = N_("role %(role)s may not dial outside numbers (dialling.allowed_prefixes)")
    else:
        message = N_("not an allowed number for role %(role)s: allowed prefixes %(prefixes)s")
    return Refusal(
        PREFIX, message, {"role": Labels([role]), "prefixes": ", ".join(prefixes)}, False
    )


def customer_refusals(
    name: str | None, do_not_call: bool, window: CallingWindow | None, now: datetime
) -> list[Refusal]:
    """The known customer's own rules: do-not-call, and their calling hours at ``now``."""
    out: list[Refusal] = []
    who = {"name": name}
    if do_not_call:
        said = (
            N_("%(name)s asked not to be called (do not call)")
            if name
            else N_("this customer asked not to be called (do not call)")
        )
        out.append(Refusal(DO_NOT_CALL, said, who, True))
    if window is not None and not window.allows(now):
        local = now.astimezone(ZoneInfo(window.timezone))
        days = "".join(str(d) for d in sorted(window.days))
        said = (
            N_(
                "outside %(name)s's calling hours (%(start)s-%(end)s on days %(days)s,"
                " %(timezone)s; it is %(now)s there)"
            )
            if name
            else N_(
                "outside this customer's calling hours (%(start)s-%(end)s on days %(days)s,"
                " %(timezone)s; it is %(now)s there)"
            )
        )
        hours = {
            **who,
            "start": f"{window.start:%H:%M}",
            "end": f"{window.end:%H:%M}",
            "days": days,
            "timezone": window.timezone,
            "now": f"{local:%a %H:%M}",
        }
        out.append(Refusal(CALLING_HOURS, said, hours, True))
    return out


def blocking(refusals: Sequence[Refusal], override_reason: str | None) -> list[Refusal]:
    """The refusals that still stop the dial: all without a reason, the others with one."""
    reason = (override_reason or "").strip()
    return [r for r in refusals if not (r.overridable and reason)]
