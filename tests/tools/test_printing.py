"""Kiosk tickets on ESC/POS printers (printing.py): the exact job, Chinese text, printer URLs, raw
TCP to real sockets on 127.0.0.1, and one job at a time per printer."""

from __future__ import annotations

import asyncio
import os
import pickle
import socket
import stat
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from callnext.printing.capabilities import (
    capabilities_file,
    ensure_pickle,
    load_escpos,
    pickle_file,
)
from callnext.printing.escpos import (
    PrintedTicket,
    PrinterError,
    Printers,
    parse_printer_url,
    render_escpos,
    send_to_printer,
    wait_texts,
    width,
    wrap,
)

from ..helpers import wait_until

ESC, FS, GS, LF = b"\x1b", b"\x1c", b"\x1d", b"\n"
URL = "https://q.example.gov.cn/t/01JD3K8ZQ4X7M2N9P5R6S8T0VW"  # 53 bytes
TICKET = PrintedTicket(
    hall_name="演示政务服务中心",
    hall_name_en="Demo Service Hall",
    number="A001",
    service_name="不动产登记",
    service_name_en="Real estate registration",
    priority=True,
    issued_at=datetime(2026, 11, 26, 9, 31, 40, tzinfo=timezone(timedelta(hours=8))),
    ahead=3,
    est_wait_s=250,
    url=URL,
)


def gb(text: str) -> bytes:
    return text.encode("gb18030")


def size(w: int, h: int) -> bytes:
    """GS ! n: width multiplier in the high nibble, height in the low one (n = 0 is 1x1)."""
    return GS + b"!" + bytes([(w - 1) << 4 | (h - 1)])


def qr_native(data: bytes, module: int = 6) -> bytes:
    """GS ( k, code type 49 ("1"): model 2, module size, level M, store the data, print."""

    def fn(f: bytes, params: bytes) -> bytes:
        body = b"1" + f + params  # cn fn [m] d…: pL pH count these bytes
        return GS + b"(k" + len(body).to_bytes(2, "little") + body

    return (
        fn(b"A", b"2\x00") + fn(b"C", bytes([module])) + fn(b"E", b"1")
        + fn(b"P", b"0" + data) + fn(b"Q", b"0")
    )  # fmt: skip


EXPECTED = (
    ESC + b"@"  # initialise
    + FS + b"&"  # Chinese (Kanji) mode, kept for the whole job
    + ESC + b"a\x01"  # centre
    + GS + b"!\x11" + ESC + b"E\x01"  # double size, bold
    + b"\xd1\xdd\xca\xbe\xd5\xfe\xce\xf1\xb7\xfe\xce\xf1\xd6\xd0\xd0\xc4" + LF  # 演示政务服务中心
    + GS + b"!\x00" + ESC + b"E\x00"
    + ESC + b"M\x01" + b"Demo Service Hall" + LF + ESC + b"M\x00"  # font B
    + b"-" * 48 + LF
    + GS + b"!\x33" + ESC + b"E\x01" + b"A001" + LF  # 4x4, bold
    + GS + b"!\x01" + ESC + b"E\x00"  # double height
    + b"\xb2\xbb\xb6\xaf\xb2\xfa\xb5\xc7\xbc\xc7" + LF  # 不动产登记
    + GS + b"!\x00" + ESC + b"M\x01" + b"Real estate registration" + LF + ESC + b"M\x00"
    + GS + b"!\x11" + ESC + b"E\x01" + GS + b"B\x01"  # double size, bold, inverted
    + b" \xc2\xcc\xc9\xab\xcd\xa8\xb5\xc0 Priority " + LF  # 绿色通道
    + GS + b"!\x00" + ESC + b"E\x00" + GS + b"B\x00"
    + b"-" * 48 + LF
    + gb("取号时间 2026-11-26 09:31") + LF
    + gb("前面还有 3 人 / 3 ahead") + LF
    + gb("预计等候约 5 分钟 / about 5 min") + LF  # 250 s: rounded up
    + LF
    + GS + b"(k\x04\x001A2\x00"  # QR model 2
    + GS + b"(k\x03\x001C\x06"  # 6-dot modules
    + GS + b"(k\x03\x001E1"  # error correction M
    + GS + b"(k\x38\x001P0" + URL.encode()  # store 53 bytes: pL = 53 + 3
    + GS + b"(k\x03\x001Q0"  # print the symbol
    + gb("扫码查看排队进度 / Scan to follow your turn") + LF
    + gb("请留意大厅屏幕叫号，过号请到窗口咨询") + LF
    + b"Watch the screens for your number" + LF
    + ESC + b"d\x06"  # feed 6 lines
    + GS + b"V\x00"  # full cut
)  # fmt: skip

