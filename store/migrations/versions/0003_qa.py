"""qa: versioned forms, samples, evaluations with disputes, calibrations

Revision ID: 0003_qa
Revises: 0001
Create Date: 2026-11-22 21:26:08.239410
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.models.base

revision: str = "0003_qa"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qa_forms",
        sa.Column("form_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("form_id", name=op.f("pk_qa_forms")),
        sa.UniqueConstraint("name", name=op.f("uq_qa_forms_name")),
    )
    op.create_table(
        "qa_samples",
        sa.Column("sample_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.String(length=120), nullable=False),
        sa.Column("stratum", sa.JSON(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("created_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sample_id", name=op.f("pk_qa_samples")),
        sa.UniqueConstraint("call_id", name=op.f("uq_qa_samples_call_id")),
    )
    with op.batch_alter_table("qa_samples", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_samples_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_qa_samples_period"), ["period"], unique=False)

    op.create_table(
        "qa_form_versions",
        sa.Column("form_version_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["qa_forms.form_id"],
            name=op.f("fk_qa_form_versions_form_id_qa_forms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("form_version_id", name=op.f("pk_qa_form_versions")),
        sa.UniqueConstraint("form_id", "version", name="uq_qa_form_versions_form_version"),
    )
    op.create_table(
        "qa_calibrations",
        sa.Column("calibration_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("form_version_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("facilitator_id", sa.String(length=64), nullable=True),
        sa.Column("agreed_answers", sa.JSON(), nullable=True),
        sa.Column("created_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_version_id"],
            ["qa_form_versions.form_version_id"],
            name=op.f("fk_qa_calibrations_form_version_id_qa_form_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("calibration_id", name=op.f("pk_qa_calibrations")),
    )
    op.create_table(
        "qa_evaluations",
        sa.Column("evaluation_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("form_version_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("evaluator_id", sa.String(length=64), nullable=False),
        sa.Column("call_at", store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("comments", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("section_scores", sa.JSON(), nullable=False),
        sa.Column("critical_failed", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_version_id"],
            ["qa_form_versions.form_version_id"],
            name=op.f("fk_qa_evaluations_form_version_id_qa_form_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("evaluation_id", name=op.f("pk_qa_evaluations")),
    )
    with op.batch_alter_table("qa_evaluations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_qa_evaluations_agent_call_at", ["agent_id", "call_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_qa_evaluations_call_id"), ["call_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_qa_evaluations_evaluator_id"), ["evaluator_id"], unique=False
        )

    op.create_table(
        "qa_calibration_scores",
        sa.Column("calibration_score_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("calibration_id", sa.Integer(), nullable=False),
        sa.Column("evaluator_id", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("created_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["calibration_id"],
            ["qa_calibrations.calibration_id"],
            name=op.f("fk_qa_calibration_scores_calibration_id_qa_calibrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("calibration_score_id", name=op.f("pk_qa_calibration_scores")),
        sa.UniqueConstraint(
            "calibration_id", "evaluator_id", name="uq_qa_calibration_scores_evaluator"
        ),
    )
    op.create_table(
        "qa_disputes",
        sa.Column("dispute_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("opened_at", store.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolver_id", sa.String(length=64), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolution_comment", sa.Text(), nullable=True),
        sa.Column("previous_score", sa.Float(), nullable=True),
        sa.Column("resolved_at", store.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["qa_evaluations.evaluation_id"],
            name=op.f("fk_qa_disputes_evaluation_id_qa_evaluations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dispute_id", name=op.f("pk_qa_disputes")),
    )
    with op.batch_alter_table("qa_disputes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qa_disputes_evaluation_id"), ["evaluation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("qa_disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_disputes_evaluation_id"))

    op.drop_table("qa_disputes")
    op.drop_table("qa_calibration_scores")
    with op.batch_alter_table("qa_evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_evaluations_evaluator_id"))
        batch_op.drop_index(batch_op.f("ix_qa_evaluations_call_id"))
        batch_op.drop_index("ix_qa_evaluations_agent_call_at")

    op.drop_table("qa_evaluations")
    op.drop_table("qa_calibrations")
    op.drop_table("qa_form_versions")
    with op.batch_alter_table("qa_samples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_samples_period"))
        batch_op.drop_index(batch_op.f("ix_qa_samples_agent_id"))

    op.drop_table("qa_samples")
    op.drop_table("qa_forms")
