"""Forms, evaluations and disputes in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from qa.errors import AnswerError, EvaluationStateError, NotAllowedError, NotFoundError
from qa.evaluations_store import (
    acknowledge,
    dispute,
    disputes_of,
    get_evaluation,
    resolve_dispute,
    submit_evaluation,
)
from qa.forms import Form, Item, Section
from qa.forms_store import form_versions, get_form_version, latest_form, save_form
from store.db import session_factory

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
FORM = Form(
    "Service",
    1,
    "zero_evaluation",
    (
        Section("Greeting", (Item("greet", "Greets", 1, "yes_no"),)),
        Section(
            "Solution",
            (
                Item("solve", "Solves", 3, "scale", max=4),
                Item("privacy", "Privacy", 1, "yes_no", critical=True),
            ),
        ),
    ),
)
GOOD = {"greet": "yes", "solve": 3, "privacy": "yes"}  # (1 + 2.25 + 1)/5 = 85


async def test_form_versions(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as s, s.begin():
        first = await save_form(s, FORM, NOW)
        same = await save_form(s, FORM, NOW + timedelta(hours=1))
        edited_form = Form(FORM.name, 1, FORM.critical_rule, FORM.sections[:1])
        edited = await save_form(s, edited_form, NOW + timedelta(hours=2))
    assert first.created and first.form.version == 1
    assert not same.created and same.form_version_id == first.form_version_id
    assert edited.created and edited.form.version == 2
    async with session_factory(engine)() as s:
        assert await get_form_version(s, first.form_version_id) == FORM
        assert (await latest_form(s, "Service")).form_version_id == edited.form_version_id
        assert [v for _, v, _ in await form_versions(s, "Service")] == [1, 2]
        with pytest.raises(NotFoundError):
            await latest_form(s, "nope")


async def test_old_evaluations_keep_their_version(month: AsyncEngine) -> None:
    async with session_factory(month)() as s, s.begin():
        v1 = (await save_form(s, FORM, NOW)).form_version_id
        ev = await submit_evaluation(
            s,
            form_version_id=v1,
            call_id="c1",
            evaluator_id="qa1",
            answers=GOOD,
            now=NOW,
            comments={"solve": "missed a step"},
        )
        v2 = (
            await save_form(s, Form(FORM.name, 1, FORM.critical_rule, FORM.sections[1:]), NOW)
        ).form_version_id
    assert v2 != v1
    async with session_factory(month)() as s:
        got = await get_evaluation(s, ev.evaluation_id)
    assert got.form_version_id == v1 and got.score == pytest.approx(85.0)
    assert got.agent_id == "a1"  # from the calls row
    assert got.section_scores == pytest.approx({"Greeting": 100.0, "Solution": 81.25})
    assert got.comments == {"solve": "missed a step"} and got.status == "submitted"


async def test_bad_answers_store_nothing(month: AsyncEngine) -> None:
    async with session_factory(month)() as s, s.begin():
        fv = (await save_form(s, FORM, NOW)).form_version_id
        with pytest.raises(AnswerError) as err:
            await submit_evaluation(
                s,
                form_version_id=fv,
                call_id="c1",
                evaluator_id="qa1",
                answers={**GOOD, "solve": 5},
                now=NOW,
            )
        assert err.value.item == "solve"
        with pytest.raises(NotFoundError):  # unknown call and no agent given
            await submit_evaluation(
                s, form_version_id=fv, call_id="zz", evaluator_id="qa1", answers=GOOD, now=NOW
            )


async def _submitted(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as s, s.begin():
        fv = (await save_form(s, FORM, NOW)).form_version_id
        ev = await submit_evaluation(
            s, form_version_id=fv, call_id="c1", evaluator_id="qa1", answers=GOOD, now=NOW
        )
    return ev.evaluation_id


async def test_acknowledge(month: AsyncEngine) -> None:
    eid = await _submitted(month)
    async with session_factory(month)() as s, s.begin():
        with pytest.raises(NotAllowedError):
            await acknowledge(s, eid, "a2", NOW)
        ev = await acknowledge(s, eid, "a1", NOW, comment="thanks")
    assert ev.status == "acknowledged" and ev.comments["agent"] == "thanks"
    async with session_factory(month)() as s, s.begin():
        with pytest.raises(EvaluationStateError, match="cannot dispute when acknowledged"):
            await dispute(s, eid, "a1", "changed my mind", NOW)


async def test_dispute_upheld(month: AsyncEngine) -> None:
    eid = await _submitted(month)
    async with session_factory(month)() as s, s.begin():
        with pytest.raises(AnswerError):
            await dispute(s, eid, "a1", "  ", NOW)
        dispute_id = await dispute(s, eid, "a1", "I did verify the customer", NOW)
    async with session_factory(month)() as s, s.begin():
        with pytest.raises(NotAllowedError):
            await resolve_dispute(s, eid, "a1", "upheld", "no", NOW)
        ev = await resolve_dispute(s, eid, "sup1", "upheld", "recording confirms", NOW)
    assert ev.status == "resolved" and ev.score == pytest.approx(85.0)
    async with session_factory(month)() as s:
        (d,) = await disputes_of(s, eid)
    assert d.dispute_id == dispute_id and d.resolution == "upheld" and d.resolver_id == "sup1"
    assert d.previous_score == pytest.approx(85.0) and d.resolved_at == NOW


async def test_dispute_amended_rescores(month: AsyncEngine) -> None:
    eid = await _submitted(month)
    async with session_factory(month)() as s, s.begin():
        await dispute(s, eid, "a1", "the solution was complete", NOW)
    async with session_factory(month)() as s, s.begin():
        with pytest.raises(AnswerError):
            await resolve_dispute(s, eid, "sup1", "amended", "ok", NOW)  # answers missing
        ev = await resolve_dispute(
            s, eid, "sup1", "amended", "agreed", NOW, answers={**GOOD, "solve": 4}
        )
    assert ev.score == pytest.approx(100.0) and ev.answers["solve"] == 4
    async with session_factory(month)() as s, s.begin():
        with pytest.raises(EvaluationStateError):
            await resolve_dispute(s, eid, "sup1", "upheld", "again", NOW)