# ESC/POS commands a job may hold, by their first two bytes: their fixed length.
COMMANDS = {
    ESC + b"@": 2, FS + b"&": 2, ESC + b"a": 3, ESC + b"E": 3, ESC + b"M": 3, ESC + b"d": 3,
    GS + b"!": 3, GS + b"B": 3, GS + b"V": 3,
}  # fmt: skip


def text_of(job: bytes) -> str:
    """The job's text, commands and QR code taken out, decoded strictly from GB18030."""
    text, i = bytearray(), 0
    while i < len(job):
        if job[i] in (0x1B, 0x1C, 0x1D):
            if job[i : i + 3] == GS + b"(k":
                i += 5 + int.from_bytes(job[i + 3 : i + 5], "little")
            else:
                i += COMMANDS[job[i : i + 2]]
        else:
            text.append(job[i])
            i += 1
    return text.decode("gb18030")


def lines_of(ticket: PrintedTicket) -> list[str]:
    return text_of(render_escpos(ticket)).splitlines()


# --- the job -----------------------------------------------------------------------------------


def test_the_job_is_exactly_the_documented_commands() -> None:
    assert render_escpos(TICKET) == EXPECTED
    assert qr_native(URL.encode()) in EXPECTED


def test_the_qr_code_is_python_escpos_native_qr() -> None:
    load_escpos()  # as callnext imports it (see capabilities.py), never at collection
    from escpos.printer import Dummy

    dummy = Dummy()
    dummy.qr(URL, ec=1, size=6, native=True)  # 1: QR_ECLEVEL_M
    assert dummy.output == qr_native(URL.encode())
    assert dummy.output in render_escpos(TICKET)


def test_the_chinese_comes_back_and_nothing_is_replaced() -> None:
    assert lines_of(TICKET) == [
        "演示政务服务中心", "Demo Service Hall", "-" * 48, "A001", "不动产登记",
        "Real estate registration", " 绿色通道 Priority ", "-" * 48, "取号时间 2026-11-26 09:31",
        "前面还有 3 人 / 3 ahead", "预计等候约 5 分钟 / about 5 min", "",
        "扫码查看排队进度 / Scan to follow your turn", "请留意大厅屏幕叫号，过号请到窗口咨询",
        "Watch the screens for your number",
    ]  # fmt: skip
    job = render_escpos(TICKET)
    assert b"?" not in job.replace(URL.encode(), b"")
    assert "\ufffd" not in text_of(job)


def test_an_english_only_hall_a_plain_ticket_and_no_wait() -> None:
    plain = replace(
        TICKET, hall_name="Riverside Service Hall", hall_name_en="", service_name_en="",
        priority=False, ahead=0, est_wait_s=0,
    )  # fmt: skip
    assert lines_of(plain)[:6] == [
        "Riverside Service Hall", "-" * 48, "A001", "不动产登记", "-" * 48,
        "取号时间 2026-11-26 09:31",
    ]  # fmt: skip
    assert lines_of(plain)[6:8] == ["前面还有 0 人 / 0 ahead", "即将叫号 / soon"]
    assert ESC + b"M\x01" in render_escpos(TICKET)
    assert GS + b"B" not in render_escpos(plain)


def test_a_booked_ticket_says_appointment_and_its_slot() -> None:
    slot = TICKET.issued_at.replace(hour=10, minute=15)
    lines = lines_of(replace(TICKET, priority=False, slot=slot))
    assert lines[5:9] == ["Real estate registration", " 预约 Appointment ",
                          "预约时段 10:15 / slot 10:15", "-" * 48]  # fmt: skip
    assert " 预约 Appointment " not in lines_of(TICKET)


def test_a_ticket_not_waiting_says_nothing_of_the_queue() -> None:
    lines = lines_of(replace(TICKET, ahead=None, est_wait_s=None))
    assert not [line for line in lines if "ahead" in line or "min" in line]


