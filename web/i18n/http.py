"""The request's locale and the language switch.

The locale is, in order: the signed-in user's own choice (``web_users.locale``), else the
anonymous visitor's choice (the ``cc_locale`` cookie, set by the switch on the sign-in page),
else ``Accept-Language`` negotiated with Babel against the catalogs, else the centre's
``locale`` setting. ``POST /locale`` (the switch in every page's header) stores the choice.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from typing import Any

from aiohttp import web
from sqlalchemy import update

from kernel.vocabulary import LOCALES
from store.models.web import User
from web.bodies import read_form
from web.errors import invalid
from web.i18n.catalog import html_lang, negotiate, translations
from web.keys import PRINCIPAL, RUNTIME

LOCALE_COOKIE = "cc_locale"
LOCALE: web.RequestKey[str] = web.RequestKey("locale")
# The switch's labels: each language named in itself, the same in every locale.
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def request_locale(request: web.Request) -> str:
    """The locale this request is answered in (worked out once per request)."""
    if LOCALE in request:
        return request[LOCALE]
    principal = request.get(PRINCIPAL)
    chosen = principal.locale if principal is not None else request.cookies.get(LOCALE_COOKIE)
    locale = (
        chosen
        if chosen in LOCALES
        else negotiate(request.headers.get("Accept-Language"))
        or request.app[RUNTIME].settings.locale
    )
    request[LOCALE] = locale
    return locale


def request_translations(request: web.Request) -> stdlib_gettext.NullTranslations:
    return translations(request_locale(request))


def template_context(request: web.Request) -> dict[str, Any]:
    """What every page needs for its language: the catalog, the locale, the switch."""
    locale = request_locale(request)
    return {
        "i18n": translations(locale),
        "locale": locale,
        "html_lang": html_lang(locale),
        "timezone": request.app[RUNTIME].settings.timezone,
        "languages": LANGUAGE_NAMES,
    }


def _safe_next(value: str) -> str:
    return value if value.startswith("/") and not value.startswith("//") else "/"


async def set_locale(request: web.Request) -> web.StreamResponse:
    """The language switch: the signed-in user's choice is stored on their user row, an
    anonymous visitor's in a cookie; then back to the page it was chosen on."""
    form = await read_form(request)
    locale = str(form.get("locale") or "")
    if locale not in LOCALES:
        raise invalid(
            "locale", "must be one of %(choices)s", params={"choices": ", ".join(LOCALES)}
        )
    resp = web.HTTPSeeOther(_safe_next(str(form.get("next") or "/")))
    principal = request.get(PRINCIPAL)
    if principal is not None:
        async with request.app[RUNTIME].engine.begin() as conn:
            await conn.execute(
                update(User).where(User.username == principal.username).values(locale=locale)
            )
    else:
        resp.set_cookie(LOCALE_COOKIE, locale, samesite="Lax", path="/", max_age=365 * 86400)
    raise resp
