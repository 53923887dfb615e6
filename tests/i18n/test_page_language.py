"""The checks the every-page browser test runs on a page's texts (callcenter_testkit.page_language),
on texts chosen to pass and to fail, against the real zh_CN catalog."""

from __future__ import annotations

import pytest
from callcenter_testkit.page_language import (
    Catalogs,
    chinese_leaked,
    english_left,
    latin_runs,
    load_catalogs,
)


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return load_catalogs()


def test_runs_of_english_words() -> None:
    assert latin_runs("Sign in now") == ["Sign in now"]  # "in" neither counts nor ends it
    assert latin_runs("导出 CSV XLSX") == []  # the allow-list
    assert latin_runs("平均应答速度 (ASA) 12秒") == []
    assert latin_runs("Sign in") == []  # one word of 3+ letters: the catalog check's business
    assert latin_runs("cmp-late-1 demo-0001 agent1090") == []  # ids end a run
    assert latin_runs("李娜 Explained the plan change.") == ["Explained the plan change"]
    assert latin_runs("共 12 calls today") == ["calls today"]
    assert latin_runs("Wall screen", frozenset({"WALL"})) == []


def test_a_zh_cn_page_with_english_fails(catalogs: Catalogs) -> None:
    assert "Sign in" in catalogs.english and "登录" in catalogs.chinese
    page = ["登录", "Sign in", "Sign out:", "English", "ASA", "2026年12月7日 14:05", "alice"]
    assert english_left(page, catalogs, data=frozenset({"alice"})) == ["Sign in", "Sign out:"]
    assert english_left(["alice"], catalogs) == ["alice"]  # unless it is data
    # a msgid with a placeholder, filled in
    assert english_left(["Input should be less than 5"], catalogs) == [
        "Input should be less than 5"
    ]
    assert english_left(["Ready", "OK", "Notes:", "VIP", "1090"], catalogs) == ["Ready", "Notes:"]
    assert english_left(["supervisor"], catalogs, data=frozenset({"supervisor"})) == []
    assert english_left(["supervisor"], catalogs) == ["supervisor"]  # the role's msgid


def test_an_en_page_with_chinese_from_the_catalog_fails(catalogs: Catalogs) -> None:
    page = ["Sign in", "中文", "李娜", "退出登录", "应小于 5"]
    assert chinese_leaked(page, catalogs) == ["退出登录", "应小于 5"]
