"""Sign-in rate limits: failed attempts counted per user name and per address in Redis (shared
by every web worker), each in a fixed window; success clears the user's count."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from kernel.keys import login_failures


@dataclass(frozen=True, slots=True)
class LoginLimits:
    window_s: int
    per_user: int
    per_address: int


def blocked_by(user_failures: int, address_failures: int, limits: LoginLimits) -> str | None:
    """Pure: which limit (``username`` or ``address``) blocks another attempt, if any."""
    if user_failures >= limits.per_user:
        return "username"
    if address_failures >= limits.per_address:
        return "address"
    return None


class LoginThrottle:
    def __init__(self, redis: aioredis.Redis, prefix: str, limits: LoginLimits) -> None:
        self.redis = redis
        self.prefix = prefix
        self.limits = limits

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return login_failures(self.prefix, username, address)

    async def check(self, username: str, address: str) -> tuple[str, int] | None:
        """(blocking field, seconds until it lifts) or None when an attempt may proceed."""
        ukey, akey = self._keys(username, address)
        users, addrs = await self.redis.mget(ukey, akey)
        which = blocked_by(int(users or 0), int(addrs or 0), self.limits)
        if which is None:
            return None
        ttl = await self.redis.ttl(ukey if which == "username" else akey)
        return which, max(1, int(ttl))

    async def failed(self, username: str, address: str) -> None:
        ukey, akey = self._keys(username, address)
        async with self.redis.pipeline(transaction=True) as p:
            for k in (ukey, akey):
                p.set(k, 0, ex=self.limits.window_s, nx=True)  # the window starts at the first
                p.incr(k)
            await p.execute()

    async def succeeded(self, username: str, address: str) -> None:
        await self.redis.delete(self._keys(username, address)[0])
