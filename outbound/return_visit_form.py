"""The return-visit form (客户回访记录表): what the agent says and asks the customer on a return
visit, in the centre's language; the shipped files ``outbound/forms/return_visit.<locale>.toml``
are read once.

The questions follow the seeds' return-visit chapters (003 §2 对不同类型的客户进行不定期回访: a visit
learns the customer's needs, finds shortcomings in our own work and raises satisfaction, and the
《客户回访记录表》 is filled in within 24 hours; 004 后期服务: satisfaction surveys, the customer's
opinions). Each question names the answer it fills in (``outbound.tasks.form_answers``:
``satisfied``, ``score``, ``comment``); the ids are the same in every language, so answers keep
one meaning whatever language the form was read in. The centre's ``locale`` picks the form.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FIELDS = ("satisfied", "score", "comment")  # the answers' ids (outbound.tasks.form_answers)
FORMS_DIR = Path(__file__).with_name("forms")
LOCALES = ("en", "zh_CN")  # the shipped forms


@dataclass(frozen=True, slots=True)
class Question:
    field: str  # the answer's id
    text: str


@dataclass(frozen=True, slots=True)
class ReturnVisitForm:
    title: str
    opening: str  # how the agent introduces the visit
    questions: tuple[Question, ...]
    closing: str


@cache
def return_visit_form(locale: str) -> ReturnVisitForm:
    """The form in the centre's ``locale`` (English for a locale without one)."""
    path = FORMS_DIR / f"return_visit.{locale if locale in LOCALES else 'en'}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    questions = tuple(Question(q["field"], q["text"]) for q in data["questions"])
    if tuple(q.field for q in questions) != FIELDS:
        raise ValueError(f"{path}: the questions must fill in {', '.join(FIELDS)}, in that order")
    return ReturnVisitForm(data["title"], data["opening"], questions, data["closing"])
