"""Without ``qa.form`` the centre's locale picks the QA form the pages store and score with: the
Chinese default (呼叫中心质量控制) in a zh_CN centre, its English translation in an en one, with
the same item ids and weights (``GET /api/qa/forms/current`` as the administrator)."""

from __future__ import annotations

import pytest
from callcenter_testkit.webtools import Login, web_settings

from kernel.settings import Settings

EXPECTED = {
    "zh_CN": ("客户服务质检表", "开场白与问候"),
    "en": ("Customer service", "Opening and greeting"),
}


@pytest.fixture(params=["zh_CN", "en"])
def settings(request: pytest.FixtureRequest, prefix: str) -> Settings:
    return web_settings(prefix).model_copy(update={"locale": request.param})


async def test_the_centres_locale_picks_the_stored_form(login: Login, settings: Settings) -> None:
    ada = await login("ada")
    async with ada.get("/api/qa/forms/current") as r:
        assert r.status == 200, await r.text()
        form = (await r.json())["form"]
    name, first_section = EXPECTED[settings.locale]
    assert form["name"] == name
    sections = form["definition"]["sections"]
    assert sections[0]["name"] == first_section
    items = [(i["id"], i["weight"], i["critical"]) for s in sections for i in s["items"]]
    assert len(items) == 19 and sum(w for _, w, _ in items) == 100
    assert ("compliance.privacy", 5, True) in items
