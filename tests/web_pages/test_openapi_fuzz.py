"""The planner, QA and complaint endpoints are in the one OpenAPI document, and schemathesis,
fed with it, finds no 5xx on them (signed in as an admin, who passes every role check, and as an
agent for the agent's own endpoints)."""

from __future__ import annotations

import asyncio

import hypothesis
import pytest
import requests
import schemathesis
from conftest import Login, Server  # type: ignore[import-not-found]
from history import history_csv  # type: ignore[import-not-found]
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings

MINE = ("/api/planner/", "/api/qa/", "/api/complaints/", "/api/agent/shifts")


async def test_document_has_the_workspace_endpoints(anon, server: Server) -> None:
    async with anon.get("/api/openapi.json") as r:
        doc = await r.json()
    paths = doc["paths"]
    for path in (
        "/api/planner/forecast",
        "/api/planner/rosters",
        "/api/planner/jobs/{job_id}/cancel",
        "/api/qa/evaluations",
        "/api/qa/scorecards",
        "/api/complaints/tickets",
        "/api/agent/shifts",
    ):
        assert path in paths, path
    upload = paths["/api/planner/history"]["put"]
    assert "text/csv" in upload["requestBody"]["content"]
    move = paths["/api/planner/rosters/{roster_id}/moves"]["post"]
    ref = move["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/MoveBody")
    assert move["x-roles"] == ["admin", "planner"]


def _fuzz(
    base_url: str, cookies: dict[str, str], csrf: str, max_examples: int, seen: dict[int, int]
) -> list[str]:
    raw = requests.get(f"{base_url}/api/openapi.json", timeout=10).json()
    raw["paths"] = {p: v for p, v in raw["paths"].items() if p.startswith(MINE)}
    schema = schemathesis.openapi.from_dict(raw)
    failures: list[str] = []
    http = requests.Session()
    for result in schema.get_all_operations():
        op = result.ok()

        @given(case=op.as_strategy())
        @hsettings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        def check(case: schemathesis.Case) -> None:
            op = case.operation
            if (
                op.path == "/api/planner/rosters"
                and op.method.upper() == "POST"
                and isinstance(case.body, dict)
            ):
                case.body["time_limit_s"] = 3  # keep the machine free
            resp = case.call(
                base_url=base_url,
                session=http,
                cookies=cookies,
                headers={"X-CSRF-Token": csrf},
                timeout=30,
            )
            seen[resp.status_code] = seen.get(resp.status_code, 0) + 1
            if resp.status_code >= 500:
                failures.append(
                    f"{op.method.upper()} {op.path} -> {resp.status_code}: "
                    f"{resp.text[:200]} (body {case.body!r}, query {case.query!r})"
                )

        try:
            check()
        except hypothesis.errors.Unsatisfiable:
            pass
    return failures


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("user", ["ada", "alice"])
async def test_schemathesis_finds_no_5xx(login: Login, server: Server, user: str) -> None:
    s = await login(user)
    if user == "ada":
        await (
            await s.put(
                "/api/planner/history",
                data=history_csv(2).encode(),
                headers={"Content-Type": "text/csv"},
            )
        ).release()
    cookies = {c.key: c.value for c in s.cookie_jar}
    seen: dict[int, int] = {}
    failures = await asyncio.to_thread(
        _fuzz, server.url, cookies, s.headers["X-CSRF-Token"], 12, seen
    )
    assert failures == [], "\n".join(failures[:20])
    assert sum(seen.values()) > 100
