"""Request bodies are read with limits on every endpoint: nested too deep is 400, too large is
413, a number too long to convert is 400, each naming ``body``; never a 500, signed in or not.
A hand-made case list over every state-changing endpoint (schemathesis covers the schemas: see
tests/web/test_openapi.py and tests/web_pages/test_openapi_fuzz.py)."""

from __future__ import annotations

import re

import aiohttp
import pytest
from callcenter_testkit.webtools import Login

from web.bodies import MAX_JSON_BYTES, MAX_JSON_DEPTH, json_depth, parse_json
from web.domain_errors import value_error
from web.endpoints import Endpoint
from web.errors import BadRequestError
from web.routes import endpoints
from workforce.planner_store import MAX_HISTORY_BYTES

# (name, body, status, words in the message)
CASES = [
    ("deep array", b"[" * 30_000, 400, "nested deeper"),
    ("deep object", b'{"a":' * 10_000, 400, "nested deeper"),
    ("deep but closed", b"[" * 40 + b"]" * 40, 400, "nested deeper"),
    ("too large", b'{"a": "' + b"x" * MAX_JSON_BYTES + b'"}', 413, "bytes allowed"),
    ("long number", b'{"a": ' + b"9" * 5000 + b"}", 400, "digits"),
    ("not UTF-8", b'{"a": "\xff\xfe"}', 400, "not UTF-8"),
    ("not JSON", b'{"a": ', 400, "not JSON"),
]
FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def state_changing() -> list[Endpoint]:
    return [ep for ep in endpoints() if ep.method in ("POST", "PUT", "PATCH")]


def concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", "x1", path)


async def _send(s: aiohttp.ClientSession, ep: Endpoint, body: bytes) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    async with s.request(ep.method, concrete(ep.path), data=body, headers=headers) as r:
        assert r.content_type == "application/json", (ep.method, ep.path, r.status)
        return r.status, await r.json()


def test_every_state_changing_endpoint_is_listed() -> None:
    eps = state_changing()
    assert len(eps) >= 30
    assert ("POST", "/api/session") in {(ep.method, ep.path) for ep in eps}
    assert ("POST", "/api/qa/calibrations") in {(ep.method, ep.path) for ep in eps}


@pytest.mark.parametrize(("name", "body", "status", "words"), CASES, ids=[c[0] for c in CASES])
async def test_signed_in_every_endpoint_refuses_the_body(
    login: Login, name: str, body: bytes, status: int, words: str
) -> None:
    ada = await login("ada")  # an admin passes every role check: the body is what is judged
    for ep in state_changing():
        got, answer = await _send(ada, ep, body)
        assert (got, answer["field"]) == (status, "body"), (ep.method, ep.path, answer)
        assert words in answer["message"], (ep.method, ep.path, answer)


@pytest.mark.parametrize(("name", "body", "status", "words"), CASES, ids=[c[0] for c in CASES])
async def test_signed_out_no_endpoint_fails(
    anon: aiohttp.ClientSession, name: str, body: bytes, status: int, words: str
) -> None:
    async with anon.get("/api/session") as r:
        anon.headers["X-CSRF-Token"] = (await r.json())["csrf_token"]
    for ep in state_changing():
        got, answer = await _send(anon, ep, body)
        if ep.public:  # the sign-in reads the body: judged like any other
            assert (got, answer["field"]) == (status, "body"), answer
        else:  # the session is checked first, the body never read
            assert (got, answer["field"]) == (401, "session"), (ep.method, ep.path, answer)


async def test_oversized_upload_and_form_are_413(login: Login, anon: aiohttp.ClientSession) -> None:
    pat = await login("pat")
    csv = b"interval_start,calls,aht_s\n" + b"x" * MAX_HISTORY_BYTES
    async with pat.put("/api/planner/history", data=csv, headers={"Content-Type": "text/csv"}) as r:
        assert r.status == 413
        assert (await r.json())["field"] == "body"
    form = {"username": "ada", "password": "x" * 20_000, "csrf_token": "t"}
    async with anon.post("/login", data=form) as r:
        assert r.status == 413
        assert "bytes allowed" in await r.text()


async def test_a_long_number_is_a_400_naming_the_body(login: Login) -> None:
    """It was a 422 whose ``field`` held the decoder's message."""
    pat = await login("pat")
    async with pat.post(
        "/api/planner/rosters",
        data=b'{"time_limit_s": ' + b"7" * 5000 + b"}",
        headers={"Content-Type": "application/json"},
    ) as r:
        answer = await r.json()
    assert r.status == 400 and answer["field"] == "body"
    assert FIELD_NAME.fullmatch(answer["field"])


@pytest.mark.parametrize(
    ("raw", "depth"),
    [
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'{"a": "[[[[[[[[[["}', 1),  # brackets in strings do not count
        (b'{"a": "\\"[[[["}', 1),  # nor after an escaped quote
        (b"[" * 100, MAX_JSON_DEPTH + 1),  # counting stops past the limit
        (b"", 0),
    ],
)
def test_json_depth(raw: bytes, depth: int) -> None:
    assert json_depth(raw, MAX_JSON_DEPTH) == depth


def test_parse_json_within_the_limit() -> None:
    nested = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    value = parse_json(nested)
    for _ in range(MAX_JSON_DEPTH - 1):
        (value,) = value
    assert value == []
    with pytest.raises(BadRequestError, match="nested deeper than 32"):
        parse_json(b"[" + nested + b"]")


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("extra_s: must be positive", "extra_s"),
        ("answers.q1: out of range", "answers.q1"),
        (
            "Exceeds the limit (4300 digits) for integer string conversion: value has 5000 "
            "digits; use sys.set_int_max_str_digits() to increase the limit",
            "body",
        ),
        ("no colon here", "body"),
    ],
)
def test_a_services_value_error_keeps_field_a_name(message: str, field: str) -> None:
    err = value_error(ValueError(message))
    assert err.field == field
    assert FIELD_NAME.fullmatch(err.field)
