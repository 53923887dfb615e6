"""Scoring: hand-computed cases, answer errors naming the item, and hypothesis invariants."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.errors import AnswerError
from qa.files import load_default_form
from qa.forms import Form, Item, Section
from qa.scoring import score


def small_form(rule: str = "zero_evaluation") -> Form:
    """A: a1 yes/no w2, a2 scale 0..4 w3, a3 yes/no w1 (N/A ok); B (weight 5): b1 critical w1,
    b2 scale 0..5 w4 (N/A ok)."""
    return Form(
        name="small",
        version=1,
        critical_rule=rule,  # type: ignore[arg-type]
        sections=(
            Section(
                "A",
                (
                    Item("a1", "t", 2, "yes_no"),
                    Item("a2", "t", 3, "scale", max=4),
                    Item("a3", "t", 1, "yes_no", na_allowed=True),
                ),
            ),
            Section(
                "B",
                (
                    Item("b1", "t", 1, "yes_no", critical=True),
                    Item("b2", "t", 4, "scale", max=5, na_allowed=True),
                ),
                weight=5,
            ),
        ),
    )


BASE = {"a1": "yes", "a2": 3, "a3": "no", "b1": "yes", "b2": 4}

# Hand computation:
#   A = (2*1 + 3*3/4 + 1*0) / 6 = 4.25/6 = 70.8333 %, weight 6 (sum of answered item weights)
#   B = (1*1 + 4*4/5) / 5 = 4.2/5 = 84 %, weight 5 (set)
#   overall = (6*70.8333 + 5*84) / 11 = (425 + 420) / 11 = 76.8182
CASES = [
    ("zero_evaluation", {}, 845 / 11, {"A": 425 / 6, "B": 84.0}, ()),
    # a3 N/A: A = 4.25/5 = 85 %, weight 5; overall = (5*85 + 5*84)/10 = 84.5
    ("zero_evaluation", {"a3": "na"}, 84.5, {"A": 85.0, "B": 84.0}, ()),
    # b2 N/A: B = 1/1 = 100 % with its set weight 5; overall = (425 + 500)/11
    ("zero_evaluation", {"b2": "na"}, 925 / 11, {"A": 425 / 6, "B": 100.0}, ()),
    # critical b1 fails: the whole evaluation is 0, sections as answered (B = 3.2/5 = 64 %)
    ("zero_evaluation", {"b1": "no"}, 0.0, {"A": 425 / 6, "B": 64.0}, ("b1",)),
    # zero_section: B is 0, its weight counts: (425 + 0)/11 = 38.6364
    ("zero_section", {"b1": "no"}, 425 / 11, {"A": 425 / 6, "B": 0.0}, ("b1",)),
    # everything top: 100
    ("zero_evaluation", {"a2": 4, "a3": "yes", "b2": 5}, 100.0, {"A": 100.0, "B": 100.0}, ()),
    # A all wrong (0 %, weight 6), B = 1/5 = 20 %: overall = 5*20/11
    ("zero_evaluation", {"a1": "no", "a2": 0, "b2": 0}, 100 / 11, {"A": 0.0, "B": 20.0}, ()),
]


@pytest.mark.parametrize(("rule", "changes", "expected", "sections", "failed"), CASES)
def test_hand_computed(rule, changes, expected, sections, failed) -> None:
    result = score(small_form(rule), {**BASE, **changes})
    assert result.score == pytest.approx(expected, abs=1e-9)
    assert result.sections == pytest.approx(sections, abs=1e-9)
    assert result.critical_failed == failed


def test_json_shape_is_rounded() -> None:
    out = score(small_form(), BASE).to_dict()
    assert out == {"score": 76.82, "sections": {"A": 70.83, "B": 84.0}, "critical_failed": []}


def test_all_na_section_is_null_and_drops_out() -> None:
    form = Form(
        "f",
        1,
        "zero_evaluation",
        (
            Section("S", (Item("s1", "t", 1, "yes_no"),)),
            Section("Hold", (Item("h1", "t", 9, "yes_no", na_allowed=True),), weight=50),
        ),
    )
    result = score(form, {"s1": "yes", "h1": "na"})
    assert result.sections == {"S": 100.0, "Hold": None}
    assert result.score == 100.0


@pytest.mark.parametrize(
    ("changes", "item", "fragment"),
    [
        ({"zz": "yes"}, "zz", "unknown item"),
        ({"a1": None}, "a1", "missing answer"),
        ({"a2": 5}, "a2", "out of range 0..4"),
        ({"a2": -1}, "a2", "out of range 0..4"),
        ({"a2": 2.5}, "a2", "integer 0..4"),
        ({"a2": "yes"}, "a2", "integer 0..4"),
        ({"a2": True}, "a2", "integer 0..4"),
        ({"a1": "na"}, "a1", "N/A is not allowed"),
        ({"b1": "na"}, "b1", "N/A is not allowed"),
        ({"a1": "YES"}, "a1", 'must be one of "yes", "no"'),
        ({"a3": 1}, "a3", 'must be one of "yes", "no", "na"'),
    ],
)
def test_bad_answer_names_the_item(changes, item, fragment) -> None:
    answers = {**BASE, **changes}
    answers = {k: v for k, v in answers.items() if v is not None}
    with pytest.raises(AnswerError) as err:
        score(small_form(), answers)
    assert err.value.item == item
    assert fragment in str(err.value) and repr(item) in str(err.value)


# ---- properties -------------------------------------------------------------------------------

items_st = st.builds(
    lambda kind, weight, top, na, critical: Item(
        "x",
        "t",
        weight,
        kind,
        max=top if kind == "scale" else None,
        na_allowed=na,
        critical=critical,
    ),
    kind=st.sampled_from(["yes_no", "scale"]),
    weight=st.floats(0.01, 1000, allow_nan=False),
    top=st.integers(1, 10),
    na=st.booleans(),
    critical=st.booleans(),
)


@st.composite
def forms_and_answers(draw):
    rule = draw(st.sampled_from(["zero_evaluation", "zero_section"]))
    n_sections = draw(st.integers(1, 4))
    sections = []
    answers: dict[str, object] = {}
    n = 0
    for s in range(n_sections):
        items = []
        for item in draw(st.lists(items_st, min_size=1, max_size=5)):
            item = dataclasses.replace(item, id=f"i{n}")
            n += 1
            items.append(item)
            options: list[object] = (
                ["yes", "no"] if item.kind == "yes_no" else list(range(item.max + 1))
            )
            if item.na_allowed:
                options.append("na")
            answers[item.id] = draw(st.sampled_from(options))
        weight = draw(st.none() | st.floats(0.01, 1000, allow_nan=False))
        sections.append(Section(f"s{s}", tuple(items), weight))
    return Form("f", 1, rule, tuple(sections)), answers


@settings(max_examples=300, deadline=None)
@given(forms_and_answers())
def test_score_is_within_0_and_100(fa) -> None:
    form, answers = fa
    result = score(form, answers)
    assert result.score is None or 0.0 <= result.score <= 100.0
    for value in result.sections.values():
        assert value is None or 0.0 <= value <= 100.0
    assert result.score is None or any(v is not None for v in result.sections.values())


@settings(max_examples=300, deadline=None)
@given(forms_and_answers(), st.data())
def test_adding_an_na_item_changes_nothing(fa, data) -> None:
    form, answers = fa
    before = score(form, answers)
    extra = data.draw(items_st)
    extra = dataclasses.replace(extra, id="added", na_allowed=True)
    where = data.draw(st.integers(0, len(form.sections)))  # == len: a new section
    sections = list(form.sections)
    if where == len(sections):
        new_weight = data.draw(st.none() | st.floats(0.01, 1000))
        sections.append(Section("new", (extra,), new_weight))
    else:
        s = sections[where]
        pos = data.draw(st.integers(0, len(s.items)))
        sections[where] = dataclasses.replace(s, items=s.items[:pos] + (extra,) + s.items[pos:])
    after = score(dataclasses.replace(form, sections=tuple(sections)), {**answers, "added": "na"})
    assert after.score == before.score
    assert after.critical_failed == before.critical_failed
    assert {k: v for k, v in after.sections.items() if k != "new"} == before.sections
    assert after.sections.get("new") is None


@settings(max_examples=300, deadline=None)
@given(forms_and_answers(), st.data())
def test_failing_a_critical_item_gives_the_configured_result(fa, data) -> None:
    form, answers = fa
    s_index = data.draw(st.integers(0, len(form.sections) - 1))
    section = form.sections[s_index]
    i_index = data.draw(st.integers(0, len(section.items) - 1))
    item = dataclasses.replace(section.items[i_index], critical=True)
    items = section.items[:i_index] + (item,) + section.items[i_index + 1 :]
    sections = list(form.sections)
    sections[s_index] = dataclasses.replace(section, items=items)
    form = dataclasses.replace(form, sections=tuple(sections))
    answers = {**answers, item.id: "no" if item.kind == "yes_no" else 0}
    result = score(form, answers)
    assert item.id in result.critical_failed
    assert result.sections[section.name] is not None
    if form.critical_rule == "zero_evaluation":
        assert result.score == 0.0
    else:
        assert result.sections[section.name] == 0.0
        others_full = all(v == 100.0 for k, v in result.sections.items() if k != section.name)
        assert result.score is not None and (result.score < 100.0 or not others_full)


@settings(max_examples=200, deadline=None)
@given(forms_and_answers())
def test_all_best_answers_score_100(fa) -> None:
    form, answers = fa
    best = {
        i.id: ("na" if answers[i.id] == "na" else "yes" if i.kind == "yes_no" else i.max)
        for i in form.items.values()
    }
    result = score(form, best)
    assert result.critical_failed == ()
    assert result.score is None or result.score == pytest.approx(100.0)


def test_default_form_scores() -> None:
    form = load_default_form()
    answers = {i.id: ("yes" if i.kind == "yes_no" else i.max) for i in form.items.values()}
    answers.update({"hold.permission": "na", "hold.duration": "na", "transfer.warm": "na"})
    result = score(form, answers)
    assert result.score == 100.0 and result.sections["Service language"] == 100.0
    answers["solution.correct"] = 2  # 20 points * 2/4 lost 10 of the 90 answered points
    assert score(form, answers).score == pytest.approx(100 * 80 / 90)
    answers["compliance.privacy"] = "no"  # critical
    failed = score(form, answers)
    assert failed.score == 0.0 and failed.critical_failed == ("compliance.privacy",)
