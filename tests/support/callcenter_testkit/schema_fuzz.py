"""Schemathesis over the application's own OpenAPI document, shared by tests/web/test_openapi.py
and tests/web_pages/test_openapi_fuzz.py (a module of its own, not webtools: only these two tests
need schemathesis and hypothesis). Synchronous: run it in a thread beside the served app.

Each generated case with a JSON object body is also sent twice more, hostile: nested past the
body depth limit (400 expected) and padded past the size limit (413 expected), so every
operation's body reading is held to ``web.bodies``' limits with the schema's own bodies (or the
same 4xx as the plain case, when a check before the body refused it: session, role, path)."""

from __future__ import annotations

import json
from collections.abc import Callable

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings

from web.bodies import MAX_JSON_BYTES, MAX_JSON_DEPTH


def hostile_bodies(body: dict) -> list[tuple[str, bytes, int]]:
    """(name, raw body, expected status): ``body`` nested too deep, and padded too large."""
    text = json.dumps(body).encode()
    levels = 10 * MAX_JSON_DEPTH
    pad = (b", " if body else b"") + b'"pad": "' + b"x" * MAX_JSON_BYTES + b'"}'
    return [
        ("nested", b'{"a":' * levels + text + b"}" * levels, 400),
        ("oversized", text[:-1] + pad, 413),
    ]


def _before_body(resp: requests.Response) -> bool:
    """Refused by a check made before the body is read: session, role, CSRF, path or query."""
    try:
        answer = resp.json()
    except ValueError:
        return False
    if answer.get("field") in ("session", "role", "csrf_token"):
        return True
    return any(f.get("in") in ("path", "query") for f in answer.get("fields", []))


def find_5xx(
    base_url: str,
    cookies: dict[str, str],
    csrf: str,
    *,
    max_examples: int,
    seen: dict[int, int],
    keep: Callable[[str, str], bool] = lambda path, method: True,
    prepare: Callable[[schemathesis.Case], None] | None = None,
    timeout_s: float = 10,
) -> list[str]:
    """Send ``max_examples`` generated requests to each operation that ``keep(path, METHOD)``
    accepts, signed in with ``cookies`` and ``csrf``; ``prepare`` may adjust a case before it is
    sent. Counts the answers' statuses in ``seen`` and returns the 5xx ones, described."""
    raw = requests.get(f"{base_url}/api/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(raw)
    failures: list[str] = []
    http = requests.Session()
    for result in schema.get_all_operations():
        op = result.ok()
        if not keep(op.path, op.method.upper()):
            continue

        @given(case=op.as_strategy())
        @hsettings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        def check(case: schemathesis.Case) -> None:
            if prepare is not None:
                prepare(case)
            resp = case.call(
                base_url=base_url,
                session=http,
                cookies=cookies,
                headers={"X-CSRF-Token": csrf},
                timeout=timeout_s,
            )
            seen[resp.status_code] = seen.get(resp.status_code, 0) + 1
            if resp.status_code >= 500:
                failures.append(
                    f"{case.method.upper()} {case.path} -> {resp.status_code}: "
                    f"{resp.text[:200]} (body {case.body!r}, query {case.query!r})"
                )
            if not isinstance(case.body, dict):
                return
            kwargs = case.as_transport_kwargs(base_url=base_url, headers={"X-CSRF-Token": csrf})
            kwargs.pop("json", None)
            kwargs["cookies"] = cookies
            for name, raw, want in hostile_bodies(case.body):
                resp = http.request(**kwargs, data=raw, timeout=timeout_s)
                seen[resp.status_code] = seen.get(resp.status_code, 0) + 1
                if resp.status_code != want and not _before_body(resp):
                    failures.append(
                        f"{case.method.upper()} {case.path} {name} body -> {resp.status_code}, "
                        f"not {want}: {resp.text[:200]}"
                    )

        try:
            check()
        except hypothesis.errors.Unsatisfiable:
            pass
    return failures
