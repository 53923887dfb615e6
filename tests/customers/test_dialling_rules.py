"""Manual dialling's rules, pure (``outbound.dialling``): allowed prefixes per role (toll fraud,
never overridden), a customer's do-not-call flag and calling hours (overridden with a reason)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from outbound.dialling import (
    CALLING_HOURS,
    DO_NOT_CALL,
    PREFIX,
    blocking,
    customer_refusals,
    prefix_refusal,
)
from outbound.rules import CallingWindow

RULES = {"agent": ["+86", "+852"], "supervisor": ["+"], "qa": []}
# Monday 2026-12-07 12:00 UTC = 20:00 in Shanghai
MONDAY_NOON_UTC = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SHANGHAI_9_TO_18 = CallingWindow("Asia/Shanghai", time(9), time(18), frozenset(range(1, 8)))
SHANGHAI_9_TO_21 = CallingWindow("Asia/Shanghai", time(9), time(21), frozenset(range(1, 8)))


@pytest.mark.parametrize(
    ("number", "role", "allowed"),
    [
        ("+8613800138000", "agent", True),
        ("+85221234567", "agent", True),
        ("+12125550100", "agent", False),  # another country: not for agents
        ("+882345678901", "agent", False),  # +882 (international networks) is not +86
        ("+12125550100", "supervisor", True),  # "+": every number
        ("+8613800138000", "qa", False),  # listed with no prefix
        ("+8613800138000", "planner", False),  # not listed at all
    ],
)
def test_prefixes_per_role(number: str, role: str, allowed: bool) -> None:
    refusal = prefix_refusal(number, role, RULES)
    assert (refusal is None) == allowed
    if refusal is not None:
        assert refusal.reason == PREFIX and not refusal.overridable
        assert role in refusal.message


def test_a_prefix_refusal_says_which_prefixes_are_allowed() -> None:
    refusal = prefix_refusal("+12125550100", "agent", RULES)
    assert refusal is not None and "+86, +852" in refusal.message
    none = prefix_refusal("+8613800138000", "planner", RULES)
    assert none is not None and "dialling.allowed_prefixes" in none.message


def test_do_not_call_and_calling_hours_each_refuse_with_their_own_reason() -> None:
    refusals = customer_refusals("Li Na", True, SHANGHAI_9_TO_18, MONDAY_NOON_UTC)
    assert [r.reason for r in refusals] == [DO_NOT_CALL, CALLING_HOURS]
    assert all(r.overridable for r in refusals)
    assert "Li Na" in refusals[0].message
    assert "09:00-18:00" in refusals[1].message and "Mon 20:00" in refusals[1].message
    assert customer_refusals("Li Na", False, SHANGHAI_9_TO_21, MONDAY_NOON_UTC) == []
    assert customer_refusals(None, False, None, MONDAY_NOON_UTC) == []


def test_a_reason_overrides_the_customers_rules_but_never_a_prefix() -> None:
    refusals = customer_refusals("Li Na", True, SHANGHAI_9_TO_18, MONDAY_NOON_UTC)
    prefix = prefix_refusal("+12125550100", "agent", RULES)
    assert prefix is not None
    assert blocking(refusals, None) == refusals
    assert blocking(refusals, "   ") == refusals  # blank is no reason
    assert blocking(refusals, "asked to be called now") == []
    assert blocking([*refusals, prefix], "asked to be called now") == [prefix]
