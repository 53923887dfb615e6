"""The OpenAPI document is generated from the handlers' schemas, and schemathesis, fed with it,
finds no 5xx (a bounded number of examples per operation, signed in as an admin so every
operation's handler runs)."""

from __future__ import annotations

import asyncio

import pytest
from callcenter_testkit.schema_fuzz import find_5xx
from callcenter_testkit.webtools import Login, Server

from web.routes import endpoints


async def test_document_lists_every_endpoint(anon, server: Server) -> None:
    async with anon.get("/api/openapi.json") as r:
        assert r.status == 200
        doc = await r.json()
    assert doc["openapi"].startswith("3.1")
    for ep in endpoints():
        op = doc["paths"][ep.path][ep.method.lower()]
        assert op["summary"] == ep.summary
        if ep.body is not None:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            name = ref.rsplit("/", 1)[1]
            assert name == ep.body.__name__
            # the same pydantic schema, not a copy written by hand
            assert (
                doc["components"]["schemas"][name]["properties"].keys()
                == ep.body.model_json_schema()["properties"].keys()
            )
    reason = doc["components"]["schemas"]["NotReadyBody"]["properties"]["reason"]
    assert reason["maxLength"] == 32


def _not_sign_out(path: str, method: str) -> bool:
    return not (path == "/api/session" and method == "DELETE")  # would sign the test out


@pytest.mark.slow
@pytest.mark.parametrize("user", ["ada", "alice"])
async def test_schemathesis_finds_no_5xx(login: Login, server: Server, user: str) -> None:
    """As the admin every supervisor handler runs; as an agent every agent handler does."""
    s = await login(user)
    if user == "alice":
        async with s.post("/api/agent/login") as r:
            assert r.status == 200
    cookies = {c.key: c.value for c in s.cookie_jar}
    seen: dict[int, int] = {}
    failures = await asyncio.to_thread(
        find_5xx,
        server.url,
        cookies,
        s.headers["X-CSRF-Token"],
        max_examples=15,
        seen=seen,
        keep=_not_sign_out,
    )
    assert failures == []
    assert sum(n for status, n in seen.items() if status < 300) > 10, seen
    assert any(400 <= status < 500 for status in seen), seen
