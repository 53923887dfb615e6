"""Per-queue call scripts: what an agent says at each step of a call (greeting, verification,
closing) and the standard service phrases, shown beside the call on the desk.

Pure: the script's shape, the rules a saved script must follow, and the defaults a queue has until
a supervisor edits its script. The defaults follow the department's manuals' chapters on
standard service phrases (服务用语规范, manual 000 §9.5.1 客服用语规范及话术规范 and manual 002's
客服用语规范) and on agents' telephone service (manual 001 细节 47 座席员的电话服务规范); the seeds
hold those chapters' titles only, not their wording, so the defaults are the customary phrasing,
in Chinese with English alongside, for a supervisor to replace with the manual's own text.
``{queue}`` and ``{agent}`` in a text are filled in on the desk.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from kernel.messages import N_, FieldValueError

SECTIONS = ("greeting", "verification", "closing")
MAX_TEXT_CHARS = 2000
MAX_PHRASES = 30
MAX_PHRASE_CHARS = 500


class ScriptError(FieldValueError):
    """A script that cannot be saved; ``field`` names the part that was wrong."""


class ScriptConflictError(ScriptError):
    """Two first saves of one queue's script at once: the later one is refused, to save again."""


@dataclass(frozen=True, slots=True)
class CallScript:
    queue_id: str
    greeting: str
    verification: str
    closing: str
    phrases: tuple[str, ...]
    updated_by: str | None = None  # None: the defaults, never edited
    updated_at: datetime | None = None

    @property
    def is_default(self) -> bool:
        return self.updated_by is None


DEFAULT_GREETING = (
    "您好，{queue}，{agent}为您服务，请问有什么可以帮您？\n"
    "Hello, {queue}, this is {agent}. How may I help you?"
)
DEFAULT_VERIFICATION = (
    "为了保障您的信息安全，请问您的姓名和预留的手机号码是？\n"
    "For your security, may I have your full name and the phone number on your account?"
)
DEFAULT_CLOSING = (
    "请问还有其他可以帮您的吗？感谢您的来电，祝您生活愉快，再见！\n"
    "Is there anything else I can help you with? Thank you for calling. Goodbye!"
)
DEFAULT_PHRASES = (
    "请稍等，我马上为您查询。 / One moment please, I will look that up for you.",
    "让您久等了。 / Thank you for waiting.",
    "对不起，给您带来不便，非常抱歉。 / I am sorry for the inconvenience.",
    "请您放心，我们会尽快为您处理。 / Please be assured we will deal with it as soon as possible.",
    "对不起，我没有听清楚，请您再说一遍好吗？ / Sorry, I did not catch that. Could you say it again?",
    "感谢您的宝贵意见，我们会认真改进。 / Thank you for your feedback; we will act on it.",
)


def default_script(queue_id: str) -> CallScript:
    """The script a queue has until a supervisor saves one."""
    return CallScript(
        queue_id, DEFAULT_GREETING, DEFAULT_VERIFICATION, DEFAULT_CLOSING, DEFAULT_PHRASES
    )


def edited_script(
    queue_id: str,
    *,
    greeting: str,
    verification: str,
    closing: str,
    phrases: list[str],
    by: str,
    at: datetime,
) -> CallScript:
    """A supervisor's script, checked: each section and phrase trimmed, none empty, none too
    long, at most ``MAX_PHRASES`` phrases (a ``ScriptError`` names the first that is wrong)."""
    texts = {"greeting": greeting, "verification": verification, "closing": closing}
    for name, text in texts.items():
        texts[name] = _text(name, text, MAX_TEXT_CHARS)
    if len(phrases) > MAX_PHRASES:
        raise ScriptError(
            "phrases",
            N_("at most %(max)s phrases, got %(count)s"),
            {"max": MAX_PHRASES, "count": len(phrases)},
        )
    kept = tuple(_text(f"phrases.{i}", p, MAX_PHRASE_CHARS) for i, p in enumerate(phrases))
    return replace(default_script(queue_id), **texts, phrases=kept, updated_by=by, updated_at=at)


def changed_fields(old: CallScript, new: CallScript) -> list[str]:
    """The parts ``new`` changes (for the audit row)."""
    names = [s for s in SECTIONS if getattr(old, s) != getattr(new, s)]
    return names + (["phrases"] if old.phrases != new.phrases else [])


def _text(field: str, text: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise ScriptError(field, N_("must not be empty"))
    if len(text) > limit:
        raise ScriptError(
            field,
            N_("at most %(max)s characters, got %(count)s"),
            {"max": limit, "count": len(text)},
        )
    return text
