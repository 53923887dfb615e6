"""The number a waiting caller asks to be called back at: E.164 and a possible number, else a
``CallbackNumberError`` naming the field ``number``, before anything changes in Redis."""

from __future__ import annotations

from typing import Any

import pytest
from callcenter_testkit.queueing_helpers import Clock, make_settings, routing_for
from hypothesis import given
from hypothesis import strategies as st

from queueing.actions import callback_number
from queueing.errors import CallbackNumberError, CallError, QueueingError


@pytest.mark.parametrize(
    ("number", "e164"),
    [
        ("+8613800000000", "+8613800000000"),  # CN mobile, 11 national digits
        ("+861012345678", "+861012345678"),  # CN Beijing fixed line
        ("+14155552671", "+14155552671"),  # US, the E.164 example of ITU-T / Twilio
        ("+442071838750", "+442071838750"),  # UK London
        ("+85221234567", "+85221234567"),  # Hong Kong, 8 national digits
    ],
)
def test_e164_numbers_pass(number: str, e164: str) -> None:
    assert callback_number("c1", number) == e164


@pytest.mark.parametrize(
    "number",
    [
        "",  # empty
        "8613800000000",  # no +
        "13800000000",  # a national number: the caller reads those in its region
        "+86 138 0000 0000",  # spaces
        "+86-13800000000",  # punctuation
        "+0123456789",  # no country code starts with 0
        "+1" + "9" * 44,  # 45 characters: longer than E.164 (and the store's column)
        "+8613800000000\n",  # a trailing newline
        "+999123456",  # no such country code
        "+12",  # too short for any plan
        "+861",  # too short for China
        None,
        8613800000000,
    ],
)
def test_other_numbers_are_refused_naming_number(number: object) -> None:
    with pytest.raises(CallbackNumberError) as err:
        callback_number("c1", number)
    assert err.value.field == "number"
    assert err.value.call_id == "c1"
    assert err.value.number == number
    assert isinstance(err.value, CallError) and isinstance(err.value, QueueingError)


@given(st.text(alphabet="0123456789", min_size=16, max_size=40))
def test_more_than_15_digits_is_never_e164(digits: str) -> None:
    with pytest.raises(CallbackNumberError):
        callback_number("c1", "+" + digits)


async def test_request_callback_refuses_before_redis(redis: Any, prefix: str) -> None:
    s = make_settings(prefix, [{"id": "general", "skills": {"general": 1}}])
    routing, actions = routing_for(redis, s, Clock())
    await routing.setup()
    now = routing.now_ms()
    op = {"op": "arrive", "call": "c1", "queue": "general", "prio": 0, "ts": now}
    await routing.run(s.routing.domain, "events", [op], now)
    with pytest.raises(CallbackNumberError):
        await actions.request_callback("c1", "+1" + "9" * 44)
    key = routing.keys(s.routing.domain).call("c1")
    assert await redis.hget(key, "state") == "waiting"
    assert not await redis.hget(key, "number")
    callback = await actions.request_callback("c1", "+8613800000000")
    assert (callback.queue_id, callback.dial_call_id) == ("general", "c1-cb")
    assert await redis.hget(key, "number") == "+8613800000000"