def test_a_waiting_ticket_with_no_staffed_window_says_so_and_prints_no_figure() -> None:
    """est_wait_s null (nobody works at a window of its service): the slip's bytes carry the
    sentence in GB18030 and in English, and no minutes, not "soon" either."""
    unstaffed = replace(TICKET, ahead=2, est_wait_s=None)
    job = render_escpos(unstaffed)
    assert gb("暂无窗口办理，无法估计等候时间") in job
    assert b"No window is serving this now; no wait estimate" in job
    for figure in (gb("分钟"), gb("即将叫号"), b" min", b"soon"):
        assert figure not in job
    lines = lines_of(unstaffed)
    at = lines.index("前面还有 2 人 / 2 ahead")
    assert lines[at + 1 : at + 3] == [
        "暂无窗口办理，无法估计等候时间", "No window is serving this now; no wait estimate",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("seconds", "texts"),
    [
        (0, ("即将叫号", "soon")),
        (-5, ("即将叫号", "soon")),
        (1, ("预计等候约 1 分钟", "about 1 min")),
        (60, ("预计等候约 1 分钟", "about 1 min")),
        (61, ("预计等候约 2 分钟", "about 2 min")),
        (3600, ("预计等候约 60 分钟", "about 60 min")),
        (3601, ("预计等候约 1 小时 5 分钟", "about 1 h 5 min")),
        (3900, ("预计等候约 1 小时 5 分钟", "about 1 h 5 min")),
        (3901, ("预计等候约 1 小时 10 分钟", "about 1 h 10 min")),
        (7200, ("预计等候约 2 小时", "about 2 h")),
    ],
)
def test_the_wait_is_in_minutes_rounded_up(seconds: int, texts: tuple[str, str]) -> None:
    """Over an hour: hours and minutes, rounded up to 5 (shared/wait-words.js too)."""
    assert wait_texts(seconds) == texts


def test_a_wait_past_the_services_hours_gives_no_figure() -> None:
    assert wait_texts(33_780, past_closing=True) == ("今日可能无法办理", "May not be served today")
    assert wait_texts(None, past_closing=True)[0] == "暂无窗口办理，无法估计等候时间"
    job = render_escpos(replace(TICKET, ahead=995, est_wait_s=33_780, past_closing=True))
    assert "今日可能无法办理".encode("gb18030") in job
    assert "分钟".encode("gb18030") not in job


def test_a_long_service_name_wraps_then_is_cut_on_whole_characters() -> None:
    name = "不动产登记与房屋交易抵押权变更注销一件事联办综合受理"  # 26 characters
    assert width(name) == 52
    lines = lines_of(replace(TICKET, service_name=name))
    assert lines[4:6] == [name[:24], name[24:]]
    longer = name * 3
    lines = lines_of(replace(TICKET, service_name=longer))
    assert lines[4:6] == [longer[:24], longer[24:47] + "…"]
    assert all(width(line) <= 48 for line in lines)


def test_english_wraps_on_spaces_and_a_mixed_line_on_characters() -> None:
    assert wrap("Real estate registration and transfer of ownership", 20, 3) == [
        "Real estate", "registration and", "transfer of…",
    ]  # fmt: skip
    assert wrap("Supercalifragilistic", 8, 2) == ["Supercal", "ifragi…"]  # "…" is full width
    assert wrap("不动产 registration 登记", 10, 3) == ["不动产", "registrati", "on 登记"]
    assert wrap("  ", 10, 2) == []


def test_a_name_cannot_smuggle_printer_commands() -> None:
    job = render_escpos(replace(TICKET, hall_name="大厅\x1dV\x00\x1b@\n二楼"))
    assert job.count(GS + b"V") == 1
    assert job.count(ESC + b"@") == 1
    assert lines_of(replace(TICKET, hall_name="大厅\x1dV\x00\x1b@\n二楼"))[0] == "大厅 V @ 二楼"


# --- the guide: what to bring ------------------------------------------------------------------

