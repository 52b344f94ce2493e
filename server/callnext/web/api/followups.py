"""The follow-ups of dissatisfied ratings (差评回访) over HTTP, for the hall's managers and
admins: the list, one follow-up, and the four changes (assign, contacted, resolve, unreachable)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ...domain import followup as fu
from ...domain.errors import Invalid, NotFound
from ...domain.hall_settings import refuse_unknown
from ...usecases import followups
from .. import parse
from ..keys import DB
from .auth import MANAGERS, hall_of_url

# What each change's body may hold; `assignee` and, to resolve, `note` are required.
ACTION_FIELDS = {"assign": frozenset({"assignee"}), "contacted": frozenset({"note"}),
                 "resolve": frozenset({"note"}), "unreachable": frozenset({"note"})}  # fmt: skip


def _followup_id(request: web.Request) -> int:
    number = parse.whole_number(request.match_info["followup"])
    if number is None or number < 1:
        raise NotFound("followup_not_found", "No such follow-up.")
    return number


async def hall_followups(request: web.Request) -> web.Response:
    """GET …/followups?state=open|overdue|closed|all (default open): newest first."""
    hall, _account = await hall_of_url(request, MANAGERS)
    which = request.query.get("state", "open")
    if which not in fu.FILTERS:
        raise Invalid("bad_state", f"state must be one of: {', '.join(fu.FILTERS)}.")
    return web.json_response(await followups.list_of(request.app[DB], hall, which))


async def one_followup(request: web.Request) -> web.Response:
    """GET …/followups/{followup} → the follow-up, or 404 followup_not_found."""
    hall, _account = await hall_of_url(request, MANAGERS)
    return web.json_response(await followups.one(request.app[DB], hall, _followup_id(request)))


def _fields(action: str, body: dict[str, Any]) -> dict[str, Any]:
    refuse_unknown(body, ACTION_FIELDS[action], f"{action}")
    if action == "assign":
        if "assignee" not in body:
            raise Invalid("missing_field", "Field 'assignee' is required (a username, or null).")
        assignee = body["assignee"]
        if assignee is not None and (not isinstance(assignee, str) or len(assignee) > 64):
            raise Invalid("wrong_type", "assignee must be a username or null.")
        return {"assignee": assignee.strip() or None if assignee is not None else None}
    return {"note": fu.parse_note(body.get("note"), required=action == "resolve")}


async def _act(request: web.Request, action: str) -> web.Response:
    """POST …/followups/{followup}/{action} → the follow-up as it is now."""
    hall, account = await hall_of_url(request, MANAGERS)
    followup_id = _followup_id(request)
    body = await parse.json_body(request, required=action in ("assign", "resolve"))
    fields = _fields(action, body)
    answer = await followups.act(
        request.app[DB], hall.code, followup_id, action, fields, account.username
    )
    return web.json_response(answer)


async def assign(request: web.Request) -> web.Response:
    """POST …/assign {"assignee": username | null}: to one of the hall's accounts, or nobody."""
    return await _act(request, "assign")


async def contacted(request: web.Request) -> web.Response:
    """POST …/contacted {"note"?}: the citizen was reached."""
    return await _act(request, "contacted")


async def resolve(request: web.Request) -> web.Response:
    """POST …/resolve {"note"}: closed, with what was done."""
    return await _act(request, "resolve")


async def unreachable(request: web.Request) -> web.Response:
    """POST …/unreachable {"note"?}: closed, the citizen could not be reached."""
    return await _act(request, "unreachable")
