"""The shipped default QA forms: the Chinese one (the manuals' 呼叫中心质量控制) and its English
translation have the same item ids, weights, kinds, critical flags and structure, and the real
scoring code gives the same answers the same scores in both; the centre's locale picks one."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.files import configured_form_path, default_form_path, load_default_form
from qa.forms import Form
from qa.scoring import score

ZH = load_default_form("zh_CN")
EN = load_default_form("en")


def _shape(form: Form) -> list[list[tuple[object, ...]]]:
    return [
        [(i.id, i.weight, i.kind, i.max, i.na_allowed, i.critical) for i in section.items]
        + [("section weight", section.weight)]
        for section in form.sections
    ]


def test_the_chinese_form_follows_the_manuals_quality_control() -> None:
    assert [s.name for s in ZH.sections] == [
        "开场白与问候",
        "身份核实",
        "倾听与理解",
        "解决方案",
        "服务用语规范",
        "结束语",
    ]
    assert sum(i.weight for i in ZH.items.values()) == 100
    privacy = ZH.items["compliance.privacy"]
    assert "泄露客户信息" in privacy.text and privacy.critical
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in i.text) for i in ZH.items.values())


def test_both_forms_have_the_same_ids_weights_critical_items_and_structure() -> None:
    assert _shape(ZH) == _shape(EN)
    assert ZH.critical_rule == EN.critical_rule
    assert len(ZH.sections) == len(EN.sections) == 6
    # a translation, not a copy: every text differs
    assert all(ZH.items[i].text != EN.items[i].text for i in ZH.items)


def _all_best(form: Form) -> dict[str, object]:
    return {i.id: ("yes" if i.kind == "yes_no" else i.max) for i in form.items.values()}


def _answer_sets() -> list[tuple[str, dict[str, object]]]:
    best = _all_best(EN)
    partial = best | {"solution.correct": 2, "needs.probing": 1, "closing.summary": "no"}
    not_applicable = best | {"hold.permission": "na", "hold.duration": "na", "transfer.warm": "na"}
    mixed = not_applicable | {
        "courtesy.tone": 3,
        "verify.contact_details": "na",
        "greeting.standard": "no",
    }
    leaked = partial | {"compliance.privacy": "no"}  # 泄露客户信息: a critical failure
    worst = {i.id: ("no" if i.kind == "yes_no" else 0) for i in EN.items.values()}
    return [
        ("all best", best),
        ("partial", partial),
        ("not applicable", not_applicable),
        ("mixed", mixed),
        ("critical failure", leaked),
        ("worst", worst),
    ]


@pytest.mark.parametrize(("name", "answers"), _answer_sets(), ids=[n for n, _ in _answer_sets()])
def test_the_same_answers_score_alike_in_both_forms(name: str, answers: dict[str, object]) -> None:
    zh, en = score(ZH, answers), score(EN, answers)
    assert zh.score == en.score
    assert zh.critical_failed == en.critical_failed
    assert list(zh.sections.values()) == list(en.sections.values())


def test_hand_computed_scores() -> None:
    sets = dict(_answer_sets())
    assert score(ZH, sets["all best"]).score == 100.0
    # solution.correct 20 x 2/4, needs.probing 5 x 1/4 and closing.summary 4 lost: 100 - 10 - 3.75 - 4
    assert score(ZH, sets["partial"]).score == pytest.approx(82.25)
    leaked = score(ZH, sets["critical failure"])
    assert leaked.score == 0.0 and leaked.critical_failed == ("compliance.privacy",)
    assert score(ZH, sets["worst"]).score == 0.0


@pytest.mark.parametrize(
    ("locale", "file"), [("zh_CN", "default.zh_CN.toml"), ("en", "default.en.toml")]
)
def test_the_centres_locale_picks_the_default_form(locale: str, file: str) -> None:
    assert default_form_path(locale).name == file
    assert configured_form_path(None, locale).name == file
    own = Path("/srv/forms/ours.toml")
    assert configured_form_path(own, locale) == own  # qa.form wins over the locale
