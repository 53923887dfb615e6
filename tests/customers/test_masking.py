"""Masking of personal data and which role sees which field: hand-written expectations."""

from __future__ import annotations

import pytest

from customers.masking import (
    MaskingError,
    Viewer,
    mask_email,
    mask_field,
    mask_name,
    mask_phone,
    visible_fields,
)


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+8613812345678", "+86 138****5678"),  # mobile, 11 digits: 3 + 4 shown
        ("+862161234567", "+86 216***4567"),  # Shanghai landline, 10 digits
        ("+12125550123", "+1 212***0123"),
        ("+4930123456", "+49 30***456"),  # 8 digits: 2 + 3 shown
        ("+331234567", "+33 1****67"),  # 5-7 digits: 1 + 2 shown
        ("+3314567", "+33 1**67"),
        ("+86110", "+86 ***"),  # very short: nothing shown
        ("garbage-42", "42"),
    ],
)
def test_mask_phone(e164, masked) -> None:
    assert mask_phone(e164) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("张三", "张*"), ("John Smith", "J*** S****"), ("Li", "L*")],
)
def test_mask_name(name, masked) -> None:
    assert mask_name(name) == masked


def test_mask_email_and_notes() -> None:
    assert mask_email("zhang.san@example.com") == "z***@example.com"
    assert mask_email("nonsense") == "***"
    assert mask_field("notes", "prefers mornings") == "[hidden]"
    assert mask_field("email", None) is None
    with pytest.raises(MaskingError, match="field"):
        mask_field("tier", "vip")


@pytest.mark.parametrize(
    ("role", "agent_id", "manager", "fields"),
    [
        ("admin", None, None, {"name", "phone", "email", "notes"}),
        ("supervisor", None, None, {"name", "phone", "email", "notes"}),
        ("agent", "a1", "a2", {"name", "notes"}),
        ("agent", "a1", "a1", {"name", "notes", "phone", "email"}),  # the account manager
        ("qa", None, "a1", set()),
        ("planner", None, None, set()),
    ],
)
def test_visible_fields(role, agent_id, manager, fields) -> None:
    assert visible_fields(Viewer("u1", role, agent_id), manager) == fields


def test_unknown_role_is_named() -> None:
    with pytest.raises(MaskingError, match="role"):
        Viewer("u1", "janitor")
