"""Request bodies, read in one place and with limits, so no body can cost a 500 or unbounded
memory, signed in or not.

* ``read_bytes``: at most ``max_bytes`` (a larger ``Content-Length`` is refused before reading,
  a body without one is read in pieces and refused once it passes the limit): 413.
* ``read_json``: ``read_bytes`` with ``MAX_JSON_BYTES``, then ``parse_json``: objects and arrays
  nested deeper than ``MAX_JSON_DEPTH`` are refused before decoding (the decoder recurses: 30,000
  ``[`` used to end in ``RecursionError``), as are invalid UTF-8, invalid JSON and numbers too long
  to convert (more than 4,300 digits): 400, ``field`` ``body``, the message saying which.
* ``read_form``: a form (sign-in, sign-out, CSRF token) of at most ``MAX_FORM_BYTES``.

Nothing else reads a request body; the application's ``client_max_size`` (``MAX_REQUEST_BYTES``)
bounds what aiohttp itself would buffer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from web.errors import BadRequestError, PayloadTooLargeError
from web.i18n.catalog import N_

MAX_JSON_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32
MAX_FORM_BYTES = 16 * 1024
MAX_REQUEST_BYTES = 4 * 1024 * 1024 + 64 * 1024  # the largest upload (a history CSV) and a margin

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def _too_large(max_bytes: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        N_("larger than the %(max_bytes)s bytes allowed"),
        field="body",
        params={"max_bytes": max_bytes},
    )


async def read_bytes(request: web.Request, max_bytes: int) -> bytes:
    """The whole body, refused with 413 as soon as it is known to pass ``max_bytes``."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.readany():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def json_depth(raw: bytes, limit: int) -> int:
    """How deep objects and arrays nest in ``raw`` (strings skipped); stops counting past
    ``limit``. Invalid JSON gets an answer too (the decoder refuses it afterwards)."""
    depth = deepest = 0
    for m in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if m.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        else:
            depth -= 1
    return deepest


def parse_json(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``raw`` decoded; ``BadRequestError`` (field ``body``) says what is wrong with it."""
    if json_depth(raw, max_depth) > max_depth:
        raise BadRequestError(
            N_("nested deeper than %(max_depth)s levels"),
            field="body",
            params={"max_depth": max_depth},
        )
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadRequestError(
            N_("not UTF-8 text: byte %(byte)s"), field="body", params={"byte": exc.start}
        ) from None
    except json.JSONDecodeError as exc:
        raise BadRequestError(
            N_("not JSON: %(reason)s"), field="body", params={"reason": str(exc)}
        ) from None
    except (ValueError, RecursionError) as exc:  # a number of more than 4300 digits
        raise BadRequestError(
            N_("not JSON this server reads: %(reason)s"), field="body", params={"reason": str(exc)}
        ) from None


async def read_json(request: web.Request) -> Any:
    """The body as JSON (an empty body is ``{}``), within ``MAX_JSON_BYTES`` and the depth."""
    raw = await read_bytes(request, MAX_JSON_BYTES)
    return parse_json(raw) if raw.strip() else {}


async def read_form(
    request: web.Request,
) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        raise _too_large(MAX_FORM_BYTES)
    return await request.post()
