"""Password hashing with argon2id (argon2-cffi); verification runs off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kernel.messages import N_, FieldValueError

_HASHER = PasswordHasher()
# A hash of a random string: verifying against it when the user does not exist takes the same
# time as a real check, so response times do not reveal which names exist.
_DUMMY_HASH = _HASHER.hash("no such user: constant-time dummy")

MIN_PASSWORD_CHARS = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise FieldValueError(
            "password", N_("at least %(min)s characters"), {"min": MIN_PASSWORD_CHARS}
        )
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)