GUIDED = replace(
    TICKET,
    materials=(("身份证原件", "ID card (original)"),
               ("不动产权证书", "Real estate title certificate"),
               ("购房合同", "Purchase contract"), ("完税凭证", "Tax payment certificate"),
               ("户口簿", "Household register (hukou booklet)")),
    more_materials=2,
)  # fmt: skip
WAIT_LINE = gb("预计等候约 5 分钟 / about 5 min") + LF
GUIDE_JOB = (
    b"-" * 48 + LF
    + gb("请携带 / Please bring") + LF
    + ESC + b"a\x00"  # left-aligned, as a list reads
    + b"\xa1\xa4 " + gb("身份证原件") + b" / ID card (original)" + LF  # "·": A1A4 in GB18030
    + gb("· 不动产权证书 / Real estate title certificate") + LF
    + gb("· 购房合同 / Purchase contract") + LF
    + gb("· 完税凭证 / Tax payment certificate") + LF
    + gb("· 户口簿 / Household register (hukou booklet)") + LF
    + ESC + b"a\x01"  # centred again
    + gb("另有 2 项，请扫码查看 / 2 more: scan the code") + LF
)  # fmt: skip


def test_the_guide_prints_its_first_items_between_the_wait_and_the_qr_code() -> None:
    """The expected job, deliberately: the documented one with the guide's lines after the
    wait; no guide (TICKET) prints none of them."""
    assert EXPECTED.count(WAIT_LINE) == 1
    assert render_escpos(GUIDED) == EXPECTED.replace(WAIT_LINE, WAIT_LINE + GUIDE_JOB)
    assert "请携带" not in text_of(render_escpos(TICKET))
    job = render_escpos(GUIDED)
    assert b"?" not in job.replace(URL.encode(), b"")
    assert "\ufffd" not in text_of(job)


def test_a_long_item_puts_its_english_on_its_own_lines_and_is_cut_on_whole_characters() -> None:
    zh = "委托书及受托人身份证原件（由他人代为办理时须提供，另附复印件一份并签字确认）"  # 37
    en = "Power of attorney and the agent's ID card (original), when someone acts for you"
    lines = lines_of(replace(TICKET, materials=((zh, en), ("户口簿", "")), more_materials=0))
    at = lines.index("请携带 / Please bring")
    assert lines[at + 1 : at + 6] == [
        f"· {zh[:22]}", f"   {zh[22:]}", "   Power of attorney and the agent's ID card",
        "   (original), when someone acts for you", "· 户口簿",
    ]  # fmt: skip
    assert all(width(line) <= 48 for line in lines)
    assert not [line for line in lines if "more" in line]  # nothing left out: no "more" line
    cut = lines_of(replace(TICKET, materials=((zh * 2, ""),)))
    assert cut[cut.index("请携带 / Please bring") + 2] == f"   {(zh * 2)[22:43]}…"


# --- printer URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("tcp://192.168.1.50", ("192.168.1.50", 9100)),
        ("tcp://192.168.1.50:9101", ("192.168.1.50", 9101)),
        ("tcp://printer-2.hall.local:65535", ("printer-2.hall.local", 65535)),
        ("TCP://Printer1/", ("printer1", 9100)),
        ("tcp://[fe80::0:1]:9100", ("fe80::1", 9100)),
        ("tcp://[::1]", ("::1", 9100)),
    ],
)
def test_printer_urls(url: str, address: tuple[str, int]) -> None:
    assert parse_printer_url(url) == address


@pytest.mark.parametrize(
    "url",
    [
        "http://192.168.1.50:9100", "192.168.1.50", "tcp://", "tcp://:9100", "tcp://host:0",
        "tcp://host:70000", "tcp://host:", "tcp://host:port", "tcp://ho st", "tcp://host/print",
        "tcp://host?x=1", "tcp://user@host", "tcp://300.1.1.1", "tcp://1.2.3", "tcp://a..b",
        "tcp://-host", "tcp://[not:an:address]", "tcp://[12345::1]", "tcp://::1", " tcp://host", "tcp://host\n",
        "tcp://打印机", "junk", "",
    ],
)  # fmt: skip
def test_bad_printer_urls_say_why_in_one_line(url: str) -> None:
    with pytest.raises(ValueError, match="printer") as caught:
        parse_printer_url(url)
    assert "\n" not in str(caught.value)


# --- sending -------------------------------------------------------------------------------------


@dataclass
class FakePrinter:
    """A raw port-9100 printer: each connection's bytes up to EOF, in accept order."""

    server: asyncio.Server = field(init=False)
    url: str = field(init=False)
    jobs: dict[int, bytes] = field(default_factory=dict)
    accepted: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index, self.accepted = self.accepted, self.accepted + 1
        self.jobs[index] = b"" + await reader.read()
        writer.close()

    async def received(self, count: int) -> list[bytes]:
        async def done() -> bool:
            return len(self.jobs) >= count

        await wait_until(done, timeout=5)
        return [self.jobs[i] for i in range(len(self.jobs))]


