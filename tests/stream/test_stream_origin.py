"""The display stream's Origin check: pages of this server, and origins the hall allows, may open
it; other sites' pages get 403 origin_not_allowed; clients with no Origin are not browsers."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
import pytest

from callnext.runtime.config import Settings

from ..helpers import Api, running_app

PATHS = ["/ws/v1/halls/demo", "/ws/v2/halls/demo"]


async def opens(api: Api, path: str, origin: str | None) -> int:
    headers = {"Origin": origin} if origin else {}
    try:
        async with api.session.ws_connect(api.ws_base + path, headers=headers) as ws:
            await ws.receive()
            return 101
    except aiohttp.WSServerHandshakeError as exc:
        return exc.status


@pytest.mark.parametrize("path", PATHS)
async def test_own_origin_and_no_origin_open_others_do_not(api: Api, path: str) -> None:
    assert await opens(api, path, None) == 101
    assert await opens(api, path, api.base) == 101  # the server's own pages
    assert await opens(api, path, "https://evil.example") == 403
    assert await opens(api, path, "null") == 403  # a sandboxed or file:// page


@pytest.mark.engine_independent
async def test_the_refusal_is_the_contract_error(api: Api) -> None:
    async with api.session.get(
        api.base + "/ws/v2/halls/demo",
        headers={"Origin": "https://evil.example", "Upgrade": "websocket", "Connection": "Upgrade",
                 "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
    ) as resp:  # fmt: skip
        assert resp.status == 403
        body = await resp.json()
    assert body["error"]["code"] == "origin_not_allowed"


async def test_allowed_origins_are_configurable(settings: Settings) -> None:
    allowed = replace(settings, allowed_origins=("https://screens.example",))
    async with running_app(allowed) as api:
        assert await opens(api, PATHS[1], "https://screens.example") == 101
        assert await opens(api, PATHS[1], "https://other.example") == 403
    async with running_app(replace(settings, allowed_origins=("*",))) as api:
        assert await opens(api, PATHS[1], "https://other.example") == 101
