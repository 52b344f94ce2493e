"""Kiosk tickets on ESC/POS thermal printers: the print job, and raw TCP to the printer.

A job is built with python-escpos's `Dummy` printer for an 80 mm printer (576 dots: 48 columns
in font A, 64 in font B; a Chinese character takes two columns). Chinese printers (Xprinter,
Epson TM-T88 China models) print CJK only in Chinese (Kanji) mode, and python-escpos's text
encoder knows no CJK, so the job enters Chinese mode with FS & right after ESC @, stays in it,
and sends every text line itself, encoded GB18030 (ASCII stays one byte; GBK characters are the
two-byte codes these printers know). Layout, every line centred (ESC a 1):

    hall name (bold, double size); its English name (font B, the small one)
    a rule of 48 "-"
    number (bold, 4x4: up to 12 characters; wider numbers get narrower)
    service name (double height); its English name (font B)
    " 绿色通道 Priority " (bold, inverted, double size; priority tickets only)
    a rule
    取号时间 2026-11-26 09:31
    前面还有 N 人 / N ahead; 预计等候约 M 分钟 / about M min (0 min: 即将叫号 / soon; no
    staffed window serves it: printing.NO_ESTIMATE, no figure)
    a guide's materials: a rule, 请携带 / Please bring, the first items left-aligned (each
    "· 身份证原件 / ID card (original)"), 另有 N 项，请扫码查看 / N more: scan the code
    a blank line, the QR code of the ticket's page (native GS ( k: model 2, level M, 6 dots)
    扫码查看排队进度 / Scan to follow your turn
    请留意大厅屏幕叫号，过号请到窗口咨询 / Watch the screens for your number
    python-escpos's cut(): feed 6 lines (ESC d 6), full cut (GS V 0)

A bilingual line that does not fit is printed as two (Chinese, then English); names wrap on
whole characters (and on spaces in English) and are cut with "…" past their line budget.
Control characters in names become spaces, so no name can smuggle in printer commands.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from ..domain.clock import utcnow
from .capabilities import escpos_ready, load_escpos

if TYPE_CHECKING:
    from escpos.printer import Dummy

escpos_ready()  # before anything imports escpos (see capabilities.py)

COLUMNS_A = 48  # font A (12x24 dots) on 576 dots
COLUMNS_B = 64  # font B (9x17 dots)
NUMBER_SIZE = 4  # the number at 4x width and height; narrower if it has over 12 characters
QR_MODULE_DOTS = 6
DEFAULT_PORT = 9100  # raw printing ("JetDirect"), as python-escpos's Network printer
KANJI_ON = b"\x1c\x26"  # FS &: Chinese (Kanji) character mode
ENCODING = "gb18030"
RULE = "-" * COLUMNS_A


@dataclass(frozen=True, slots=True)
class PrintedTicket:
    hall_name: str  # 演示政务服务中心
    hall_name_en: str  # Demo Service Hall ("" when none)
    number: str  # A001
    service_name: str  # 不动产登记
    service_name_en: str  # Real estate registration
    priority: bool  # 绿色通道 / Priority
    issued_at: datetime  # aware, already in the hall's timezone
    ahead: int | None  # people ahead (None: not waiting)
    est_wait_s: int | None
    url: str  # what the QR code opens: https://host/t/<id>
    slot: datetime | None = None  # a booked ticket's slot (预约 / Appointment), in the hall's zone
    past_closing: bool = False  # the estimate runs past the service's hours today
    # the first materials of the service's guide, (Chinese, English or ""), and how many more
    materials: tuple[tuple[str, str], ...] = ()
    more_materials: int = 0


# --- the print job -------------------------------------------------------------------------------


def render_escpos(ticket: PrintedTicket) -> bytes:
    """The whole ESC/POS job for one ticket (see the module's docstring for the layout)."""
    load_escpos()  # 0.2 s the first time: only when printing
    from escpos.printer import Dummy

    p = Dummy()
    p.hw("INIT")
    p._raw(KANJI_ON)
    p.set(align="center")
    _header(p, ticket)
    _number(p, ticket)
    _queue_lines(p, ticket)
    _materials(p, ticket)
    _footer(p, ticket.url)
    p.cut()
    out: bytes = p.output
    return out


def _header(p: Dummy, t: PrintedTicket) -> None:
    """Hall name (bold, double size) and its English name (font B), then a rule."""
    p.set(bold=True, custom_size=True, width=2, height=2)
    _lines(p, wrap(t.hall_name, COLUMNS_A // 2, 2))
    p.set(bold=False, custom_size=True, width=1, height=1)
    _small(p, t.hall_name_en)
    _lines(p, [RULE])


def _number(p: Dummy, t: PrintedTicket) -> None:
    """The number, very large; the service; the priority band; a rule."""
    wide = max(1, min(NUMBER_SIZE, COLUMNS_A // max(1, width(t.number))))
    p.set(bold=True, custom_size=True, width=wide, height=NUMBER_SIZE)
    _lines(p, wrap(t.number, COLUMNS_A // wide, 2))
    p.set(bold=False, custom_size=True, width=1, height=2)
    _lines(p, wrap(t.service_name, COLUMNS_A, 2))
    p.set(custom_size=True, width=1, height=1)
    _small(p, t.service_name_en)
    if t.priority:
        p.set(bold=True, invert=True, custom_size=True, width=2, height=2)
        _lines(p, [" 绿色通道 Priority "])
        p.set(bold=False, invert=False, custom_size=True, width=1, height=1)
    if t.slot is not None:
        p.set(bold=True, invert=True, custom_size=True, width=2, height=2)
        _lines(p, [" 预约 Appointment "])
        p.set(bold=False, invert=False, custom_size=True, width=1, height=1)
        _pair(p, f"预约时段 {t.slot:%H:%M}", f"slot {t.slot:%H:%M}")
    _lines(p, [RULE])


def _queue_lines(p: Dummy, t: PrintedTicket) -> None:
    """When it was issued, how many are ahead, and the estimated wait."""
    _lines(p, [f"取号时间 {t.issued_at:%Y-%m-%d %H:%M}"])
    if t.ahead is not None:
        _pair(p, f"前面还有 {t.ahead} 人", f"{t.ahead} ahead")
        _pair(p, *wait_texts(t.est_wait_s, t.past_closing))


def _materials(p: Dummy, t: PrintedTicket) -> None:
    """What to bring (the guide's first items), left-aligned as a list reads; then centred again."""
    if not t.materials:
        return
    _lines(p, [RULE])
    _pair(p, "请携带", "Please bring")
    p.set(align="left")
    for zh, en in t.materials:
        both = f"· {zh} / {en}" if en else f"· {zh}"
        if width(both) <= COLUMNS_A:
            _lines(p, [both])
        else:  # each half on its own lines, indented under the bullet ("·" takes 2 columns)
            zh_lines, en_lines = wrap(zh, COLUMNS_A - 3, 2), wrap(en, COLUMNS_A - 3, 2)
            _lines(p, [f"· {zh_lines[0]}"] + [f"   {line}" for line in zh_lines[1:] + en_lines])
    p.set(align="center")
    if t.more_materials:
        n = t.more_materials
        _pair(p, f"另有 {n} 项，请扫码查看", f"{n} more: scan the code")


def _footer(p: Dummy, url: str) -> None:
    """The QR code of the ticket's page and the instructions under it."""
    _lines(p, [""])
    from escpos.constants import QR_ECLEVEL_M  # see render_escpos

    p.qr(url, ec=QR_ECLEVEL_M, size=QR_MODULE_DOTS, native=True)
    _pair(p, "扫码查看排队进度", "Scan to follow your turn")
    _pair(p, "请留意大厅屏幕叫号，过号请到窗口咨询", "Watch the screens for your number")


NO_ESTIMATE = ("暂无窗口办理，无法估计等候时间", "No window is serving this now; no wait estimate")
PAST_CLOSING = ("今日可能无法办理", "May not be served today")


def wait_texts(est_wait_s: int | None, past_closing: bool = False) -> tuple[str, str]:
    """The estimated wait in whole minutes, rounded up (over an hour: hours and minutes, up to
    5); none left: "soon"; None (no staffed window serves the service): say so, with no
    figure; past the service's hours today: say that instead of a figure."""
    if est_wait_s is None:
        return NO_ESTIMATE
    if past_closing:
        return PAST_CLOSING
    minutes = -(-est_wait_s // 60)
    if minutes <= 0:
        return "即将叫号", "soon"
    if minutes <= 60:
        return f"预计等候约 {minutes} 分钟", f"about {minutes} min"
    hours, rest = divmod(-(-minutes // 5) * 5, 60)
    if rest == 0:
        return f"预计等候约 {hours} 小时", f"about {hours} h"
    return f"预计等候约 {hours} 小时 {rest} 分钟", f"about {hours} h {rest} min"


def _pair(p: Dummy, zh: str, en: str) -> None:
    """`zh / en` on one font A line when it fits, else Chinese then English."""
    both = f"{zh} / {en}"
    if width(both) <= COLUMNS_A:
        _lines(p, [both])
    else:
        _lines(p, wrap(zh, COLUMNS_A, 2) + wrap(en, COLUMNS_A, 2))


def _small(p: Dummy, text: str) -> None:
    """English under a Chinese line, in font B (nothing when empty)."""
    lines = wrap(text, COLUMNS_B, 2)
    if lines:
        p.set(font="b")
        _lines(p, lines)
        p.set(font="a")


def _lines(p: Dummy, lines: list[str]) -> None:
    p._raw(b"".join(_printable(line).encode(ENCODING) + b"\n" for line in lines))


# --- fitting text to columns ---------------------------------------------------------------------


def width(text: str) -> int:
    """Columns on a printer in Chinese mode: ASCII takes one, any other character two."""
    return sum(1 if ord(ch) < 0x80 else 2 for ch in text)


def wrap(text: str, columns: int, max_lines: int) -> list[str]:
    """Lines of at most `columns`, on whole characters (on spaces in words); "…" when cut."""
    rest = " ".join(_printable(text).split())
    lines: list[str] = []
    while rest and len(lines) < max_lines:
        line = _take(rest, columns)
        lines.append(line.rstrip())
        rest = rest[len(line) :].lstrip()
    if rest:
        lines[-1] = _clip(lines[-1], columns - width("…")) + "…"
    return lines


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _clip(text: str, columns: int) -> str:
    used = 0
    for i, ch in enumerate(text):
        used += width(ch)
        if used > columns:
            return text[:i]
    return text


def _take(text: str, columns: int) -> str:
    """The head of `text` for one line, backing up to a space rather than split a word."""
    head = _clip(text, columns) or text[:1]
    if len(head) < len(text) and _is_word(text[len(head) - 1]) and _is_word(text[len(head)]):
        space = head.rfind(" ")
        if space > 0:
            return head[: space + 1]
    return head


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# --- talking to the printer ----------------------------------------------------------------------

_URL = re.compile(
    r"(?i:tcp)://(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9.-]+))(?::(?P<port>[0-9]{1,5}))?/?",
    re.ASCII,
)
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", re.ASCII)


class PrinterError(Exception):
    """The printer could not take the job: refused, unreachable or timed out (one line)."""


def parse_printer_url(url: str) -> tuple[str, int]:
    """`tcp://host[:port]` (hostname, IPv4 or [IPv6]; port 9100 by default) → (host, port)."""
    m = _URL.fullmatch(url)
    if m is None:
        raise ValueError(f"printer URL must be tcp://host or tcp://host:port, not {url!r}")
    port = int(m["port"] or DEFAULT_PORT)
    if not 1 <= port <= 65535:
        raise ValueError(f"printer port must be 1-65535, not {port}")
    if m["ipv6"] is not None:
        return _ipv6(m["ipv6"]), port
    return _host(m["host"]), port


def _ipv6(text: str) -> str:
    try:
        return str(ipaddress.IPv6Address(text))
    except ValueError:
        raise ValueError(f"printer address [{text}] is not an IPv6 address") from None


def _host(host: str) -> str:
    labels = host.removesuffix(".").split(".")
    if all(label.isdigit() for label in labels):
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            raise ValueError(f"printer address {host} is not an IPv4 address") from None
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"printer host {host!r} is not a valid hostname")
    return host.lower()


def _where(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def send_to_printer(url: str, data: bytes, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Connect, write all of `data`, close; within `timeout` in all, or `PrinterError`.

    A malformed URL raises `ValueError` (see `parse_printer_url`).
    """
    host, port = parse_printer_url(url)
    where = _where(host, port)
    try:
        async with asyncio.timeout(timeout):
            await _send(host, port, data)
    except TimeoutError:
        raise PrinterError(
            f"printer {where}: timed out after {timeout:g} s (unreachable or not taking data)"
        ) from None
    except OSError as exc:
        raise PrinterError(f"printer {where}: {_reason(exc)}") from None


async def _send(host: str, port: int, data: bytes) -> None:
    _, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(data)
        await writer.drain()
        writer.close()  # flushes what is still buffered, then closes
        await writer.wait_closed()
    except BaseException:
        writer.transport.abort()  # a printer that stopped reading: drop the rest, now
        raise


def _reason(exc: OSError) -> str:
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host ({exc.strerror})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the printer on, and is this its port?)"
    if exc.errno:
        return os.strerror(exc.errno)
    return str(exc)


class PrinterStatus(TypedDict):
    printer: str
    ok: bool | None  # None: never tried
    error: str | None
    at: str | None  # ISO 8601 (UTC) of the last attempt
    printed: int


class Printers:
    """The printers of a server: one job at a time per printer, in request order; last status."""

    def __init__(self, now: Callable[[], datetime] = utcnow) -> None:
        self._now = now
        self._locks: dict[str, asyncio.Lock] = {}
        self._status: dict[str, PrinterStatus] = {}

    async def print_ticket(
        self,
        url: str,
        ticket: PrintedTicket,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Render and send one ticket after the jobs before it; raises `PrinterError`.

        `timeout` bounds the sending, not the wait behind earlier jobs (asyncio.Lock is FIFO).
        """
        data = render_escpos(ticket)
        async with self._locks.setdefault(url, asyncio.Lock()):
            try:
                await send_to_printer(url, data, timeout)
            except PrinterError as exc:
                self._record(url, str(exc))
                raise
            self._record(url, None)

    def status(self, url: str) -> PrinterStatus:
        """How the last job to this printer went, and how many printed since start."""
        return (self._status.get(url) or self._blank(url)).copy()

    def _blank(self, url: str) -> PrinterStatus:
        return {"printer": url, "ok": None, "error": None, "at": None, "printed": 0}

    def _record(self, url: str, error: str | None) -> None:
        status = self._status.setdefault(url, self._blank(url))
        status["ok"] = error is None
        status["error"] = error
        status["at"] = self._now().isoformat(timespec="seconds")
        if error is None:
            status["printed"] += 1
