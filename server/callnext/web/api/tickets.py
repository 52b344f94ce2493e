"""Ticket endpoints: issue (kiosk), read and cancel (citizen), complete later (staff)."""

from __future__ import annotations

from aiohttp import web

from ...store import reads
from ...usecases import ticketing, windows
from .. import parse
from ..keys import DB, METRICS
from . import real_name
from .auth import STAFF, require
from .kiosk_auth import issuing_kiosk
from .printing import print_at_kiosk


async def issue(request: web.Request) -> web.Response:
    hall = await request.app[DB].hall(request.match_info["hall"])  # 404 before anything else
    key = parse.idempotency_key(request)
    body = await parse.json_body(request)
    service = parse.string(body, "service", max_len=3)
    priority = parse.boolean(body, "priority")
    kiosk = issuing_kiosk(request, hall, body)
    persons = real_name.persons(request, hall, body)
    db = request.app[DB]
    ticket, replayed = await ticketing.issue_ticket(db, hall.code, service, priority, key, persons)
    if not replayed:
        request.app[METRICS].inc("callnext_tickets_issued_total", hall=hall.code, service=service)
    headers = {"Location": f"/api/v1/tickets/{ticket['id']}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    if kiosk is not None:
        ticket = {**ticket, "print": await print_at_kiosk(request, hall, kiosk, ticket, replayed)}
    return web.json_response(ticket, status=201, headers=headers)


def _ticket_id(request: web.Request) -> str:
    return parse.path_part(request, "id", parse.TICKET_ID, "ticket")


async def get(request: web.Request) -> web.Response:
    _ticket, _hall, body = await reads.ticket_with_hall(request.app[DB], _ticket_id(request))
    return web.json_response(body)


async def cancel(request: web.Request) -> web.Response:
    ticket, hall, _body = await reads.ticket_with_hall(request.app[DB], _ticket_id(request))
    return web.json_response(await ticketing.cancel(request.app[DB], hall.code, ticket.id))


async def complete(request: web.Request) -> web.Response:
    ticket, hall, _body = await reads.ticket_with_hall(request.app[DB], _ticket_id(request))
    account = await require(request, STAFF, hall.code)
    by = windows.Staff(account.username)
    return web.json_response(await ticketing.complete(request.app[DB], hall.code, ticket.id, by))