@pytest.fixture
async def printer() -> AsyncIterator[FakePrinter]:
    fake = FakePrinter()
    fake.server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
    fake.url = f"tcp://127.0.0.1:{fake.server.sockets[0].getsockname()[1]}"
    yield fake
    fake.server.close()
    await fake.server.wait_closed()


def closed_port() -> int:
    """A port nobody listens on: bound, then closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A port whose listener never accepts and whose backlog is full: connecting hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(3)]
        for sock in fillers:
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
        yield port
        for sock in fillers:
            sock.close()


async def test_the_printer_gets_exactly_the_job(printer: FakePrinter) -> None:
    await send_to_printer(printer.url, EXPECTED)
    assert await printer.received(1) == [EXPECTED]


async def test_a_refused_connection_fails_fast_naming_the_printer() -> None:
    port = closed_port()
    started = time.monotonic()
    with pytest.raises(PrinterError, match=f"127.0.0.1:{port}: connection refused"):
        await send_to_printer(f"tcp://127.0.0.1:{port}", EXPECTED)
    assert time.monotonic() - started < 1


async def test_an_unreachable_printer_times_out(full_backlog: int) -> None:
    started = time.monotonic()
    with pytest.raises(PrinterError, match=f"127.0.0.1:{full_backlog}: timed out after 0.5 s"):
        await send_to_printer(f"tcp://127.0.0.1:{full_backlog}", EXPECTED, timeout=0.5)
    assert time.monotonic() - started < 1.5


async def test_a_printer_that_stops_reading_times_out() -> None:
    stop = asyncio.Event()

    async def never_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await stop.wait()
        writer.close()

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # no kernel autotuning
    listener.bind(("127.0.0.1", 0))
    server = await asyncio.start_server(never_read, sock=listener, limit=1024)
    url = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    started = time.monotonic()
    try:
        with pytest.raises(PrinterError, match="timed out after 1 s"):
            await send_to_printer(url, b"\x00" * 16_000_000, timeout=1.0)
        assert time.monotonic() - started < 2
    finally:
        stop.set()
        server.close()
        await server.wait_closed()


# --- one job at a time per printer ---------------------------------------------------------------


def numbered(n: int) -> PrintedTicket:
    return replace(TICKET, number=f"A{n:03}", url=f"{URL[:-3]}{n:03}")


async def test_concurrent_tickets_arrive_whole_and_in_call_order(printer: FakePrinter) -> None:
    printers = Printers()
    tickets = [numbered(n) for n in range(1, 7)]
    await asyncio.gather(*(printers.print_ticket(printer.url, t) for t in tickets))
    assert await printer.received(6) == [render_escpos(t) for t in tickets]
    assert printers.status(printer.url)["printed"] == 6


async def test_a_job_waits_for_the_one_before_it(full_backlog: int) -> None:
    printers, url = Printers(), f"tcp://127.0.0.1:{full_backlog}"
    started = time.monotonic()
    first, second = await asyncio.gather(
        printers.print_ticket(url, numbered(1), timeout=0.5),
        printers.print_ticket(url, numbered(2), timeout=0.5),
        return_exceptions=True,
    )
    assert isinstance(first, PrinterError)
    assert isinstance(second, PrinterError)
    assert time.monotonic() - started >= 1.0  # one after the other, never both at once


async def test_status_is_ok_then_the_error_after_the_printer_goes_away(
    printer: FakePrinter,
) -> None:
    moments = iter(datetime(2026, 11, 26, 1, minute, tzinfo=UTC) for minute in (31, 32))
    printers = Printers(now=lambda: next(moments))
    assert printers.status(printer.url) == {
        "printer": printer.url, "ok": None, "error": None, "at": None, "printed": 0,
    }  # fmt: skip
    await printers.print_ticket(printer.url, TICKET, timeout=60)  # a loaded machine took > 5 s
    assert printers.status(printer.url) == {
        "printer": printer.url, "ok": True, "error": None, "at": "2026-11-26T01:31:00+00:00",
        "printed": 1,
    }  # fmt: skip
    printer.server.close()
    await printer.server.wait_closed()
    with pytest.raises(PrinterError, match="connection refused"):
        await printers.print_ticket(printer.url, TICKET)
    status = printers.status(printer.url)
    assert status["ok"] is False
    assert status["error"] is not None
    assert "connection refused" in status["error"]
    assert status["at"] == "2026-11-26T01:32:00+00:00"
    assert status["printed"] == 1


def _python(script: str, tmp: Path) -> str:
    """`script`'s output in a new Python whose temporary directory is `tmp`."""
    env = {**os.environ, "TMPDIR": str(tmp)}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    run = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return run.stdout.strip()


