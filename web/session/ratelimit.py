"""Sign-in rate limits, kept in Redis (shared by every web worker), each counter in a fixed window
that starts at its first failure.

Three counters of failed attempts, so that one address never locks out everyone behind it (an
office behind one proxy):

- per (user name, address): ``per_user_address`` failures refuse that user name from that address;
- per user name: ``per_user`` failures refuse that user name from anywhere (guessing spread
  over many addresses);
- per address: ``per_address`` failures refuse that address only for user names that have not
  signed in from it lately (password spraying: one password tried on many names), so colleagues
  behind the same address who signed in from it before still get in.

A successful sign-in clears the user's and the pair's counters and marks the pair known for
``KNOWN_S``. An admin's ``unlock`` clears a user's counters at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import redis.asyncio as aioredis

from kernel.keys import login_addresses, login_failures, login_known
from kernel.settings import Settings

KNOWN_S = 30 * 24 * 3600  # how long a (user name, address) that signed in stays "known"


@dataclass(frozen=True, slots=True)
class LoginLimits:
    window_s: int
    per_user: int
    per_address: int
    per_user_address: int

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginLimits:
        w = settings.web
        return cls(
            window_s=w.login_window_s,
            per_user=w.login_failures_per_user,
            per_address=w.login_failures_per_address,
            per_user_address=w.login_failures_per_user_address,
        )


@dataclass(frozen=True, slots=True)
class Lock:
    """A user's sign-in lock: until when, and from where (None: from every address)."""

    until: datetime
    address: str | None


def blocked_by(
    user_failures: int, pair_failures: int, address_failures: int, known: bool, limits: LoginLimits
) -> str | None:
    """Pure: which limit blocks another attempt, if any: ``user``, ``user_address`` or
    ``address`` (the last only for a user name not known at this address)."""
    if user_failures >= limits.per_user:
        return "user"
    if pair_failures >= limits.per_user_address:
        return "user_address"
    if address_failures >= limits.per_address and not known:
        return "address"
    return None


class LoginThrottle:
    def __init__(self, redis: aioredis.Redis, prefix: str, limits: LoginLimits) -> None:
        self.redis = redis
        self.prefix = prefix
        self.limits = limits

    @classmethod
    def for_settings(cls, redis: aioredis.Redis, settings: Settings) -> LoginThrottle:
        return cls(redis, settings.redis_prefix, LoginLimits.from_settings(settings))

    async def check(self, username: str, address: str) -> tuple[str, int] | None:
        """(blocking limit, seconds until it lifts) or None when an attempt may proceed."""
        keys = login_failures(self.prefix, username, address)
        *counts, known = await self.redis.mget(*keys, login_known(self.prefix, username, address))
        user_f, pair_f, addr_f = (int(c or 0) for c in counts)
        which = blocked_by(user_f, pair_f, addr_f, known is not None, self.limits)
        if which is None:
            return None
        key = dict(zip(("user", "user_address", "address"), keys, strict=True))[which]
        return which, max(1, int(await self.redis.ttl(key)))

    async def failed(self, username: str, address: str) -> None:
        addresses = login_addresses(self.prefix, username)
        async with self.redis.pipeline(transaction=True) as p:
            for k in login_failures(self.prefix, username, address):
                p.set(k, 0, ex=self.limits.window_s, nx=True)  # the window starts at the first
                p.incr(k)
            p.sadd(addresses, address)
            p.expire(addresses, self.limits.window_s)
            await p.execute()

    async def succeeded(self, username: str, address: str) -> None:
        user_key, pair_key, _ = login_failures(self.prefix, username, address)
        async with self.redis.pipeline(transaction=True) as p:
            p.delete(user_key, pair_key)
            p.set(login_known(self.prefix, username, address), 1, ex=KNOWN_S)
            await p.execute()

    async def unlock(self, username: str) -> bool:
        """Clear the user's counters (from every address); True when the user was locked."""
        was_locked = bool(await self.locks(username, now=datetime.min))
        addresses = login_addresses(self.prefix, username)
        pairs = [
            login_failures(self.prefix, username, a)[1] for a in await self._addresses(username)
        ]
        await self.redis.delete(login_failures(self.prefix, username, "")[0], addresses, *pairs)
        return was_locked

    async def locks(self, username: str, *, now: datetime) -> list[Lock]:
        """The user's locks in force: from everywhere first, then per address."""
        user_key = login_failures(self.prefix, username, "")[0]
        found: list[Lock] = []
        count, ttl = await self._count_and_ttl(user_key)
        if count >= self.limits.per_user:
            found.append(Lock(now + timedelta(seconds=ttl), None))
        for address in sorted(await self._addresses(username)):
            count, ttl = await self._count_and_ttl(
                login_failures(self.prefix, username, address)[1]
            )
            if count >= self.limits.per_user_address:
                found.append(Lock(now + timedelta(seconds=ttl), address))
        return found

    async def _addresses(self, username: str) -> set[str]:
        """Addresses with a pair counter (the client decodes responses: ``str``)."""
        members = await self.redis.smembers(login_addresses(self.prefix, username))  # type: ignore[misc]
        return {str(m) for m in members}

    async def _count_and_ttl(self, key: str) -> tuple[int, int]:
        async with self.redis.pipeline(transaction=False) as p:
            p.get(key)
            p.ttl(key)
            count, ttl = await p.execute()
        return int(count or 0), max(0, int(ttl))
