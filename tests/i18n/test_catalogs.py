"""The catalogs: every string marked in Python, templates and JavaScript (Babel's extractors,
``babel.cfg``) has a zh_CN translation that is neither missing nor fuzzy and keeps the msgid's
placeholders; the compiled catalog (Babel's compiler) translates all of them."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kernel.vocabulary import LOCALES
from web.i18n.catalog import LOCALE_DIR, translations
from web.i18n.extraction import extract


def _catalog(locale: str) -> Catalog:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture(scope="module")
def marked() -> Catalog:
    return extract()


def test_every_marked_string_has_a_zh_cn_translation(marked: Catalog) -> None:
    zh = _catalog("zh_CN")
    wanted = {m.id for m in marked if m.id}
    assert len(wanted) > 40  # the extractors found the navigation, sign-in and 422 messages
    missing = sorted(str(i) for i in wanted if i not in zh or not zh[i].string)
    fuzzy = sorted(str(i) for i in wanted if i in zh and zh[i].fuzzy)
    assert missing == [], f"run `make messages` and translate: {missing}"
    assert fuzzy == [], f"fuzzy in zh_CN: {fuzzy}"


def test_translations_keep_the_placeholders() -> None:
    problems = [(m.id, str(e)) for m, errors in _catalog("zh_CN").check() for e in errors]
    assert problems == []


def test_compiled_zh_cn_is_complete(marked: Catalog, tmp_path) -> None:  # type: ignore[no-untyped-def]
    zh = _catalog("zh_CN")
    with (tmp_path / "messages.mo").open("wb") as f:
        write_mo(f, zh)  # what `make install` compiles, as `pybabel compile` does
    done = [m for m in zh if m.id and m.string and not m.fuzzy]
    assert len(done) == len([m for m in zh if m.id])  # pybabel compile --statistics: 100%
    installed = translations("zh_CN")
    assert all(installed.gettext(str(m.id)) == m.string for m in done)
    assert translations("zh_CN").gettext("Sign in") == "登录"


def test_each_locale_has_a_catalog() -> None:
    assert sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir()) == sorted(LOCALES)
