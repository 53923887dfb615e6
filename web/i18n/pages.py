"""The language switch's form target (``POST /locale``), open to everyone: the sign-in page
has the switch too."""

from __future__ import annotations

from web.i18n.http import set_locale
from web.pages import Pages

pages = Pages()
pages.public("POST", "/locale")(set_locale)
