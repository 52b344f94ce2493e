"""Settings reach open pages at once (issue 6): a service a manager adds shows on an open lobby
screen and an open kiosk, with no reload, through the stream (hall.updated with layout)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from ..browser import chromium_missing, launch
from ..helpers import Api, wait_until

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]

LOBBY_NAMES = "[...document.querySelectorAll('#queues li .name')].map(e => e.textContent)"
KIOSK_CODES = "[...document.querySelectorAll('.service')].map(e => e.dataset.code)"


async def test_a_new_service_appears_on_an_open_lobby_and_kiosk(api: Api) -> None:
    async with launch() as browser:
        lobby = await browser.new_page(viewport={"width": 1920, "height": 1080})
        kiosk = await browser.new_page(viewport={"width": 1080, "height": 1920})
        await lobby.goto(api.base + "/halls/demo/display")
        await kiosk.goto(api.base + "/halls/demo/kiosk")
        await lobby.evaluate("window.__bootId = 1")
        await kiosk.evaluate("window.__bootId = 1")

        def lobby_has(name: str) -> Callable[[], Awaitable[bool]]:
            async def check() -> bool:
                return name in await lobby.evaluate(LOBBY_NAMES)

            return check

        def kiosk_shows(*codes: str) -> Callable[[], Awaitable[bool]]:
            async def check() -> bool:
                return list(await kiosk.evaluate(KIOSK_CODES)) == list(codes)

            return check

        await wait_until(lobby_has("不动产登记"), timeout=10)
        await wait_until(kiosk_shows("A", "B", "C"), timeout=10)
        assert not await lobby_has("公积金提取")()
        status, _ = await api.request(
            "PUT", "/api/v1/halls/demo/services/D", {"name": "公积金提取", "name_en": "Fund"},
            token=await api.login("manager"),
        )  # fmt: skip
        assert status == 201
        await wait_until(lobby_has("公积金提取"), timeout=30)
        await wait_until(kiosk_shows("A", "B", "C", "D"), timeout=30)
        # no reload: the pages are the same documents
        assert await lobby.evaluate("window.__bootId") == 1
        assert await kiosk.evaluate("window.__bootId") == 1
