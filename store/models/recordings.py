"""Call recordings: one row per recorded call (kept after its file is purged), and the
evaluators' comments at a time position of a recording.

``call_id`` is a plain string, as in the QA tables: the ``calls`` read model may lag behind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime


class Recording(Base):
    """What ``call.recording_*`` events said, plus what the purge did to the file."""

    __tablename__ = "recordings"

    call_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    file: Mapped[str] = mapped_column(String(200))  # name in [recording] folder
    queue_id: Mapped[str | None] = mapped_column(String(64), index=True)
    agent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duration_s: Mapped[float | None] = mapped_column(Float)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # a pause going on
    paused_spans: Mapped[list[Any]] = mapped_column(JSON)  # [[from_s, to_s], ...]
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    purge_note: Mapped[str | None] = mapped_column(String(200))


class RecordingComment(Base):
    """An evaluator's remark at ``at_s`` seconds into a call's recording, with the evaluation."""

    __tablename__ = "recording_comments"

    comment_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(Integer, index=True)
    call_id: Mapped[str] = mapped_column(String(128), index=True)
    at_s: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
