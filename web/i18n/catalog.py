"""The message catalogs (``web/locales/<locale>/LC_MESSAGES/messages.po``, compiled to ``.mo``
by ``scripts/build_messages.py`` at install) and choosing a locale from ``Accept-Language``.

Pure apart from reading the compiled catalogs once per locale. Strings are marked where they are
written (``N_`` for constants translated later, ``gettext`` in templates, ``t`` in JavaScript);
``make messages`` extracts them into the catalogs.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.support import Translations

from kernel.messages import N_
from kernel.vocabulary import LOCALES

__all__ = ["N_", "accepted", "html_lang", "negotiate", "translations"]

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


@cache
def translations(locale: str) -> stdlib_gettext.NullTranslations:
    """The compiled catalog of ``locale`` (English text itself when it has none)."""
    return Translations.load(LOCALE_DIR, [locale], DOMAIN)


def accepted(header: str | None) -> list[str]:
    """``Accept-Language``'s tags, most wanted first (``q=0`` dropped, bad weights ignored)."""
    weighted: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and q > 0:
            weighted.append((-q, i, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(header: str | None, available: Sequence[str] = LOCALES) -> str | None:
    """The available locale ``Accept-Language`` prefers (``zh``, ``zh-CN``, ``zh-Hans-CN`` all
    mean ``zh_CN``), or None."""
    for tag in accepted(header):
        found = negotiate_locale([tag.replace("-", "_")], list(available))
        if found is None:
            try:
                parsed = Locale.parse(tag, sep="-")
            except (ValueError, TypeError):
                continue
            found = negotiate_locale([str(parsed)], list(available)) or next(
                (a for a in available if Locale.parse(a).language == parsed.language), None
            )
        if found is not None:
            return found
    return None


def html_lang(locale: str) -> str:
    """``zh_CN`` -> ``zh-CN`` (BCP 47, for ``<html lang>`` and ``Intl``)."""
    return locale.replace("_", "-")
