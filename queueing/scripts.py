"""The routing Lua scripts: loaded once per server, then called by SHA.

``append.lua`` stands alone (``streams.lua`` in front, as for every script): it adds a batch of entries to one stream in one call (one command to
pack instead of one per entry) and returns their ids.

Each entry script (``events.lua``, ``tick.lua``, ``action.lua``, ``stats.lua``) is run with
``lib.lua`` in front of it. ``KEYS[1]`` is the domain's timers key so a Redis Cluster client routes
the call to the node of the domain's slot; the scripts build the domain's other keys from the
base in ``ARGV[1]`` (same slot through the hash tag).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

from redis.exceptions import NoScriptError

from kernel.keys import DomainKeys

ENTRY_SCRIPTS = ("events", "tick", "action", "stats")
STANDALONE_SCRIPTS = ("append",)  # without lib.lua


@dataclass(frozen=True, slots=True)
class Script:
    name: str
    source: str

    @property
    def sha(self) -> str:
        return hashlib.sha1(self.source.encode()).hexdigest()


def _read(name: str) -> str:
    return files("queueing").joinpath(f"{name}.lua").read_text(encoding="utf-8")


def lua_source(*names: str) -> str:
    """One script from files run one after the other, ``streams.lua`` always first."""
    return "\n".join(_read(n) for n in ("streams", *names))


def load_sources() -> dict[str, Script]:
    scripts = {name: Script(name, lua_source("lib", name)) for name in ENTRY_SCRIPTS}
    scripts.update({name: Script(name, lua_source(name)) for name in STANDALONE_SCRIPTS})
    return scripts


SCRIPTS = load_sources()


def script_args(
    keys: DomainKeys,
    now_ms: int,
    lease_ms: int,
    day: str,
    arg: str,
    publish: tuple[str, str, str] | None = None,
) -> tuple[list[str], list[str]]:
    """KEYS and ARGV of an entry script (``lib.lua`` documents them). ``publish``: (event
    stream, command stream, routers' consumer group) when the script appends its effects to the
    streams itself (single Redis only: the streams are not in the domain's slot)."""
    ts = datetime.fromtimestamp(now_ms / 1000, UTC).isoformat()
    argv = [keys.base, str(now_ms), str(lease_ms), day, arg, ts]
    if publish is None:
        return [keys.timers], argv
    events, commands, group = publish
    return [keys.timers, events, commands], [*argv, group]


def decode_result(raw: Any) -> dict[str, Any]:
    """An entry script's reply → its result. ``finish`` (``lib.lua``) returns
    ``[<JSON object>, <outbox id or ''>, <effects or ''>]`` so the effects, already JSON text, are
    not encoded a second time; they come back as ``"o"`` and ``"fx"``. Scripts that end
    otherwise (``stats.lua``) return the JSON object alone."""
    if isinstance(raw, list):
        result: dict[str, Any] = json.loads(raw[0])
        if len(raw) > 2 and raw[1]:
            result["o"], result["fx"] = raw[1], raw[2]
        return result
    decoded: dict[str, Any] = json.loads(raw)
    return decoded


async def register(client: Any) -> None:
    """``SCRIPT LOAD`` every script (on every primary of a cluster)."""
    for script in SCRIPTS.values():
        await client.script_load(script.source)


async def call(client: Any, name: str, keys: list[str], args: list[str]) -> Any:
    """EVALSHA, loading the script first if the server lost it (restart, SCRIPT FLUSH)."""
    script = SCRIPTS[name]
    try:
        return await client.evalsha(script.sha, len(keys), *keys, *args)
    except NoScriptError:
        await register(client)
        return await client.evalsha(script.sha, len(keys), *keys, *args)


def append_call(stream: str, entries: list[dict[str, str]]) -> tuple[Any, ...]:
    """Arguments of EVALSHA for ``append.lua`` (usable on a client or a pipeline)."""
    flat = [[x for kv in e.items() for x in kv] for e in entries]
    return append_json_call(stream, json.dumps(flat, separators=(",", ":")))


def append_json_call(stream: str, entries_json: str, skip_group: str = "") -> tuple[Any, ...]:
    """Like ``append_call`` for entries already written as a JSON list of flat lists;
    ``skip_group``: a consumer group that needs none of them (``append.lua``)."""
    return SCRIPTS["append"].sha, 1, stream, entries_json, skip_group
