"""JSON endpoints, declared by each feature beside its handlers and checked the same way.

A feature's ``http.py`` holds one ``Endpoints`` table (like aiohttp's ``RouteTableDef``): one
decorator per handler declares the route, the roles allowed, and the pydantic schemas of path,
query, body and response. ``web.routes.setup_routes`` adds every feature's table to the
application and ``web.openapi`` describes the same tables, so nothing is written twice and no
route arrives by importing a module.

Every request to an endpoint goes through the same steps: session (401), role (403,
``web.roles.require_role``), path and query and body parsed and validated (``web.bodies``: 413
too large, 400 unreadable or nested too deep; 422 naming the field), then the thin handler, whose
return value is serialised by its response model. CSRF is checked for every state-changing
request by ``web.session.auth.security_middleware`` before this runs; domain errors the handler
lets through become statuses in ``web.errors``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from kernel.runtime import Runtime
from web.bodies import read_bytes, read_json
from web.errors import BadRequestError, ForbiddenError, ValidationError, invalid
from web.i18n.catalog import N_
from web.i18n.validation import pydantic_message
from web.keys import PRINCIPAL, RUNTIME
from web.roles import require_role
from web.schemas import NAME_ID
from web.session.users import Principal

PATH_PARAM = re.compile(r"\{(\w+)\}")
PATH_VALUE_PATTERN = NAME_ID  # ids, and names that are ids (a team's 一组)
PATH_VALUE = re.compile(PATH_VALUE_PATTERN)


@dataclass(frozen=True, slots=True)
class ApiCall:
    """What a handler receives: the request's parts, already checked."""

    request: web.Request
    rt: Runtime
    principal: Principal | None  # None only on public endpoints
    path: dict[str, str]
    query: Any
    body: Any

    @property
    def user(self) -> Principal:
        """The signed-in user (every endpoint but the public ones has one)."""
        assert self.principal is not None
        return self.principal

    def own_agent(self) -> str:
        """The signed-in user's agent: agent endpoints act on it only (403 when none)."""
        if not self.user.agent_id:
            raise ForbiddenError(
                N_("user %(username)s is not tied to an agent"),
                field="agent_id",
                params={"username": self.user.username},
            )
        return self.user.agent_id


Result = BaseModel | web.StreamResponse | None
Handler = Callable[[ApiCall], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Upload:
    """A body that is not JSON (a CSV file): read as bytes, at most ``max_bytes``."""

    media_type: str
    max_bytes: int


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
    upload: Upload | None = None

    @property
    def path_params(self) -> list[str]:
        return PATH_PARAM.findall(self.path)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


@dataclass
class Endpoints:
    """One feature's endpoints; ``tag`` is their OpenAPI tag unless one says otherwise."""

    tag: str
    endpoints: list[Endpoint] = field(default_factory=list)

    def __iter__(self) -> Iterator[Endpoint]:
        return iter(self.endpoints)

    def op(
        self,
        method: str,
        path: str,
        *,
        roles: set[str] | frozenset[str],
        summary: str,
        tag: str | None = None,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        public: bool = False,
        upload: Upload | None = None,
    ) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(
                    method.upper(),
                    path,
                    fn,
                    frozenset(roles),
                    summary,
                    tag or self.tag,
                    body,
                    query,
                    response,
                    status,
                    public,
                    upload,
                )
            )
            return fn

        return deco


def validation_error(exc: PydanticValidationError, where: str) -> ValidationError:
    """A 422 naming each field; the messages are catalog msgids (``web.i18n.validation``)."""
    fields, params = [], []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or where
        msgid, ctx = pydantic_message(err)
        fields.append({"field": loc, "in": where, "message": msgid})
        params.append(ctx)
    return ValidationError(fields, params)


def validation_fields(exc: PydanticValidationError, where: str) -> list[dict[str, str]]:
    """The fields of ``validation_error`` with English messages (prefer ``validation_error``:
    its body follows the request's language)."""
    return validation_error(exc, where).fields


def request_handler(ep: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler of ``ep``: the checks above, then ``ep.handler``, then serialising."""

    async def handle(request: web.Request) -> web.StreamResponse:
        principal = request.get(PRINCIPAL)
        if not ep.public:
            principal = require_role(principal, ep.roles, action=ep.summary.lower())
        path = dict(request.match_info)
        for name, value in path.items():
            if not PATH_VALUE.match(value):
                raise invalid(name, "letters, digits and _.:@- only", "path")
        query = None
        if ep.query is not None:
            try:
                query = ep.query.model_validate(_query_dict(request, ep.query))
            except PydanticValidationError as exc:
                raise validation_error(exc, "query") from None
        body: Any = None
        if ep.body is not None:
            body = await _read_body(request, ep.body)
        elif request.content_type == "application/json" and request.can_read_body:
            await read_json(request)  # unused, but held to the same limits as any JSON body
        if ep.upload is not None:
            body = await read_bytes(request, ep.upload.max_bytes)
        call = ApiCall(request, request.app[RUNTIME], principal, path, query, body)
        result: Result = await ep.handler(call)
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
        raise BadRequestError(N_("must be a JSON object"), field="body")
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise validation_error(exc, "body") from None
