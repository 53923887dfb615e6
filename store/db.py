"""Engine and sessions for the call-event store (SQLite file by default, PostgreSQL by URL), and
which database errors are worth waiting out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from kernel.settings import async_db_url


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` (plain sqlite:// and postgresql:// URLs are accepted)."""
    url = async_db_url(url)
    if url.startswith("sqlite"):
        engine = _create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return _create_async_engine(url, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _sqlstate(exc: DBAPIError) -> str | None:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) and len(sqlstate) == 5 else None


def refuses_data(exc: DBAPIError) -> bool:
    """The database refuses this data and will again (a value too long, a broken constraint),
    as opposed to a passing error (deadlock, restart, failover, timeout, lost connection).

    asyncpg's errors reach SQLAlchemy as plain ``DBAPIError``: the SQLSTATE class decides
    (22 data exception, 23 integrity constraint); SQLite's are ``DataError`` / ``IntegrityError``."""
    if exc.connection_invalidated:
        return False
    sqlstate = _sqlstate(exc)
    if sqlstate is not None:
        return sqlstate[:2] in ("22", "23")
    return isinstance(exc, DataError | IntegrityError)


def database_unavailable(exc: BaseException) -> bool:
    """The database is away or busy for now (stopped, starting, failing over, locked, the
    connection lost): worth waiting for, unlike refused data or a wrong statement. SQLSTATE
    classes 08 (connection), 40 (rolled back: deadlock), 53 (resources), 57 (shut down, starting)
    and 58 (system), and 25006 (read-only after a failover)."""
    if isinstance(exc, OSError | PoolTimeoutError | DisconnectionError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = _sqlstate(exc)
    if sqlstate is not None:
        return sqlstate[:2] in ("08", "40", "53", "57", "58") or sqlstate == "25006"
    return isinstance(exc, OperationalError | InterfaceError)
