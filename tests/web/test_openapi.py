"""The OpenAPI document is generated from the handlers' schemas, and schemathesis, fed with it,
finds no 5xx (a bounded number of examples per operation, signed in as an admin so every
operation's handler runs)."""

from __future__ import annotations

import asyncio

import hypothesis
import pytest
import requests
import schemathesis
from conftest import Login, Server  # type: ignore[import-not-found]
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings

from web.api import load_endpoints


async def test_document_lists_every_endpoint(anon, server: Server) -> None:
    async with anon.get("/api/openapi.json") as r:
        assert r.status == 200
        doc = await r.json()
    assert doc["openapi"].startswith("3.1")
    api = load_endpoints()
    for ep in api.endpoints:
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


def _run_schemathesis(
    base_url: str, cookies: dict[str, str], csrf: str, max_examples: int, seen: dict[int, int]
) -> list[str]:
    raw = requests.get(f"{base_url}/api/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(raw)
    failures: list[str] = []
    http = requests.Session()
    for result in schema.get_all_operations():
        op = result.ok()
        if op.path == "/api/session" and op.method.upper() == "DELETE":
            continue  # would sign the test's session out

        @given(case=op.as_strategy())
        @hsettings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        def check(case: schemathesis.Case) -> None:
            resp = case.call(
                base_url=base_url,
                session=http,
                cookies=cookies,
                headers={"X-CSRF-Token": csrf},
                timeout=10,
            )
            seen[resp.status_code] = seen.get(resp.status_code, 0) + 1
            if resp.status_code >= 500:
                failures.append(
                    f"{case.method} {case.path} -> {resp.status_code}: "
                    f"{resp.text[:200]} (body {case.body!r}, query {case.query!r})"
                )

        try:
            check()
        except hypothesis.errors.Unsatisfiable:
            pass
    return failures


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
        _run_schemathesis, server.url, cookies, s.headers["X-CSRF-Token"], 15, seen
    )
    assert failures == []
    assert sum(n for status, n in seen.items() if status < 300) > 10, seen
    assert any(400 <= status < 500 for status in seen), seen
