"""Web tables: the people who sign in (users with a role and an argon2 password hash) and their
sessions.

A session row is keyed by the SHA-256 of its cookie token, so a copy of the table cannot be used to
sign in; each session carries its own CSRF token. An ``agent`` user is tied to one ``agent_id``
and may act on that agent only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime


class User(Base):
    __tablename__ = "web_users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('agent', 'supervisor', 'planner', 'qa', 'admin', 'wallboard')", name="role"
        ),
    )

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(16))  # own language (kernel LOCALES)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebSession(Base):
    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(
        ForeignKey("web_users.username", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
