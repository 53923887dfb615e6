"""The OpenAPI 3.1 document of ``/api/``, built once from the endpoints' declarations (their
pydantic schemas, roles and uploads) when the application is created."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from web.endpoints import PATH_VALUE_PATTERN, Endpoint

REF = "#/components/schemas/{model}"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "field": {"type": "string"},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "in": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF)
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
    }


def _operation(ep: Endpoint, components: dict[str, Any]) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": PATH_VALUE_PATTERN},
        }
        for name in ep.path_params
    ]
    if ep.query is not None:
        qs = ep.query.model_json_schema(ref_template=REF)
        for name, sub in qs.pop("$defs", {}).items():
            components[name] = sub
        required = set(qs.get("required", []))
        for name, prop in qs.get("properties", {}).items():
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    responses: dict[str, Any] = {}
    ok: dict[str, Any] = {"description": "OK"}
    if ep.response is not None:
        ok["content"] = {"application/json": {"schema": _schema(ep.response, components)}}
    else:
        ok["content"] = {"application/json": {"schema": {"$ref": REF.format(model="Ok")}}}
    responses[str(ep.status)] = ok
    responses["401"] = _error("no valid session")
    responses["403"] = _error("wrong role, not your agent or call, or CSRF token missing")
    if ep.body is not None or ep.query is not None or ep.path_params:
        responses["400"] = _error("unreadable input")
    if ep.body is not None or ep.query is not None or ep.path_params or ep.upload is not None:
        responses["422"] = _error("invalid input; `field` names it")
    if ep.method != "GET":
        responses["409"] = _error("the action's precondition failed")
    op: dict[str, Any] = {
        "operationId": ep.operation_id,
        "summary": ep.summary,
        "tags": [ep.tag],
        "parameters": params,
        "responses": responses,
        "x-roles": sorted(ep.roles | {"admin"}),
    }
    if ep.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema(ep.body, components)}},
        }
    elif ep.upload is not None:
        schema = {"type": "string", "maxLength": ep.upload.max_bytes}
        op["requestBody"] = {
            "required": True,
            "content": {ep.upload.media_type: {"schema": schema}},
        }
    if ep.method != "GET":
        op["security"] = [{"session": [], "csrf": []}]
    return op


def build_openapi(endpoints: Iterable[Endpoint], *, title: str, version: str) -> dict[str, Any]:
    components: dict[str, Any] = {
        "Error": ERROR_SCHEMA,
        "Ok": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
    }
    paths: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        paths.setdefault(ep.path, {})[ep.method.lower()] = _operation(ep, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "cc_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
        },
        "security": [{"session": []}],
    }
