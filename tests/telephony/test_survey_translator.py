"""The post-call survey in the translator, against capture 25 (the real Asterisk's survey).

Capture 25 was recorded with test contexts: the caller waited in ``fx-connect-survey`` (Dial
``g``) and ``fx-survey`` read the key into ``CC_SURVEY``. The shipped dialplan's context is
``cc-survey`` and its variable ``CC_SURVEY_SCORE``; the frames are otherwise the same, so the
replay maps the two names (``survey_context`` is a setting, ``[ami] survey_context``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from callcenter_testkit.capture_tables import C25, REAL, T0, ended, replay

from kernel.commands import Command
from telephony.actions import ActionConfig, plan
from telephony.translator import CallState, TranslatorConfig, TranslatorState, new_state

CAPTURE = REAL / "25-post-call-survey-read-dtmf.ami"
SCORE_FRAME = b"Variable: CC_SURVEY\r\nValue: 4\r\n"
CONFIG = TranslatorConfig(survey_context="fx-survey")


def replay_with(raw: bytes) -> tuple[TranslatorState, list]:
    return replay(raw, new_state(CONFIG))


def capture_with(score_frame: bytes | None) -> bytes:
    raw = CAPTURE.read_bytes()
    assert raw.count(SCORE_FRAME) == 1
    if score_frame is None:  # the caller hung up before any key: no VarSet of the score
        start = raw.index(b"Event: VarSet", raw.rindex(b"DTMFEnd"))
        end = raw.index(b"\r\n\r\n", start) + 4
        return raw[:start] + raw[end:]
    return raw.replace(SCORE_FRAME, score_frame)


def test_capture_25_ends_the_call_when_the_agent_hangs_up_and_records_the_score() -> None:
    state, events = replay_with(capture_with(b"Variable: CC_SURVEY_SCORE\r\nValue: 4\r\n"))
    got = [(e.type, e.call_id, e.agent_id, e.payload) for e in events]
    assert got[2:] == [
        ("call.ended", C25, "1001", ended("agent", "16", "Normal Clearing", True)),
        ("call.surveyed", C25, "1001", {"score": 4, "reason": "answered", "queue": "sales"}),
    ]
    assert [e.type for e in events[:2]] == ["call.arrived", "call.answered"]
    end = events[2]
    # the agent's leg hung up before the Redirect into the survey (sent at +5.017 s): talk time
    # ends there, the survey is not part of it
    assert end.ts == T0 + timedelta(seconds=0.012)
    assert events[3].ts == T0 + timedelta(seconds=7.019)
    assert state.calls == {}
    assert len({e.id for e in events}) == 4


@pytest.mark.parametrize(
    ("score_frame", "score", "reason"),
    [
        (b"Variable: CC_SURVEY_SCORE\r\nValue: 5\r\n", 5, "answered"),
        (b"Variable: CC_SURVEY_SCORE\r\nValue: 1\r\n", 1, "answered"),
        (b"Variable: CC_SURVEY_SCORE\r\nValue: 8\r\n", None, "invalid"),
        (b"Variable: CC_SURVEY_SCORE\r\nValue: \r\n", None, "no_answer"),
        (None, None, "hung_up"),
    ],
)
def test_survey_outcomes(score_frame: bytes | None, score: int | None, reason: str) -> None:
    state, events = replay_with(capture_with(score_frame))
    surveyed = [e for e in events if e.type == "call.surveyed"]
    assert [(e.payload["score"], e.payload["reason"]) for e in surveyed] == [(score, reason)]
    assert [e.type for e in events].count("call.ended") == 1
    assert state.calls == {}


def test_without_a_survey_context_the_call_ends_when_the_caller_hangs_up() -> None:
    """The shipped names do not match the capture's test context: no survey, as before."""
    state, events = replay(CAPTURE)
    assert [e.type for e in events] == ["call.arrived", "call.answered", "call.ended"]
    assert events[-1].ts == T0 + timedelta(seconds=7.019)


def waiting(queue: str) -> CallState:
    return CallState(
        linkedid="1.1",
        call_id="1.1",
        direction="inbound",
        customer_uid="1.1",
        customer_channel="PJSIP/trunk-00000001",
        queue=queue,
    )


@pytest.mark.parametrize(("queue", "flag"), [("sales", "1"), ("support", "0")])
def test_connect_sets_cc_survey_from_the_queue(queue: str, flag: str) -> None:
    command = Command(id="c1", kind="connect", args={"call_id": "1.1", "agent_id": "1001"})
    actions = plan(command, waiting(queue), ActionConfig(survey_queues=frozenset({"sales"})))
    setvars = {dict(a)["Variable"]: dict(a)["Value"] for a in actions if a[0][1] == "Setvar"}
    assert setvars["CC_SURVEY"] == flag
    assert dict(actions[-1])["Action"] == "Redirect"


def test_no_survey_queue_no_setvar() -> None:
    command = Command(id="c1", kind="connect", args={"call_id": "1.1", "agent_id": "1001"})
    actions = plan(command, waiting("sales"), ActionConfig())
    assert all(dict(a).get("Variable") != "CC_SURVEY" for a in actions)
