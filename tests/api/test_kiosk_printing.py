"""Printing from the server: a kiosk registered with an ESC/POS network printer gets each new
ticket printed on it, byte for byte the job render_escpos builds; a printer that is down costs
the slip, never the ticket; a replayed request never prints twice. And the ticket's QR code:
an SVG that decodes to the ticket's page."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from callnext.domain.guide import slip_items
from callnext.printing.escpos import PrintedTicket, render_escpos
from callnext.runtime.config import Settings
from callnext.store.setup import ESTATE_GUIDE, UTILITY_GUIDE

from ..helpers import Api, free_port, running_app

KIOSKS = "/api/v1/halls/demo/kiosks"
TICKETS = "/api/v1/halls/demo/tickets"


class FakePrinter:
    """A raw-TCP printer on 127.0.0.1 (port 9100's protocol): it keeps each job's bytes."""

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._job, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _job(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.jobs.append(await reader.read())
        writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"


@pytest.fixture
async def printer() -> AsyncIterator[FakePrinter]:
    fake = FakePrinter()
    await fake.start()
    yield fake
    if fake.server is not None and fake.server.is_serving():
        await fake.stop()


async def add_kiosk(api: Api, code: str, body: dict[str, Any]) -> None:
    token = await api.login("manager")
    status, answer = await api.request("PUT", f"{KIOSKS}/{code}", body, token=token)
    assert status in (200, 201), answer


async def issue_at(api: Api, kiosk: str, service: str = "A", key: str | None = None,
                   priority: bool = False) -> dict[str, Any]:  # fmt: skip
    headers = {"Idempotency-Key": key} if key else None
    body = {"service": service, "priority": priority, "kiosk": kiosk}
    status, ticket = await api.request("POST", TICKETS, body, headers=headers)
    assert status == 201, ticket
    return ticket  # type: ignore[no-any-return]


def expected_job(ticket: dict[str, Any], base: str) -> bytes:
    """The job for `ticket` as the demo hall prints it, built here from the API's answer."""
    names = {
        "A": ("不动产登记", "Real estate registration"),
        "B": ("水电气过户", "Utility transfer"),
    }
    zh, en = names[ticket["service"]]
    guide = {"A": ESTATE_GUIDE, "B": UTILITY_GUIDE}[ticket["service"]]
    materials, more = slip_items(guide)  # what to bring: the first items of the demo's guide
    return render_escpos(
        PrintedTicket(
            hall_name="演示政务服务中心", hall_name_en="Demo Service Hall",
            number=ticket["number"], service_name=zh, service_name_en=en,
            priority=ticket["priority"], issued_at=datetime.fromisoformat(ticket["issued_at"]),
            ahead=ticket["ahead"], est_wait_s=ticket["est_wait_s"],
            url=f"{base}/t/{ticket['id']}", materials=tuple(materials), more_materials=more,
        )
    )  # fmt: skip


async def test_each_ticket_is_printed_once_on_its_kiosks_printer(
    api: Api, printer: FakePrinter
) -> None:
    await add_kiosk(api, "K1", {"name": "东门", "print": "escpos", "printer": printer.url})
    first = await issue_at(api, "K1", key="tap-1")
    second = await issue_at(api, "K1", "B", priority=True)
    assert first["print"] == {"mode": "escpos", "status": "printed", "error": None}
    assert second["print"]["status"] == "printed"
    assert printer.jobs == [expected_job(first, api.base), expected_job(second, api.base)]
    job = printer.jobs[1]
    assert "绿色通道".encode("gb18030") in job
    assert "水电气过户".encode("gb18030") in job
    # the guide's items: this one and its English exceed a line, so each goes on its own lines
    assert "· 原户主的缴费卡或近期账单\n".encode("gb18030") in job
    assert b"   The previous holder's payment card or a" in job
    assert "请携带".encode("gb18030") in printer.jobs[0]
    assert "另有 2 项".encode("gb18030") in printer.jobs[0]  # A's guide has 7 items
    assert f"{api.base}/t/{second['id']}".encode() in job  # the QR code's data
    # the same tap again (a lost reply): the same ticket, no second slip
    again = await issue_at(api, "K1", key="tap-1")
    assert again["id"] == first["id"]
    assert again["print"]["status"] == "not_again"
    assert len(printer.jobs) == 2
    status, kiosk = await api.request("GET", f"{KIOSKS}/K1", token=await api.login("manager"))
    assert status == 200
    assert kiosk["printer_status"]["ok"] is True
    assert kiosk["printer_status"]["printed"] == 2


async def test_a_printer_that_is_off_costs_the_slip_not_the_ticket(
    api: Api, printer: FakePrinter
) -> None:
    await add_kiosk(api, "K1", {"print": "escpos", "printer": printer.url})
    await printer.stop()
    ticket = await issue_at(api, "K1")
    assert ticket["print"]["status"] == "failed"
    assert f"127.0.0.1:{printer.port}" in ticket["print"]["error"]
    status, stored = await api.request("GET", f"/api/v1/tickets/{ticket['id']}")
    assert status == 200
    assert stored["status"] == "waiting"
    status, kiosk = await api.request("GET", f"{KIOSKS}/K1", token=await api.login("manager"))
    assert kiosk["printer_status"]["ok"] is False
    assert kiosk["printer_status"]["error"]
    async with api.session.get(api.base + "/metrics") as resp:
        metrics = await resp.text()
    assert 'callnext_print_failures_total{hall="demo",kiosk="K1"} 1' in metrics


async def test_kiosks_that_print_in_the_browser_or_not_at_all_send_nothing(
    api: Api, printer: FakePrinter
) -> None:
    await add_kiosk(api, "K2", {"print": "browser"})
    await add_kiosk(api, "K3", {"print": "none", "printer": printer.url})
    assert (await issue_at(api, "K2"))["print"]["status"] == "browser"
    assert (await issue_at(api, "K3"))["print"]["status"] == "none"
    plain = await api.issue("A")
    assert "print" not in plain  # no kiosk named: the contract's ticket, nothing added
    assert printer.jobs == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_the_public_url_setting_goes_into_the_qr_code(
    db_url: str, printer: FakePrinter
) -> None:
    settings = Settings(db_url=db_url, demo=True, demo_all_day=True, rate_limits=None,
                        public_url="https://queue.example.gov.cn")  # fmt: skip
    async with running_app(settings) as api:
        await add_kiosk(api, "K1", {"print": "escpos", "printer": printer.url})
        ticket = await issue_at(api, "K1")
        url = f"https://queue.example.gov.cn/t/{ticket['id']}"
        assert url.encode() in printer.jobs[0]
        assert decode_qr(await qr_svg(api, ticket["id"])) == url


# -- the QR code ----------------------------------------------------------------------------


async def qr_svg(api: Api, ticket_id: str) -> str:
    async with api.session.get(f"{api.base}/t/{ticket_id}/qr.svg") as resp:
        assert resp.status == 200
        assert resp.content_type == "image/svg+xml"
        return await resp.text()


def decode_qr(svg: str) -> str:
    """Draw the SVG's modules (its path of unit squares) and read them with zxing-cpp."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))  # type: ignore[union-attr]
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y in re.findall(r"M(\d+),(\d+)H", svg):
        x0, y0 = int(x) * scale, int(y) * scale
        draw.rectangle((x0, y0, x0 + scale - 1, y0 + scale - 1), fill=0)
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, "exactly one QR code"
    return str(results[0].text)


async def test_the_qr_code_opens_the_tickets_page(api: Api) -> None:
    ticket = await api.issue("A")
    svg = await qr_svg(api, ticket["id"])
    assert svg.startswith("<svg")
    assert "width=" not in svg.split(">")[0]
    assert decode_qr(svg) == f"{api.base}/t/{ticket['id']}"
    async with api.session.get(f"{api.base}/t/nope/qr.svg") as resp:
        assert resp.status == 404
    async with api.session.get(f"{api.base}/t/{'x' * 200}/qr.svg") as resp:
        assert resp.status == 404


async def test_a_printer_that_refuses_answers_the_kiosk_at_once(db_url: str) -> None:
    """A printer that is switched off (nothing listens) fails the print within the timeout;
    test_printing.py holds the printers that accept and then stall."""
    settings = Settings(
        db_url=db_url, demo=True, demo_all_day=True, rate_limits=None, print_timeout_s=1.0
    )
    port = free_port()
    async with running_app(settings) as api:
        await add_kiosk(api, "K1", {"print": "escpos", "printer": f"tcp://127.0.0.1:{port}"})
        started = asyncio.get_running_loop().time()
        ticket = await issue_at(api, "K1")
        assert ticket["print"]["status"] == "failed"
        assert asyncio.get_running_loop().time() - started < 1.5
