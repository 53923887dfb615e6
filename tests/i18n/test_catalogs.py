"""The catalogs: every string marked in Python, templates and JavaScript (Babel's extractors,
``babel.cfg``) has a zh_CN translation that is neither missing nor fuzzy and keeps the msgid's
placeholders; the compiled catalog (Babel's compiler) translates all of them."""

from __future__ import annotations

import logging
import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import compile_catalog
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
    wanted = {(m.context, m.id) for m in marked if m.id}  # pgettext's context tells apart
    assert len(wanted) > 40  # the extractors found the navigation, sign-in and 422 messages
    found = {key: zh.get(key[1], context=key[0]) for key in wanted}
    missing = sorted(str(k[1]) for k, m in found.items() if m is None or not m.string)
    fuzzy = sorted(str(k[1]) for k, m in found.items() if m is not None and m.fuzzy)
    assert missing == [], f"run `make messages` and translate: {missing}"
    assert fuzzy == [], f"fuzzy in zh_CN: {fuzzy}"


def test_translations_keep_the_placeholders() -> None:
    problems = [(m.id, str(e)) for m, errors in _catalog("zh_CN").check() for e in errors]
    assert problems == []


def test_compiled_zh_cn_is_complete(marked: Catalog, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    """``pybabel compile --statistics`` through Babel's Python API (the same command class):
    its statistics line says 100% for zh_CN, and the installed catalog translates every entry."""
    po = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
    command = compile_catalog()
    command.input_file, command.output_file = str(po), str(tmp_path / "messages.mo")
    command.locale, command.statistics = "zh_CN", True
    command.finalize_options()
    with caplog.at_level(logging.INFO, logger="babel"):
        assert command.run() == 0  # no errors (placeholders, formats)
    stats = [r.getMessage() for r in caplog.records if "messages (" in r.getMessage()]
    assert len(stats) == 1, stats
    assert re.match(r"(\d+) of \1 messages \(100%\) translated", stats[0]), stats[0]
    zh = _catalog("zh_CN")
    done = [m for m in zh if m.id and m.string and not m.fuzzy]
    assert len(done) == len([m for m in zh if m.id])  # and none of them fuzzy
    installed = translations("zh_CN")
    assert all(
        (installed.pgettext(m.context, str(m.id)) if m.context else installed.gettext(str(m.id)))
        == m.string
        for m in done
        if isinstance(m.id, str)
    )
    assert translations("zh_CN").gettext("Sign in") == "登录"


def test_each_locale_has_a_catalog() -> None:
    assert sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir()) == sorted(LOCALES)
