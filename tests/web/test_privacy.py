"""Masking of the live feed's payloads, by name and by value: no number-shaped text survives in
any generated payload, and what is not number-shaped (ids, durations, counts, dates) is left
alone. Hand-written cases first, then properties (hypothesis)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from callcenter_testkit.webtools import strings_in
from hypothesis import given
from hypothesis import strategies as st

from customers.masking import mask_numbers, number_shaped
from web.live.privacy import mask_payload


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        ("cust-+8615041175891", ["+8615041175891"]),
        ("cust-15551230001", ["15551230001"]),
        ("call +86 150-4117-5891 after six", ["+86 150-4117-5891"]),
        ("(010) 6234 5678", ["(010) 6234 5678"]),
        ("010 - 6234 - 5678", ["010 - 6234 - 5678"]),
        ("电话13812345678请回拨", ["13812345678"]),
        ("cust_13812345678", ["13812345678"]),
        ("１３８１２３４５６７８", ["１３８１２３４５６７８"]),  # full-width digits
        ("Local/+8613812345678@sim-caller-00000001;1", ["+8613812345678", "00000001"]),
        # not number-shaped: short ids, figures, dates and datetimes, ids glued to letters
        ("agent 1001 took 12 calls in 3600 s", []),
        ("123456", []),
        ("2026-11-16", []),
        ("2026-11-16T09:00:00+08:00", []),
        ("PJSIP/trunk-0000001a", []),
        ("CMP-1a2b3c4d5e6f", []),
        ("a1b2c3d4e5f6a7b8", []),
    ],
)
def test_number_shaped(text: str, shaped: list[str]) -> None:
    assert number_shaped(text) == shaped


def test_payload_masked_by_name_and_by_value() -> None:
    payload = {
        "caller": "+8615041175891",
        "caller_name": "15041175891",
        "customer_id": "cust-+8615041175891",
        "channel": "PJSIP/+8615041175891@trunk-0000002b",
        "notes": "客户要求改号码为 139 0000 1111，明天回电",
        "wait_s": 12.5,
        "agents": 1001,
        "queue": "support",
        "due_at": "2026-11-16T09:00:00+08:00",
        "answers": {"comment": "call me on 13900001111", "score": 5, "number": "+8613900001111"},
        "tags": ["vip", "+86 139 0000 1111"],
        "answered": True,
        "tier": None,
    }
    out = mask_payload(payload)
    assert out == payload | {
        "caller": "+86 150****5891",
        "caller_name": "*********91",
        "customer_id": "cust-+86 150****5891",
        "channel": "PJSIP/+86 150****5891@trunk-0000002b",
        "notes": "客户要求改号码为 *********11，明天回电",
        "answers": {"comment": "call me on *********11", "score": 5, "number": "+86 139****1111"},
        "tags": ["vip", "+86 139****1111"],
    }
    assert payload["caller"] == "+8615041175891"  # the event itself is not changed


# ---- properties ---------------------------------------------------------------------------

SEPARATORS = st.sampled_from(["", "", " ", "-", ".", " - ", "  ", "/"])


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """A number as people and systems write it: E.164 or national, grouped with separators."""
    digits = draw(st.text("0123456789", min_size=7, max_size=15))
    groups: list[str] = []
    rest = digits
    while rest:
        size = draw(st.integers(1, 5))
        groups.append(rest[:size])
        rest = rest[size:]
    text = groups[0] + "".join(draw(SEPARATORS) + g for g in groups[1:])
    if draw(st.booleans()):
        text = "+" + text
    return text


PROSE = "abcxyzABC 张三电话请回拨，。:;-_/()+.@"
PROSE_WORDS = st.text(PROSE, max_size=12)
WORDS = st.text(PROSE + "0123456789０１２", max_size=12)  # digits too: ids, figures
# Glue that keeps a number a separate run (a Latin letter or a digit would make it part of an id).
BEFORE = st.sampled_from([" ", "-", "_", "/", ":", "@", ";", "cust-", "电话", "，", "("])
AFTER = st.sampled_from([" ", "-", "_", "/", ":", "@", ";", "请回拨", "，", ")", "。"])


@st.composite
def texts_with_numbers(draw: st.DrawFn) -> tuple[str, list[str]]:
    parts: list[str] = []
    numbers: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        parts.append(draw(PROSE_WORDS))
        number = draw(phone_numbers())
        numbers.append(number)
        parts.append(draw(BEFORE) + number + draw(AFTER))
    parts.append(draw(PROSE_WORDS))
    return "".join(parts), numbers


LEAVES = st.one_of(
    texts_with_numbers().map(lambda t: t[0]),
    st.tuples(WORDS, phone_numbers(), WORDS).map("".join),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    WORDS,
)
PAYLOADS = st.dictionaries(
    st.sampled_from(["caller", "customer_id", "notes", "channel", "x", "answers", "number"]),
    st.recursive(
        LEAVES,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(WORDS, inner, max_size=3),
        max_leaves=8,
    ),
)


@given(PAYLOADS)
def test_no_number_shaped_text_is_left(payload: dict[str, Any]) -> None:
    out = mask_payload(payload)
    for text in strings_in(out):
        assert number_shaped(text) == [], text
    json.dumps(out)  # still a JSON object


@given(texts_with_numbers())
def test_every_written_number_is_masked(case: tuple[str, list[str]]) -> None:
    text, numbers = case
    masked = mask_numbers(text)
    for number in numbers:
        digits = "".join(c for c in number if c.isdigit())
        assert digits not in "".join(c for c in masked if c.isdigit() or c == "*"), (text, masked)


@given(
    st.one_of(
        st.integers(),
        st.floats(allow_nan=False),
        st.text("0123456789", max_size=6),
        st.dates().map(lambda d: d.isoformat()),
        st.datetimes().map(lambda d: d.isoformat()),
        st.from_regex(r"[a-z]{1,4}[0-9a-f]{0,12}[a-z]", fullmatch=True),
    )
)
def test_what_is_not_number_shaped_is_left_alone(value: object) -> None:
    assert mask_payload({"x": value, "wait_s": value}) == {"x": value, "wait_s": value}
