"""Wrap-up drafts: what an agent has typed in the wrap-up form of a call, kept on the server as
they type so that a reload or a dropped connection loses nothing, and so that what was typed is
saved when the wrap-up time runs out. A draft lives two days, then goes (the call is long done).

Only the agent whose call it was writes one (the web checks that), so a draft also proves the
call was theirs after the router has moved on.
"""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as aioredis

from kernel.keys import wrap_up_draft

DRAFT_TTL_S = 2 * 24 * 3600
MAX_DRAFT_BYTES = 32_000


class DraftError(ValueError):
    """A draft too large to keep."""


async def save_draft(
    redis: aioredis.Redis, prefix: str, agent_id: str, call_id: str, draft: dict[str, Any]
) -> None:
    text = json.dumps(draft, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode()) > MAX_DRAFT_BYTES:
        raise DraftError(f"draft: more than {MAX_DRAFT_BYTES} bytes")
    await redis.set(wrap_up_draft(prefix, agent_id, call_id), text, ex=DRAFT_TTL_S)


async def load_draft(
    redis: aioredis.Redis, prefix: str, agent_id: str, call_id: str
) -> dict[str, Any] | None:
    raw = await redis.get(wrap_up_draft(prefix, agent_id, call_id))
    if raw is None:
        return None
    draft = json.loads(raw)
    return draft if isinstance(draft, dict) else None


async def drop_draft(redis: aioredis.Redis, prefix: str, agent_id: str, call_id: str) -> None:
    await redis.delete(wrap_up_draft(prefix, agent_id, call_id))
