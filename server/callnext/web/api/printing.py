"""Printing a kiosk's ticket from the server, on its ESC/POS network printer.

The ticket is committed before anything is printed: a printer that is off, out of paper or
slow costs the citizen the paper slip, never the ticket (the kiosk shows it and its QR code).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from aiohttp import web

from ...domain.guide import NO_GUIDE, slip_items
from ...domain.model import Hall, Kiosk, PrintMode
from ...printing.escpos import PrintedTicket, PrinterError
from ..keys import METRICS, PRINTERS, SETTINGS

log = logging.getLogger(__name__)


def public_base(request: web.Request) -> str:
    """Where a phone reaches this server: CALLNEXT_PUBLIC_URL, else the address asked for."""
    return request.app[SETTINGS].public_url or f"{request.scheme}://{request.host}"


def ticket_url(request: web.Request, ticket_id: str) -> str:
    return f"{public_base(request)}/t/{ticket_id}"


def printed_ticket(request: web.Request, hall: Hall, ticket: dict[str, Any]) -> PrintedTicket:
    service = hall.service(ticket["service"])
    materials, more = slip_items(service.guide if service else NO_GUIDE)
    return PrintedTicket(
        hall_name=hall.name,
        hall_name_en=hall.name_en,
        number=ticket["number"],
        service_name=service.name if service else ticket["service"],
        service_name_en=service.name_en if service else "",
        priority=ticket["priority"],
        issued_at=datetime.fromisoformat(ticket["issued_at"]),
        ahead=ticket.get("ahead"),
        est_wait_s=ticket.get("est_wait_s"),
        url=ticket_url(request, ticket["id"]),
        slot=datetime.fromisoformat(ticket["slot"]) if ticket.get("slot") else None,
        past_closing=bool(ticket.get("past_closing")),
        materials=tuple(materials),
        more_materials=more,
    )


async def print_at_kiosk(
    request: web.Request, hall: Hall, kiosk: Kiosk, ticket: dict[str, Any], replayed: bool
) -> dict[str, Any]:
    """Print the ticket if the kiosk prints from the server → the `print` field of the answer:
    {"mode", "status": printed | failed | not_again | browser | none, "error"}."""
    mode = kiosk.print_mode
    if mode is not PrintMode.ESCPOS or kiosk.printer is None:
        return {"mode": mode.value, "status": mode.value, "error": None}
    if replayed:  # the first answer printed it (or said why not): one slip per ticket
        return {"mode": mode.value, "status": "not_again", "error": None}
    metrics = request.app[METRICS]
    try:
        await request.app[PRINTERS].print_ticket(
            kiosk.printer,
            printed_ticket(request, hall, ticket),
            timeout=request.app[SETTINGS].print_timeout_s,
        )
    except PrinterError as exc:
        log.warning("kiosk %s/%s: %s", hall.code, kiosk.code, exc)
        metrics.inc("callnext_print_failures_total", hall=hall.code, kiosk=kiosk.code)
        return {"mode": mode.value, "status": "failed", "error": str(exc)}
    metrics.inc("callnext_prints_total", hall=hall.code, kiosk=kiosk.code)
    return {"mode": mode.value, "status": "printed", "error": None}
