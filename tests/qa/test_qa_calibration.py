"""Calibration figures against hand computation."""

from __future__ import annotations

import math

import pytest

from qa.calibration import calibrate
from qa.errors import AnswerError
from qa.forms import Form, Item, Section

FORM = Form(
    "cal",
    1,
    "zero_evaluation",
    (
        Section(
            "S",
            (
                Item("i1", "t", 1, "yes_no"),
                Item("i2", "t", 1, "scale", max=4),
                Item("i3", "t", 2, "yes_no", na_allowed=True),
            ),
        ),
    ),
)
EVALS = {
    "e1": {"i1": "yes", "i2": 4, "i3": "yes"},  # (1 + 1 + 2) / 4 = 100
    "e2": {"i1": "yes", "i2": 2, "i3": "no"},  # (1 + .5 + 0) / 4 = 37.5
    "e3": {"i1": "no", "i2": 3, "i3": "na"},  # (0 + .75) / 2 = 37.5
}
AGREED = {"i1": "yes", "i2": 3, "i3": "no"}  # (1 + .75 + 0) / 4 = 43.75


def test_item_spread_and_agreement() -> None:
    report = calibrate(FORM, EVALS, AGREED)
    i1, i2, i3 = report.items
    # i1: 100, 100, 0 -> pstdev = 100 * sqrt(2)/3; pairs agree 1 of 3
    assert i1.values == {"e1": 100.0, "e2": 100.0, "e3": 0.0}
    assert i1.spread.std == pytest.approx(100 * math.sqrt(2) / 3)
    assert i1.spread.max_diff == 100.0 and i1.agreement_rate == pytest.approx(1 / 3)
    # i2: 100, 50, 75 -> pstdev = sqrt((25^2 + 25^2 + 0) / 3); no two equal
    assert i2.spread.std == pytest.approx(math.sqrt(1250 / 3))
    assert i2.spread.max_diff == 50.0 and i2.agreement_rate == 0.0
    # i3: 100, 0, N/A -> over the two answered: std 50, max diff 100; yes/no/na all differ
    assert i3.values["e3"] is None
    assert i3.spread.std == 50.0 and i3.spread.max_diff == 100.0 and i3.agreement_rate == 0.0
    assert (i1.agreed, i2.agreed, i3.agreed) == (100.0, 75.0, 0.0)
    assert report.agreement_rate == pytest.approx((1 / 3 + 0 + 0) / 3)


def test_overall_spread_and_deviation_from_agreed() -> None:
    report = calibrate(FORM, EVALS, AGREED)
    assert report.scores == {"e1": 100.0, "e2": 37.5, "e3": 37.5}
    assert report.spread.std == pytest.approx(62.5 * math.sqrt(2) / 3)
    assert report.spread.max_diff == 62.5
    assert report.basis == "agreed" and report.agreed_score == 43.75
    dev = {d.evaluator_id: (d.deviation, d.item_match_rate) for d in report.evaluators}
    assert dev == {
        "e1": (56.25, pytest.approx(1 / 3)),
        "e2": (-6.25, pytest.approx(2 / 3)),
        "e3": (-6.25, pytest.approx(1 / 3)),
    }


def test_without_agreed_answers_the_mean_is_the_basis() -> None:
    report = calibrate(FORM, EVALS)
    assert report.basis == "mean" and report.agreed_score == pytest.approx(175 / 3)
    devs = [d.deviation for d in report.evaluators]
    assert devs == pytest.approx([100 - 175 / 3, 37.5 - 175 / 3, 37.5 - 175 / 3])
    assert all(d.item_match_rate is None for d in report.evaluators)


def test_one_evaluator_has_no_agreement_rate() -> None:
    report = calibrate(FORM, {"e1": EVALS["e1"]})
    assert report.agreement_rate is None and report.spread.std == 0.0


def test_bad_answers_name_the_item() -> None:
    with pytest.raises(AnswerError) as err:
        calibrate(FORM, {**EVALS, "e4": {"i1": "yes", "i2": 9, "i3": "no"}})
    assert err.value.item == "i2"
