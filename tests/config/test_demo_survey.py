"""The demo surveys its callers by default: every queue has ``survey = true``, so the bridge sets
``CC_SURVEY=1`` on each connect and the simulated callers answer cc-survey."""

from __future__ import annotations

from config.demo_data import demo_scenario, demo_settings_overrides
from kernel.settings import Settings


def test_every_demo_queue_surveys_and_its_callers_answer() -> None:
    settings = Settings.model_validate(demo_settings_overrides(5038))
    assert settings.queues and all(q.survey for q in settings.queues)
    scenario = demo_scenario(9.0)
    assert {q.queue for q in scenario.queues} == {q.id for q in settings.queues}
    assert all(sum(q.survey_scores) > 0 and q.survey_skip_p < 1 for q in scenario.queues)
