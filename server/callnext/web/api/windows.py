"""Window actions (staff): call-next, recall, finish, transfer, call a number, pause, resume."""

from __future__ import annotations

import time

from aiohttp import web

from ...domain.errors import Forbidden, NotFound
from ...domain.model import Finish, Role
from ...store.accounts import Account
from ...store.write_stages import LAST_WRITE, server_timing
from ...usecases import windows
from .. import parse
from ..keys import DB, METRICS
from .auth import STAFF, require

MAX_WINDOW = 100_000


async def staff_window(request: web.Request) -> tuple[str, int, Account]:
    """The hall and window of the URL and the caller, once the caller may act on that window."""
    hall_code = request.match_info["hall"]
    number = parse.window_number(request)
    account = await require(request, STAFF, hall_code)
    hall = await request.app[DB].hall(hall_code)
    if number > MAX_WINDOW or hall.window(number) is None:
        raise NotFound("window_not_found", f"No window {number} in hall {hall_code}.")
    bound = hall.bind_staff_to_windows and account.role is Role.STAFF
    if bound and account.window != number:
        raise Forbidden("wrong_window", f"You are assigned to window {account.window}.")
    return hall_code, number, account


def _staff(account: Account) -> windows.Staff:
    return windows.Staff(account.username, account.desk)


def _count_call(request: web.Request, hall: str, body: dict[str, object]) -> None:
    if body.get("called"):
        request.app[METRICS].inc("callnext_calls_total", hall=hall)


async def call_next(request: web.Request) -> web.Response:
    """Call-next; its Server-Timing header says where the time before the displays went."""
    begun = time.perf_counter()
    LAST_WRITE.set(None)  # a kept-alive connection's earlier request left its own
    hall, number, account = await staff_window(request)
    authorized = time.perf_counter()
    body = await parse.json_body(request, required=False)
    how = parse.choice(body, "finish", Finish, Finish.COMPLETED)
    result = await windows.call_next(request.app[DB], hall, number, how, _staff(account))
    _count_call(request, hall, result)
    response = web.json_response(result)
    stages = LAST_WRITE.get()
    if stages is not None:
        response.headers["Server-Timing"] = server_timing(begun, authorized, stages)
    return response


async def recall(request: web.Request) -> web.Response:
    hall, number, account = await staff_window(request)
    return web.json_response(await windows.recall(request.app[DB], hall, number, _staff(account)))


async def finish(request: web.Request) -> web.Response:
    hall, number, account = await staff_window(request)
    body = await parse.json_body(request, required=False)
    how = parse.choice(body, "outcome", Finish, Finish.COMPLETED)
    return web.json_response(
        await windows.finish(request.app[DB], hall, number, how, _staff(account))
    )


async def transfer(request: web.Request) -> web.Response:
    hall, number, account = await staff_window(request)
    body = await parse.json_body(request)
    service = parse.string(body, "service", max_len=3)
    return web.json_response(
        await windows.transfer(request.app[DB], hall, number, service, _staff(account))
    )


async def requeue(request: web.Request) -> web.Response:
    """The current ticket back to its own queue, in its place (the console's leave dialog)."""
    hall, number, account = await staff_window(request)
    await parse.json_body(request, required=False)
    return web.json_response(await windows.requeue(request.app[DB], hall, number, _staff(account)))


async def call(request: web.Request) -> web.Response:
    hall, number, account = await staff_window(request)
    body = await parse.json_body(request)
    ticket_number = parse.string(body, "number", max_len=16)
    result = await windows.call_number(
        request.app[DB], hall, number, ticket_number, _staff(account)
    )
    _count_call(request, hall, result)
    return web.json_response(result)


async def pause(request: web.Request) -> web.Response:
    hall, number, account = await staff_window(request)
    body = await parse.json_body(request, required=False)
    reason = parse.string(body, "reason", required=False, max_len=200)
    return web.json_response(
        await windows.set_paused(request.app[DB], hall, number, True, reason, _staff(account))
    )


async def resume(request: web.Request) -> web.Response:
    hall, number, account = await staff_window(request)
    await parse.json_body(request, required=False)
    return web.json_response(
        await windows.set_paused(request.app[DB], hall, number, False, None, _staff(account))
    )
