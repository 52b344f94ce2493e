"""`/` lists the halls and links to each of their pages."""

from __future__ import annotations

import re

from ..helpers import Api


async def test_index_lists_each_hall_and_its_pages(api: Api) -> None:
    async with api.session.get(api.base + "/") as resp:
        assert resp.status == 200
        assert resp.content_type == "text/html"
        html = await resp.text()
    assert "演示政务服务中心" in html
    links = set(re.findall(r'href="([^"]+)"', html))
    for path in ("/halls/demo/kiosk", "/halls/demo/display", "/halls/demo/staff",
                 "/halls/demo/dashboard", "/halls/demo/windows/1/display"):  # fmt: skip
        assert path in links
    assert "/overview" in links  # the region's overview, for its admin (docs/overview.md)
    async with api.session.get(api.base + "/static/shared/base.css") as resp:
        assert resp.status == 200
        assert "--font" in await resp.text()
