"""Forms in the store: saving creates a new version only when the content changed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.errors import NotFoundError
from qa.forms import Form, fingerprint, form_to_dict, next_version, parse_form
from store.models.qa import QaForm, QaFormVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoredForm:
    form_version_id: int
    form: Form  # ``form.version`` is the stored version number
    created: bool  # False: the content equals the latest version's


async def save_form(session: AsyncSession, form: Form, now: datetime) -> StoredForm:
    """Store ``form`` as its name's next version (or return the equal latest version)."""
    row = (
        await session.execute(select(QaForm).where(QaForm.name == form.name))
    ).scalar_one_or_none()
    if row is None:
        row = QaForm(name=form.name, created_at=now)
        session.add(row)
        await session.flush()
    latest = await _latest(session, row.form_id)
    version = next_version((latest.version, latest.fingerprint) if latest else None, form)
    if version is None:
        assert latest is not None
        return StoredForm(latest.form_version_id, parse_form(latest.definition), created=False)
    stored = Form(form.name, version, form.critical_rule, form.sections, form.description)
    fv = QaFormVersion(
        form_id=row.form_id,
        version=version,
        fingerprint=fingerprint(stored),
        definition=form_to_dict(stored),
        created_at=now,
    )
    session.add(fv)
    await session.flush()
    log.info(
        "qa form %r version %d stored (form_version_id=%d)", form.name, version, fv.form_version_id
    )
    return StoredForm(fv.form_version_id, stored, created=True)


async def _latest(session: AsyncSession, form_id: int) -> QaFormVersion | None:
    stmt = (
        select(QaFormVersion)
        .where(QaFormVersion.form_id == form_id)
        .order_by(QaFormVersion.version.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_form_version(session: AsyncSession, form_version_id: int) -> Form:
    fv = await session.get(QaFormVersion, form_version_id)
    if fv is None:
        raise NotFoundError("form version", form_version_id)
    return parse_form(fv.definition)


async def latest_form(session: AsyncSession, name: str) -> StoredForm:
    row = (await session.execute(select(QaForm).where(QaForm.name == name))).scalar_one_or_none()
    latest = await _latest(session, row.form_id) if row is not None else None
    if latest is None:
        raise NotFoundError("form", name)
    return StoredForm(latest.form_version_id, parse_form(latest.definition), created=False)


async def form_versions(session: AsyncSession, name: str) -> list[tuple[int, int, datetime]]:
    """(form_version_id, version, created_at) of every version of ``name``, oldest first."""
    stmt = (
        select(QaFormVersion.form_version_id, QaFormVersion.version, QaFormVersion.created_at)
        .join(QaForm, QaForm.form_id == QaFormVersion.form_id)
        .where(QaForm.name == name)
        .order_by(QaFormVersion.version)
    )
    return [tuple(r) for r in (await session.execute(stmt)).all()]  # type: ignore[misc]
