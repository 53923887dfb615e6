"""QA tables: versioned forms, call samples, evaluations with disputes, calibration sessions.

A form version is immutable once stored (evaluations point at it); editing a form stores a new
version. ``call_id`` columns are plain strings (no foreign key): the ``calls`` read model is
rebuilt from events and may lag behind an evaluation of a call it has not projected yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UtcDateTime


class QaForm(Base):
    __tablename__ = "qa_forms"

    form_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QaFormVersion(Base):
    __tablename__ = "qa_form_versions"
    __table_args__ = (
        UniqueConstraint("form_id", "version", name="uq_qa_form_versions_form_version"),
    )

    form_version_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("qa_forms.form_id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QaSample(Base):
    """A call chosen for evaluation; ``call_id`` unique: never sampled twice."""

    __tablename__ = "qa_samples"

    sample_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(128), unique=True)
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    period: Mapped[str] = mapped_column(String(16), index=True)  # "2026-W47"
    reasons: Mapped[str] = mapped_column(String(120))  # "complaint,transfer" or "random"
    stratum: Mapped[list[Any]] = mapped_column(JSON)
    seed: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QaEvaluation(Base):
    """One evaluator's scoring of one call; status: submitted, acknowledged, disputed, resolved."""

    __tablename__ = "qa_evaluations"
    __table_args__ = (Index("ix_qa_evaluations_agent_call_at", "agent_id", "call_at"),)

    evaluation_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    form_version_id: Mapped[int] = mapped_column(
        ForeignKey("qa_form_versions.form_version_id", ondelete="RESTRICT")
    )
    call_id: Mapped[str] = mapped_column(String(128), index=True)
    agent_id: Mapped[str] = mapped_column(String(64))
    evaluator_id: Mapped[str] = mapped_column(String(64), index=True)
    call_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # when the call arrived
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    comments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # "" and item ids
    score: Mapped[float | None] = mapped_column(Float)
    section_scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    critical_failed: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QaDispute(Base):
    """An agent's acknowledgement or dispute of an evaluation, and its resolution."""

    __tablename__ = "qa_disputes"

    dispute_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("qa_evaluations.evaluation_id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolver_id: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(String(16))  # upheld | amended
    resolution_comment: Mapped[str | None] = mapped_column(Text)
    previous_score: Mapped[float | None] = mapped_column(Float)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class QaCalibration(Base):
    __tablename__ = "qa_calibrations"

    calibration_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    form_version_id: Mapped[int] = mapped_column(
        ForeignKey("qa_form_versions.form_version_id", ondelete="RESTRICT")
    )
    call_id: Mapped[str] = mapped_column(String(128))
    facilitator_id: Mapped[str | None] = mapped_column(String(64))
    agreed_answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QaCalibrationScore(Base):
    __tablename__ = "qa_calibration_scores"
    __table_args__ = (
        UniqueConstraint(
            "calibration_id", "evaluator_id", name="uq_qa_calibration_scores_evaluator"
        ),
    )

    calibration_score_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    calibration_id: Mapped[int] = mapped_column(
        ForeignKey("qa_calibrations.calibration_id", ondelete="CASCADE")
    )
    evaluator_id: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