def test_escpos_parses_its_capabilities_once_into_a_private_directory(tmp_path: Path) -> None:
    """python-escpos pickled its capabilities into a new mkdtemp() directory in every process
    (0.2 s each, and a directory left in /tmp each time); callnext gives it one private cache
    and imports it only to print. Two processes: the second finds the first's pickle."""
    script = (
        "import sys, callnext.web.app; assert 'escpos' not in sys.modules, 'imported eagerly'\n"
        "from callnext.printing.capabilities import load_escpos; load_escpos()\n"
        "import escpos.capabilities as c; print(c.pickle_path, c.full_load)"
    )
    directory = tmp_path / f"callnext-{os.getuid()}" / "escpos"
    first = _python(script, tmp_path).split()
    pickled = Path(first[0]).stat()
    second = _python(script, tmp_path).split()
    assert [Path(first[0]).parent, Path(second[0]).parent] == [directory, directory]
    assert [first[1], second[1]] == ["False", "False"]  # escpos only read: callnext wrote it
    assert Path(second[0]).stat().st_mtime_ns == pickled.st_mtime_ns  # parsed once
    assert Path(second[0]).stat().st_ino == pickled.st_ino
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"callnext-{os.getuid()}"]
    assert [p.name for p in directory.iterdir()] == [Path(first[0]).name]  # no partial left


IMPORT_ESCPOS = (
    "from callnext.printing.escpos import render_escpos\n"  # as the server: this module first
    "from callnext.printing.capabilities import load_escpos; load_escpos()\n"
    "import escpos.capabilities as c; print(c.full_load, len(c.CAPABILITIES['profiles']))"
)


def test_a_pickle_left_empty_or_cut_is_written_again(tmp_path: Path) -> None:
    """What python-escpos's own in-place write leaves for 0.2 s (or for good, if killed): an
    empty or cut file, newer than the capabilities. escpos would read it (EOFError, as three CI
    workers importing at once did); callnext writes it again first."""
    directory = tmp_path / f"callnext-{os.getuid()}" / "escpos"
    whole = _python(IMPORT_ESCPOS, tmp_path)
    pickle_path = next(directory.iterdir())
    for damaged in (b"", pickle_path.read_bytes()[:1000]):
        pickle_path.write_bytes(damaged)
        assert _python(IMPORT_ESCPOS, tmp_path) == whole
        assert pickle_path.stat().st_size > 1000


def test_processes_importing_escpos_at_once_all_succeed(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    command = [sys.executable, "-c", IMPORT_ESCPOS]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(6)]
    outputs = [run.communicate(timeout=60)[0].strip() for run in runs]
    assert [run.returncode for run in runs] == [0] * 6
    assert len(set(outputs)) == 1
    assert outputs[0].startswith("False ")  # escpos never wrote the pickle itself


def test_a_cache_directory_open_to_others_is_not_used(tmp_path: Path) -> None:
    root = tmp_path / f"callnext-{os.getuid()}"
    (root / "escpos").mkdir(parents=True)
    root.chmod(0o777)  # anyone could put a pickle there: not ours to trust
    script = "from callnext.printing import capabilities as c; print(c.private_cache_dir())"
    assert _python(script, tmp_path) == "None"


def test_the_pickle_callnext_writes_is_what_escpos_would_parse(tmp_path: Path) -> None:
    """callnext reads the capabilities as JSON (1 ms); python-escpos parses them with PyYAML
    (140 ms). The pickle must hold the same either way."""
    import yaml  # type: ignore[import-untyped]  # python-escpos's own dependency

    ensure_pickle(tmp_path)
    source = capabilities_file()
    assert source is not None
    with pickle_file(tmp_path).open("rb") as cached:
        assert pickle.load(cached) == yaml.safe_load(source.read_text(encoding="utf-8"))
    assert pickle_file(tmp_path).stat().st_mtime_ns >= source.stat().st_mtime_ns
