"""Form parsing and validation: every error names the item and the key."""

from __future__ import annotations

import copy
import json

import pytest
from callcenter_testkit.form_toml import form_toml, item

from qa.errors import FormError
from qa.files import load_default_form
from qa.forms import fingerprint, form_from_text, form_to_dict, next_version, parse_form

TOML = form_toml(
    {
        "name": "Small",
        "version": 2,
        "critical_rule": "zero_section",
        "sections": [
            {
                "name": "A",
                "items": [
                    item("a1", "Greets", 2, "yes_no"),
                    item("a2", "Listens", 3, "scale", max=4, na_allowed=True),
                ],
            },
            {
                "name": "B",
                "weight": 5,
                "items": [
                    item("b1", "Verifies", 1, "yes_no", critical=True),
                ],
            },
        ],
    }
)


def base() -> dict:
    return {
        "name": "F",
        "version": 1,
        "critical_rule": "zero_evaluation",
        "sections": [
            {
                "name": "S",
                "items": [
                    {"id": "i1", "text": "t", "weight": 1, "kind": "yes_no"},
                    {"id": "i2", "text": "t", "weight": 2, "kind": "scale", "max": 3},
                ],
            }
        ],
    }


def test_toml_parses_every_field() -> None:
    form = form_from_text(TOML, "toml")
    assert form.name == "Small" and form.version == 2 and form.critical_rule == "zero_section"
    assert [s.name for s in form.sections] == ["A", "B"]
    assert form.sections[0].weight is None and form.sections[1].weight == 5.0
    a2 = form.items["a2"]
    assert (a2.kind, a2.max, a2.weight, a2.na_allowed, a2.critical) == (
        "scale",
        4,
        3.0,
        True,
        False,
    )
    assert form.items["b1"].critical is True


def test_json_and_toml_give_the_same_form() -> None:
    form = form_from_text(TOML, "toml")
    again = form_from_text(json.dumps(form_to_dict(form)), "json")
    assert again == form


def test_default_form_has_the_departments_criteria() -> None:
    form = load_default_form()
    names = [s.name for s in form.sections]
    assert names == [
        "Opening and greeting",
        "Identity verification",
        "Listening and understanding",
        "Solution",
        "Service language",
        "Closing",
    ]
    assert sum(i.weight for i in form.items.values()) == 100
    assert {i.id for i in form.items.values() if i.critical} >= {
        "verify.identity",
        "compliance.privacy",
    }


def _mutate(path: list, value: object) -> dict:
    data = copy.deepcopy(base())
    node = data
    for p in path[:-1]:
        node = node[p]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "item", "field"),
    [
        (["sections", 0, "items", 0, "weight"], 0, "item 'i1'", "weight"),
        (["sections", 0, "items", 0, "weight"], -1.5, "item 'i1'", "weight"),
        (["sections", 0, "items", 0, "weight"], "2", "item 'i1'", "weight"),
        (["sections", 0, "items", 0, "weight"], KeyError, "item 'i1'", "weight"),
        (["sections", 0, "items", 0, "kind"], "stars", "item 'i1'", "kind"),
        (["sections", 0, "items", 0, "max"], 3, "item 'i1'", "max"),
        (["sections", 0, "items", 1, "max"], KeyError, "item 'i2'", "max"),
        (["sections", 0, "items", 1, "max"], 0, "item 'i2'", "max"),
        (["sections", 0, "items", 1, "na_allowed"], "yes", "item 'i2'", "na_allowed"),
        (["sections", 0, "items", 1, "critical"], 1, "item 'i2'", "critical"),
        (["sections", 0, "items", 1, "colour"], "red", "item 'i2'", "colour"),
        (["sections", 0, "items", 1, "id"], "i1", "item 'i1'", "id"),
        (["sections", 0, "items", 1, "id"], "has space", "section 'S' item 1", "id"),
        (["sections", 0, "items", 1, "text"], "", "item 'i2'", "text"),
        (["sections", 0, "items"], [], "section 'S'", "items"),
        (["sections", 0, "weight"], 0, "section 'S'", "weight"),
        (["sections", 0, "name"], None, "section 0", "name"),
        (["sections"], [], "form", "sections"),
        (["critical_rule"], "zero_all", "form", "critical_rule"),
        (["version"], 0, "form", "version"),
        (["name"], KeyError, "form", "name"),
    ],
)
def test_invalid_form_names_the_item(path: list, value: object, item: str, field: str) -> None:
    with pytest.raises(FormError) as err:
        parse_form(_mutate(path, value))
    assert (err.value.item, err.value.field) == (item, field)
    assert item in str(err.value)


def test_duplicate_section_name() -> None:
    data = base()
    data["sections"].append(copy.deepcopy(data["sections"][0]))
    data["sections"][1]["items"] = [{"id": "x", "text": "t", "weight": 1, "kind": "yes_no"}]
    with pytest.raises(FormError, match="section 'S': name: duplicate"):
        parse_form(data)


def test_bad_toml_is_a_form_error() -> None:
    with pytest.raises(FormError, match="not valid TOML"):
        form_from_text("name = ", "toml")


def test_versions_follow_content_not_the_number() -> None:
    form = parse_form(base())
    assert next_version(None, form) == 1
    same = (3, fingerprint(form))
    assert next_version(same, form) is None  # unchanged: no new version
    edited = parse_form(_mutate(["sections", 0, "items", 0, "text"], "Greets warmly"))
    assert fingerprint(edited) != fingerprint(form)
    assert next_version(same, edited) == 4  # file still says 1: latest + 1
    bumped = parse_form(_mutate(["version"], 9))
    assert fingerprint(bumped) == fingerprint(form)  # the number is not content
    edited_bumped = parse_form({**_mutate(["sections", 0, "items", 0, "text"], "x"), "version": 9})
    assert next_version(same, edited_bumped) == 9
