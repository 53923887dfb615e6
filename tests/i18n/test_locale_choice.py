"""Choosing the language (Accept-Language negotiated with Babel), Babel's formatting, and the
centre's ``locale`` setting checked at start-up."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kernel.settings import SettingsError, load_settings
from web.i18n.catalog import accepted, negotiate
from web.i18n.formatting import (
    format_date,
    format_datetime,
    format_duration,
    format_number,
    format_percent,
    format_time,
)


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("zh", "zh_CN"),
        ("zh-Hans-CN", "zh_CN"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, zh;q=0.5", "zh_CN"),
        ("en;q=0.2, zh-CN;q=0.9", "zh_CN"),
        ("zh-CN;q=0, en", "en"),
        ("fr, de", None),
        ("", None),
        (None, None),
        ("zh-CN;q=abc, en", "en"),
    ],
)
def test_accept_language(header: str | None, locale: str | None) -> None:
    assert negotiate(header) == locale


def test_accepted_order() -> None:
    assert accepted("en;q=0.5, zh-CN, *;q=0.1, fr;q=0.7") == ["zh-CN", "fr", "en"]


def test_formatting_per_locale() -> None:
    at = datetime(2026, 12, 7, 6, 5, tzinfo=UTC)  # 14:05 in Shanghai
    assert format_date(date(2026, 12, 7), "zh_CN", "Asia/Shanghai") == "2026年12月7日"
    assert format_date(at, "en", "Asia/Shanghai") == "Dec 7, 2026"
    assert format_time(at, "zh_CN", "Asia/Shanghai") == "14:05"
    assert format_time(at, "en", "America/New_York") == "01:05"
    assert format_datetime(at, "zh_CN", "Asia/Shanghai") == "2026年12月7日 14:05"
    assert format_number(12345.5, "en") == "12,345.5"
    assert format_percent(80, "zh_CN") == "80%"
    assert format_percent(80.25, "en", 1) == "80.2%"  # half to even
    assert format_duration(180, "zh_CN") == "3分钟"
    assert format_duration(180, "en") == "3 minutes"


def test_default_locale_is_english() -> None:
    assert load_settings({}).locale == "en"


def test_a_bad_locale_stops_start_up_naming_the_field(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "callcenter.toml"
    path.write_text('locale = "fr"\n')
    with pytest.raises(SettingsError) as err:
        load_settings({}, path)
    assert "locale" in str(err.value)
    path.write_text('locale = "zh_CN"\n')
    assert load_settings({}, path).locale == "zh_CN"
