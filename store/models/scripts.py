"""Per-queue call scripts shown beside the call on the agent's desk: greeting, verification,
closing and the standard service phrases. A queue without a row uses the defaults in
``queueing.call_scripts``; a supervisor's save writes the row (and an ``audit_log`` row)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime


class CallScriptRow(Base):
    __tablename__ = "call_scripts"

    queue_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    greeting: Mapped[str] = mapped_column(Text)
    verification: Mapped[str] = mapped_column(Text)
    closing: Mapped[str] = mapped_column(Text)
    phrases: Mapped[list[str]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
