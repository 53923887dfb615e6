"""A small registry of JSON endpoints: one decorator declares the route, the roles allowed, and the
pydantic schemas of path, query, body and response; the same declaration checks each request and
produces the OpenAPI document (``web.api.openapi``), so nothing is written twice.

Every request to a registered endpoint goes through the same steps: session (401), role (403),
path and query and body parsed and validated (``web.bodies``: 413 too large, 400 unreadable or
nested too deep; 422 naming the field), then the thin
handler, whose return value is serialised by its response model. CSRF is checked for every
state-changing request by ``web.auth.security_middleware`` before this runs.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from kernel.runtime import Runtime
from web.bodies import read_json
from web.errors import BadRequestError, ForbiddenError, UnauthorizedError, ValidationError
from web.keys import PRINCIPAL, RUNTIME
from web.users import Principal

PATH_PARAM = re.compile(r"\{(\w+)\}")
PATH_VALUE = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")


@dataclass(frozen=True, slots=True)
class ApiCall:
    """What a handler receives: the request's parts, already checked."""

    request: web.Request
    rt: Runtime
    principal: Principal | None  # None only on public endpoints
    path: dict[str, str]
    query: Any
    body: Any


Handler = Callable[[ApiCall], Awaitable[BaseModel | web.StreamResponse | None]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    roles: frozenset[str]
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    public: bool = False

    @property
    def path_params(self) -> list[str]:
        return PATH_PARAM.findall(self.path)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


def _fields(exc: PydanticValidationError, where: str) -> list[dict[str, str]]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or where
        out.append({"field": loc, "in": where, "message": err["msg"]})
    return out


@dataclass
class Api:
    endpoints: list[Endpoint] = field(default_factory=list)

    def op(
        self,
        method: str,
        path: str,
        *,
        roles: set[str] | frozenset[str],
        summary: str,
        tag: str,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        public: bool = False,
    ) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(
                    method.upper(),
                    path,
                    fn,
                    frozenset(roles),
                    summary,
                    tag,
                    body,
                    query,
                    response,
                    status,
                    public,
                )
            )
            return fn

        return deco

    def install(self, app: web.Application) -> None:
        for ep in self.endpoints:
            app.router.add_route(ep.method, ep.path, _wrap(ep), name=ep.operation_id)


def _wrap(ep: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        principal: Principal | None = request.get(PRINCIPAL)
        if principal is None and not ep.public:
            raise UnauthorizedError("sign in first", field="session")
        if (
            principal is not None
            and not ep.public
            and principal.role not in ep.roles
            and principal.role != "admin"
        ):
            raise ForbiddenError(
                f"role {principal.role!r} may not {ep.summary.lower()}", field="role"
            )
        path = dict(request.match_info)
        for name, value in path.items():
            if not PATH_VALUE.match(value):
                raise ValidationError(
                    [{"field": name, "in": "path", "message": "letters, digits and _.:@- only"}]
                )
        query = None
        if ep.query is not None:
            try:
                query = ep.query.model_validate(_query_dict(request, ep.query))
            except PydanticValidationError as exc:
                raise ValidationError(_fields(exc, "query")) from None
        body = None
        if ep.body is not None:
            body = await _read_body(request, ep.body)
        elif request.content_type == "application/json" and request.can_read_body:
            await read_json(request)  # unused, but held to the same limits as any JSON body
        call = ApiCall(request, request.app[RUNTIME], principal, path, query, body)
        result = await ep.handler(call)
        if result is None:
            return web.json_response({"ok": True}, status=ep.status)
        if isinstance(result, web.StreamResponse):
            return result
        return web.json_response(result.model_dump(mode="json"), status=ep.status)

    handle.__name__ = ep.operation_id
    return handle


def _query_dict(request: web.Request, model: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in request.query:
        values = request.query.getall(key)
        info = model.model_fields.get(key)
        is_list = info is not None and "list" in str(info.annotation)
        out[key] = values if is_list else values[-1]
    return out


async def _read_body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    data = await read_json(request)
    if not isinstance(data, dict):
        raise BadRequestError("must be a JSON object", field="body")
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(_fields(exc, "body")) from None
