"""What language a rendered page speaks: the texts a person sees (text nodes, placeholders,
titles, ARIA labels, button values, options, the window title; not code such as a command in
``<code>``, the same in every language, nor content marked ``translate="no"`` such as a QA
form's own wording), collected in the browser, and the
checks of issue 21 on them, pure so that they are tested on their own (tests/i18n):

- on a zh_CN page, no text is an English catalog msgid whose zh_CN translation differs, no
  text holds a run of two or more Latin words of three or more letters, and no text is one such
  word on its own (a label left in English, e.g. ``Ready``), bar a short allow-list of what is
  the same in both languages (ASA, CSV, ...) and the data shown as it is (usernames, ids);
- on an en page, no text is a zh_CN translation from the catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.messages.pofile import read_po

from web.i18n.catalog import LOCALE_DIR

# The same in both languages: abbreviations and names of standards and formats (upper case).
# "English": the language switch names each language in itself.
ALLOWED_LATIN = frozenset({"ASA", "CSV", "XLSX", "AHT", "SIP", "WEBRTC", "VIP", "KPI", "ENGLISH"})

COLLECT_TEXTS = """() => {
  const out = [];
  const seen = new Set();
  const add = (text, where) => {
    const t = (text || "").replace(/\\s+/g, " ").trim();
    const key = where + "\\u0000" + t;
    if (!t || seen.has(key)) return;
    seen.add(key);
    out.push({ text: t, where });
  };
  const visible = (el) =>
    el.checkVisibility({ visibilityProperty: true }) && el.getClientRects().length > 0;
  add(document.title, "window title");
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest("script, style, noscript, template, option, code, kbd, samp, [translate=no]")) continue;
    if (visible(el)) add(n.nodeValue, "text");
  }
  const labelled = "[placeholder], [title], [aria-label], [alt], "
    + "input[type=submit], input[type=button], input[type=reset]";
  for (const el of document.body.querySelectorAll(labelled)) {
    if (!visible(el)) continue;
    for (const a of ["placeholder", "title", "aria-label", "alt"]) {
      if (el.hasAttribute(a)) add(el.getAttribute(a), a);
    }
    if (el.matches("input[type=submit], input[type=button], input[type=reset]")) {
      add(el.value, "button value");
    }
  }
  for (const select of document.body.querySelectorAll("select")) {
    if (!visible(select)) continue;
    for (const o of select.options) add(o.text, "option");
  }
  return out;
}"""

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_LATIN = re.compile(r"[A-Za-z]")
_EDGE_PUNCTUATION = "()[]{}\"'“”‘’,.:;!?…·•|*<>«»，。：；！？、（）"


@dataclass(frozen=True)
class Catalogs:
    """The zh_CN catalog seen from both sides: English msgids translated to something else,
    and those translations; ``*_patterns`` match the entries with placeholders."""

    english: frozenset[str]
    english_patterns: tuple[re.Pattern[str], ...]
    chinese: frozenset[str]
    chinese_patterns: tuple[re.Pattern[str], ...]


def _pattern(message: str) -> re.Pattern[str] | None:
    """A message with placeholders as a pattern (each placeholder: some text), or None."""
    literals = _PLACEHOLDER.split(message)[::2]  # the split also yields each group's name
    if len(literals) == 1 or not re.search(r"[A-Za-z]{3}|[\u4e00-\u9fff]", "".join(literals)):
        return None  # no placeholder; or nothing but placeholders: it would match any text
    return re.compile(".+?".join(re.escape(p) for p in literals))


def load_catalogs(locale: str = "zh_CN") -> Catalogs:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=locale)
    pairs = [
        (str(m.id).strip(), str(m.string).strip())
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
    ]
    pairs = [(en, zh) for en, zh in pairs if en != zh]
    return Catalogs(
        english=frozenset(en for en, _ in pairs),
        english_patterns=tuple(p for en, _ in pairs if (p := _pattern(en))),
        chinese=frozenset(zh for _, zh in pairs),
        chinese_patterns=tuple(p for _, zh in pairs if (p := _pattern(zh))),
    )


def _is_message(text: str, exact: frozenset[str], patterns: tuple[re.Pattern[str], ...]) -> bool:
    bare = text.rstrip(":：").rstrip()  # a label's colon; other punctuation: code such as {agent}
    return text in exact or bare in exact or any(p.fullmatch(text) for p in patterns)


def latin_runs(text: str, allowed: frozenset[str] = ALLOWED_LATIN) -> list[str]:
    """Runs of two or more Latin words of three or more letters (not ``allowed``) in ``text``:
    words separated by blanks and punctuation; a word of one or two letters neither counts nor
    ends a run; anything else (digits, ids like ``cmp-late-1``, Chinese) ends it."""
    runs: list[str] = []
    current: list[str] = []
    counted = 0

    def close() -> None:
        nonlocal current, counted
        if counted >= 2:
            runs.append(" ".join(current))
        current, counted = [], 0

    for token in text.split():
        word = token.strip(_EDGE_PUNCTUATION)
        if not _WORD.fullmatch(word):
            close()
            continue
        long_enough = len(word) >= 3 and word.upper() not in allowed
        if long_enough or current:
            current.append(word)
        counted += long_enough
    close()
    return runs


def english_left(
    texts: list[str], catalogs: Catalogs, data: frozenset[str] = frozenset()
) -> list[str]:
    """The texts of a zh_CN page that are English: a catalog msgid whose translation differs,
    a run of English words, or one English word alone. ``data`` are values shown as they are
    (usernames, ids): a text that is one of them, and their words in a run, are not English."""
    allowed = ALLOWED_LATIN | {d.upper() for d in data}
    return [
        t
        for t in texts
        if _LATIN.search(t)
        and t not in data
        and t.strip().upper() not in allowed  # e.g. ASA: a msgid, yet the same in both
        and (
            _is_message(t, catalogs.english, catalogs.english_patterns)
            or latin_runs(t, allowed)
            or _lone_word(t, allowed)
        )
    ]


def _lone_word(text: str, allowed: frozenset[str]) -> bool:
    word = text.rstrip(":：").strip()
    return bool(_WORD.fullmatch(word)) and len(word) >= 3 and word.upper() not in allowed


def chinese_leaked(texts: list[str], catalogs: Catalogs) -> list[str]:
    """The texts of an en page that are zh_CN translations from the catalog."""
    return [t for t in texts if _is_message(t, catalogs.chinese, catalogs.chinese_patterns)]
