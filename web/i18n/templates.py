"""Jinja2's i18n extension (new-style gettext) with the catalog of the page's own request, and
the Babel formatting filters; both read ``i18n``, ``locale`` and ``timezone`` from the page's
context (``web.i18n.http.template_context``), so one environment serves every language."""

from __future__ import annotations

import gettext as stdlib_gettext
from typing import Any

import jinja2
from jinja2.runtime import Context

from web.i18n import formatting

_ENGLISH = stdlib_gettext.NullTranslations()


def _catalog(ctx: Context) -> stdlib_gettext.NullTranslations:
    found = ctx.get("i18n")
    return found if isinstance(found, stdlib_gettext.NullTranslations) else _ENGLISH


@jinja2.pass_context
def _gettext(ctx: Context, message: str) -> str:
    return _catalog(ctx).gettext(message)


@jinja2.pass_context
def _ngettext(ctx: Context, singular: str, plural: str, n: int) -> str:
    return _catalog(ctx).ngettext(singular, plural, n)


@jinja2.pass_context
def _pgettext(ctx: Context, context: str, message: str) -> str:
    return _catalog(ctx).pgettext(context, message)


@jinja2.pass_context
def _npgettext(ctx: Context, context: str, singular: str, plural: str, n: int) -> str:
    return _catalog(ctx).npgettext(context, singular, plural, n)


def _locale(ctx: Context) -> str:
    return str(ctx.get("locale") or "en")


def _tz(ctx: Context) -> str:
    return str(ctx.get("timezone") or "UTC")


def _filters() -> dict[str, Any]:
    return {
        "date": jinja2.pass_context(lambda c, v: formatting.format_date(v, _locale(c), _tz(c))),
        "time": jinja2.pass_context(lambda c, v: formatting.format_time(v, _locale(c), _tz(c))),
        "datetime": jinja2.pass_context(
            lambda c, v: formatting.format_datetime(v, _locale(c), _tz(c))
        ),
        "number": jinja2.pass_context(lambda c, v: formatting.format_number(v, _locale(c))),
        "percent": jinja2.pass_context(
            lambda c, v, digits=0: formatting.format_percent(v, _locale(c), digits)
        ),
        "duration": jinja2.pass_context(lambda c, v: formatting.format_duration(v, _locale(c))),
    }


def install(env: jinja2.Environment) -> None:
    """Add the i18n extension and the filters to ``env`` (aiohttp-jinja2's environment)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext,
        ngettext=_ngettext,
        pgettext=_pgettext,
        npgettext=_npgettext,
        newstyle=True,
    )
    env.filters.update(_filters())
