"""The QA API: sampled calls to evaluate, the evaluation form, evaluations (submit, the agent's
acknowledge / dispute, the supervisor's resolution), calibration sessions, scorecards, and form
editing for admins (a save stores a new version)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from qa.calibrations_store import (
    add_calibration_score,
    calibration_report,
    create_calibration,
)
from qa.errors import NotFoundError as QaNotFoundError
from qa.errors import (
    PeriodError,
    QaError,
)
from qa.evaluations_store import (
    acknowledge,
    dispute,
    disputes_of,
    get_evaluation,
    resolve_dispute,
    submit_evaluation,
)
from qa.files import configured_form_path, load_form
from qa.forms import Form, form_to_dict, parse_form
from qa.forms_store import (
    StoredForm,
    form_versions,
    get_form_version,
    latest_form,
    save_form,
)
from qa.periods import parse_period
from qa.queries import (
    agent_names,
    calibrations,
    evaluation_ids,
    has_calibration_scores,
    latest_evaluation_id,
    sample_of,
    sampled_calls,
)
from qa.recordings_store import TimedComment, save_timed_comments
from qa.samples_store import draw_sample
from qa.scorecard import KPIS
from qa.service import compute_scorecards, sampling_rules, scorecards_csv
from store.db import session_factory
from store.models.core import Call
from store.models.qa import QaCalibration
from web.endpoints import ApiCall, Endpoints
from web.errors import NotFoundError, invalid, invalid_because
from web.i18n.catalog import N_
from web.live.privacy import text_for, viewer_of
from web.qa.schemas import (
    CalibrationBody,
    CalibrationOut,
    CalibrationRow,
    CalibrationScoreBody,
    CalibrationsOut,
    CallDetail,
    CallWorkOut,
    CommentBody,
    DisputeBody,
    DrawBody,
    DrawOut,
    EvaluateBody,
    EvaluationOut,
    EvaluationsOut,
    EvaluationsQuery,
    EvaluatorOut,
    FormEditOut,
    FormOut,
    FormSaveBody,
    FormVersionRow,
    ItemSpread,
    KpiOut,
    ResolveBody,
    SampleRow,
    SamplesOut,
    SamplesQuery,
    ScorecardOut,
    ScorecardQuery,
    ScorecardsOut,
)
from web.roles import ADMIN, AGENT, QA, QA_OR_SUPERVISOR, SUPERVISOR

api = Endpoints(tag="qa")


@asynccontextmanager
async def _tx(call: ApiCall) -> AsyncIterator[AsyncSession]:
    """One transaction (QA errors become API errors through ``web.domain_errors``)."""
    async with session_factory(call.rt.engine)() as session, session.begin():
        yield session


def _user(call: ApiCall) -> str:
    assert call.principal is not None
    return call.principal.username


# ---- schemas -----------------------------------------------------------------------------------


# ---- helpers -----------------------------------------------------------------------------------


def _form_out(stored: StoredForm) -> FormOut:
    return FormOut(
        form_version_id=stored.form_version_id,
        name=stored.form.name,
        version=stored.form.version,
        definition=form_to_dict(stored.form),
    )


def _file_form(call: ApiCall) -> Form:
    settings = call.rt.settings
    return load_form(configured_form_path(settings.qa.form, settings.locale))


async def current_form(session: AsyncSession, call: ApiCall) -> StoredForm:
    """The newest stored version of the configured form (stored from its file the first time)."""
    form = _file_form(call)
    try:
        return await latest_form(session, form.name)
    except QaNotFoundError:
        return await save_form(session, form, datetime.now(UTC))


async def _evaluation_out(session: AsyncSession, evaluation_id: int) -> EvaluationOut:
    view = await get_evaluation(session, evaluation_id)
    disputes = await disputes_of(session, evaluation_id)
    last = disputes[-1] if disputes else None
    return EvaluationOut(
        **{k: getattr(view, k) for k in EvaluationOut.model_fields if hasattr(view, k)},
        dispute_comment=last.comment if last else None,
        resolution=last.resolution if last else None,
        resolution_comment=last.resolution_comment if last else None,
        previous_score=last.previous_score if last else None,
    )


def _path_id(call: ApiCall, field: str, missing: str) -> int:
    """A numeric id from the path; anything else is a 404 on ``field`` saying ``missing`` (a
    msgid with ``%(id)s``)."""
    raw = call.path[field]
    if not raw.isdigit() or len(raw) > 9:
        raise NotFoundError(missing, field=field, params={"id": raw})
    return int(raw)


def _eval_id(call: ApiCall) -> int:
    return _path_id(call, "evaluation_id", N_("no evaluation %(id)s"))


# ---- samples and evaluation work ---------------------------------------------------------------


@api.op(
    "GET",
    "/api/qa/samples",
    roles=QA_OR_SUPERVISOR,
    summary="List the sampled calls",
    query=SamplesQuery,
    response=SamplesOut,
)
async def qa_samples(call: ApiCall) -> SamplesOut:
    q: SamplesQuery = call.query
    async with session_factory(call.rt.engine)() as session:
        names = await agent_names(session)
        rows = await sampled_calls(
            session, week=q.week, queue=q.queue, agent=q.agent, status=q.status
        )
    return SamplesOut(
        week=q.week,
        samples=[
            SampleRow(
                call_id=r.call_id,
                agent_id=r.agent_id,
                agent_name=names.get(r.agent_id),
                queue_id=r.queue_id,
                arrived_at=r.arrived_at,
                talk_s=r.talk_s,
                disposition=r.disposition,
                reasons=[x for x in r.reasons.split(",") if x],
                period=r.period,
                evaluation_id=r.evaluation_id,
                score=r.score,
                status=r.status,
            )
            for r in rows
        ],
    )


@api.op(
    "POST",
    "/api/qa/samples/draw",
    roles=QA,
    summary="Draw the week's sample of calls",
    body=DrawBody,
    response=DrawOut,
)
async def qa_draw_sample(call: ApiCall) -> DrawOut:
    body: DrawBody = call.body
    settings = call.rt.settings
    try:
        period = parse_period(body.week, settings.timezone)
        rules = sampling_rules(settings.qa, body.per_agent, None)
    except PeriodError as exc:
        raise invalid_because("week", exc) from None
    except QaError as exc:
        raise invalid_because("per_agent", exc) from None
    async with _tx(call) as session:
        draw = await draw_sample(session, period, rules, body.week, datetime.now(UTC))
    return DrawOut(
        week=body.week,
        drawn=len(draw.samples),
        candidates=draw.candidates,
        excluded=draw.excluded,
    )


@api.op(
    "GET",
    "/api/qa/calls/{call_id}",
    roles=QA_OR_SUPERVISOR,
    summary="Read a call to evaluate (details, wrap-up notes, the form)",
    response=CallWorkOut,
)
async def qa_call(call: ApiCall) -> CallWorkOut:
    call_id = call.path["call_id"]
    async with _tx(call) as session:
        row = await session.get(Call, call_id)
        sample = await sample_of(session, call_id)
        if row is None and sample is None:
            raise NotFoundError(
                N_("no call %(call_id)s"), field="call_id", params={"call_id": call_id}
            )
        names = await agent_names(session)
        stored = await current_form(session, call)
        ev_id = await latest_evaluation_id(session, call_id)
        evaluation = await _evaluation_out(session, ev_id) if ev_id else None
    agent_id = row.agent_id if row is not None else sample.agent_id if sample else None
    detail = CallDetail(
        call_id=call_id,
        agent_id=agent_id,
        agent_name=names.get(agent_id or ""),
        queue_id=row.queue_id if row else None,
        direction=row.direction if row else None,
        arrived_at=row.arrived_at if row else None,
        answered_at=row.answered_at if row else None,
        ended_at=row.ended_at if row else None,
        wait_s=row.wait_s if row else None,
        talk_s=row.talk_s if row else None,
        hold_s=row.hold_s if row else None,
        wrap_s=row.wrap_s if row else None,
        disposition=row.disposition if row else None,
        notes=text_for(viewer_of(call.user), row.notes) if row else None,
        transferred=bool(row.transferred) if row else False,
        sample_reasons=[x for x in (sample.reasons.split(",") if sample else []) if x],
    )
    return CallWorkOut(call=detail, form=_form_out(stored), evaluation=evaluation)


@api.op(
    "POST",
    "/api/qa/evaluations",
    roles=QA,
    summary="Submit an evaluation of a call",
    body=EvaluateBody,
    response=EvaluationOut,
    status=201,
)
async def qa_submit_evaluation(call: ApiCall) -> EvaluationOut:
    body: EvaluateBody = call.body
    async with _tx(call) as session:
        known = await session.get(Call, body.call_id) is not None
        sampled = await sample_of(session, body.call_id)
        if not known and sampled is None:
            raise invalid("call_id", "no call %(call_id)s", params={"call_id": body.call_id})
        view = await submit_evaluation(
            session,
            form_version_id=body.form_version_id,
            call_id=body.call_id,
            evaluator_id=_user(call),
            answers=body.answers,
            now=datetime.now(UTC),
            agent_id=None if known or sampled is None else sampled.agent_id,
            comments=body.comments,
        )
        await save_timed_comments(
            await session.connection(),
            view.evaluation_id,
            body.call_id,
            [TimedComment(c.at_s, c.text) for c in body.timed_comments],
            _user(call),
            datetime.now(UTC),
        )
        return await _evaluation_out(session, view.evaluation_id)


@api.op(
    "GET",
    "/api/qa/evaluations",
    roles=QA_OR_SUPERVISOR,
    summary="List evaluations",
    query=EvaluationsQuery,
    response=EvaluationsOut,
)
async def qa_evaluations(call: ApiCall) -> EvaluationsOut:
    q: EvaluationsQuery = call.query
    async with _tx(call) as session:
        ids = await evaluation_ids(session, agent=q.agent, status=q.status, limit=q.limit)
        out = [await _evaluation_out(session, i) for i in ids]
        form = _form_out(await current_form(session, call))
    return EvaluationsOut(evaluations=out, form=form)


@api.op(
    "GET",
    "/api/qa/my-evaluations",
    roles=AGENT,
    summary="List the agent's evaluations",
    response=EvaluationsOut,
)
async def qa_my_evaluations(call: ApiCall) -> EvaluationsOut:
    agent_id = call.own_agent()
    async with _tx(call) as session:
        ids = await evaluation_ids(session, agent=agent_id, limit=200)
        out = [await _evaluation_out(session, i) for i in ids]
        form = _form_out(await current_form(session, call))
    return EvaluationsOut(evaluations=out, form=form)


@api.op(
    "POST",
    "/api/qa/evaluations/{evaluation_id}/acknowledge",
    roles=AGENT,
    summary="Acknowledge an evaluation",
    body=CommentBody,
    response=EvaluationOut,
)
async def qa_acknowledge(call: ApiCall) -> EvaluationOut:
    agent_id = call.own_agent()
    async with _tx(call) as session:
        await acknowledge(session, _eval_id(call), agent_id, datetime.now(UTC), call.body.comment)
        return await _evaluation_out(session, _eval_id(call))


@api.op(
    "POST",
    "/api/qa/evaluations/{evaluation_id}/dispute",
    roles=AGENT,
    summary="Dispute an evaluation",
    body=DisputeBody,
    response=EvaluationOut,
)
async def qa_dispute(call: ApiCall) -> EvaluationOut:
    agent_id = call.own_agent()
    async with _tx(call) as session:
        await dispute(session, _eval_id(call), agent_id, call.body.comment, datetime.now(UTC))
        return await _evaluation_out(session, _eval_id(call))


@api.op(
    "POST",
    "/api/qa/evaluations/{evaluation_id}/resolve",
    roles=SUPERVISOR,
    summary="Resolve a disputed evaluation",
    body=ResolveBody,
    response=EvaluationOut,
)
async def qa_resolve(call: ApiCall) -> EvaluationOut:
    body: ResolveBody = call.body
    async with _tx(call) as session:
        await resolve_dispute(
            session,
            _eval_id(call),
            _user(call),
            body.resolution,
            body.comment,
            datetime.now(UTC),
            body.answers,
        )
        return await _evaluation_out(session, _eval_id(call))


# ---- calibration -------------------------------------------------------------------------------


def _cal_id(call: ApiCall) -> int:
    return _path_id(call, "calibration_id", N_("no calibration %(id)s"))


@api.op(
    "GET",
    "/api/qa/calibrations",
    roles=QA_OR_SUPERVISOR,
    summary="List calibration sessions",
    response=CalibrationsOut,
)
async def qa_calibrations(call: ApiCall) -> CalibrationsOut:
    async with _tx(call) as session:
        rows = await calibrations(session, limit=200)
    return CalibrationsOut(
        calibrations=[
            CalibrationRow(
                calibration_id=c.calibration_id,
                call_id=c.call_id,
                facilitator_id=c.facilitator_id,
                created_at=c.created_at,
                evaluators=evaluators,
            )
            for c, evaluators in rows
        ]
    )


@api.op(
    "POST",
    "/api/qa/calibrations",
    roles=QA_OR_SUPERVISOR,
    summary="Start a calibration session on a call",
    body=CalibrationBody,
    response=CalibrationRow,
    status=201,
)
async def qa_create_calibration(call: ApiCall) -> CalibrationRow:
    body: CalibrationBody = call.body
    async with _tx(call) as session:
        if await session.get(Call, body.call_id) is None:
            raise invalid("call_id", "no call %(call_id)s", params={"call_id": body.call_id})
        stored = await current_form(session, call)
        now = datetime.now(UTC)
        cid = await create_calibration(
            session,
            form_version_id=stored.form_version_id,
            call_id=body.call_id,
            now=now,
            facilitator_id=_user(call),
        )
    return CalibrationRow(
        calibration_id=cid,
        call_id=body.call_id,
        facilitator_id=_user(call),
        created_at=now,
        evaluators=[],
    )


@api.op(
    "PUT",
    "/api/qa/calibrations/{calibration_id}/score",
    roles=QA_OR_SUPERVISOR,
    summary="Score the calibration call (as the signed-in evaluator)",
    body=CalibrationScoreBody,
    response=CalibrationOut,
)
async def qa_calibration_score(call: ApiCall) -> CalibrationOut:
    cid = _cal_id(call)
    async with _tx(call) as session:
        await add_calibration_score(session, cid, _user(call), call.body.answers, datetime.now(UTC))
    return await _calibration_out(call, cid)


async def _calibration_out(call: ApiCall, cid: int) -> CalibrationOut:
    async with _tx(call) as session:
        cal = await session.get(QaCalibration, cid)
        if cal is None:
            raise NotFoundError(
                N_("no calibration %(id)s"), field="calibration_id", params={"id": cid}
            )
        form = await get_form_version(session, cal.form_version_id)
        stored = StoredForm(cal.form_version_id, form, created=False)
        texts = {i.id: i.text for i in form.items.values()}
        if not await has_calibration_scores(session, cid):
            return CalibrationOut(
                calibration_id=cid,
                call_id=cal.call_id,
                form=_form_out(stored),
                scores={},
                std=None,
                max_diff=None,
                agreement_rate=None,
                agreed_score=None,
                basis="mean",
                items=[],
                evaluators=[],
            )
        report = await calibration_report(session, cid)
    return CalibrationOut(
        calibration_id=cid,
        call_id=cal.call_id,
        form=_form_out(stored),
        scores=report.scores,
        std=report.spread.std,
        max_diff=report.spread.max_diff,
        agreement_rate=report.agreement_rate,
        agreed_score=report.agreed_score,
        basis=report.basis,
        items=[
            ItemSpread(
                item_id=i.item_id,
                text=texts.get(i.item_id, i.item_id),
                values=i.values,
                std=i.spread.std,
                max_diff=i.spread.max_diff,
                agreement_rate=i.agreement_rate,
            )
            for i in report.items
        ],
        evaluators=[
            EvaluatorOut(
                evaluator_id=e.evaluator_id,
                score=e.score,
                deviation=e.deviation,
                item_match_rate=e.item_match_rate,
            )
            for e in report.evaluators
        ],
    )


@api.op(
    "GET",
    "/api/qa/calibrations/{calibration_id}",
    roles=QA_OR_SUPERVISOR,
    summary="Read a calibration session's results",
    response=CalibrationOut,
)
async def qa_calibration(call: ApiCall) -> CalibrationOut:
    return await _calibration_out(call, _cal_id(call))


# ---- scorecards --------------------------------------------------------------------------------


async def _scorecards(call: ApiCall) -> tuple[list[Any], bool, str]:
    q: ScorecardQuery = call.query
    settings = call.rt.settings
    try:
        period = parse_period(q.period, settings.timezone)
    except PeriodError as exc:
        raise invalid_because("period", exc, "query") from None
    if not date(2000, 1, 1) <= period.first_day <= date(2100, 1, 1):
        raise invalid("period", "must be between 2000 and 2100", "query")
    cards, has_adherence = await compute_scorecards(call.rt.engine, settings, period)
    if q.team is not None:
        cards = [c for c in cards if c.team == q.team]
    cards.sort(key=lambda c: (c.total is None, c.team or "", c.role, c.rank or 10**9, c.agent_id))
    return cards, has_adherence, q.period


@api.op(
    "GET",
    "/api/qa/scorecards",
    roles=QA_OR_SUPERVISOR,
    summary="Read the agents' scorecards for a period",
    query=ScorecardQuery,
    response=ScorecardsOut,
)
async def qa_scorecards(call: ApiCall) -> ScorecardsOut:
    cards, has_adherence, period = await _scorecards(call)
    async with session_factory(call.rt.engine)() as session:
        names = await agent_names(session)
    return ScorecardsOut(
        period=period,
        kpis=list(KPIS),
        adherence_available=has_adherence,
        scorecards=[
            ScorecardOut(
                agent_id=c.agent_id,
                name=names.get(c.agent_id),
                team=c.team,
                role=c.role,
                total=None if c.total is None else round(c.total, 2),
                rank=c.rank,
                missing=list(c.missing),
                kpis=[
                    KpiOut(
                        kpi=k.kpi,
                        value=k.value,
                        score=k.score,
                        weight=k.weight,
                        target=k.target,
                        floor=k.floor,
                        note=k.note,
                    )
                    for k in c.kpis
                ],
            )
            for c in cards
        ],
    )


@api.op(
    "GET",
    "/api/qa/scorecards.csv",
    roles=QA_OR_SUPERVISOR,
    summary="Export the scorecards of a period as CSV",
    query=ScorecardQuery,
)
async def qa_scorecards_csv(call: ApiCall) -> web.StreamResponse:
    cards, _, period = await _scorecards(call)
    return web.Response(
        text=scorecards_csv(cards),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="scorecards-{period}.csv"'},
    )


# ---- forms (admins) ----------------------------------------------------------------------------


async def _versions(session: AsyncSession, name: str) -> list[FormVersionRow]:
    return [
        FormVersionRow(form_version_id=i, version=v, created_at=at)
        for i, v, at in await form_versions(session, name)
    ]


@api.op(
    "GET",
    "/api/qa/forms/current",
    roles=ADMIN,
    summary="Read the current QA form",
    response=FormEditOut,
)
async def qa_form_current(call: ApiCall) -> FormEditOut:
    async with _tx(call) as session:
        stored = await current_form(session, call)
        versions = await _versions(session, stored.form.name)
    return FormEditOut(form=_form_out(stored), created=False, versions=versions)


@api.op(
    "PUT",
    "/api/qa/forms/current",
    roles=ADMIN,
    summary="Save the QA form (a changed form becomes a new version)",
    body=FormSaveBody,
    response=FormEditOut,
)
async def qa_form_save(call: ApiCall) -> FormEditOut:
    definition = dict(call.body.definition)
    if len(json.dumps(definition)) > 60_000:
        raise invalid("definition", "at most 60 000 characters")
    async with _tx(call) as session:
        current = await current_form(session, call)
        definition.setdefault("version", current.form.version)
        if definition.get("name") != current.form.name:
            raise invalid(
                "definition.name", "must stay %(name)r", params={"name": current.form.name}
            )
        form = parse_form(definition)
        stored = await save_form(session, form, datetime.now(UTC))
        versions = await _versions(session, stored.form.name)
    return FormEditOut(form=_form_out(stored), created=stored.created, versions=versions)
