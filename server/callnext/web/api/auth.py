"""Login, logout, and the role and hall checks of every staff call."""

from __future__ import annotations

from aiohttp import web

from ...domain.errors import Forbidden, RateLimited, Unauthenticated
from ...domain.model import Hall, Role
from ...runtime.security import token_digest
from ...store import accounts
from ...store.accounts import Account
from ...usecases import desks
from .. import parse
from ..client import client_address
from ..keys import DB, LIMITER, SETTINGS

STAFF = (Role.STAFF, Role.MANAGER, Role.ADMIN)
MANAGERS = (Role.MANAGER, Role.ADMIN)


def bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("missing_token", "Send Authorization: Bearer TOKEN; log in first.")
    return token.strip()


async def require(
    request: web.Request, roles: tuple[Role, ...], hall: str | None = None
) -> Account:
    """The caller's account, if it holds one of `roles` in `hall` (admins without a hall: all)."""
    account = await accounts.authenticate(request.app[DB], bearer(request))
    if account.role not in roles:
        raise Forbidden("wrong_role", f"This needs the role {' or '.join(r.value for r in roles)}.")
    all_halls = account.role is Role.ADMIN and account.hall is None
    if hall is not None and not all_halls and account.hall != hall:
        raise Forbidden("wrong_hall", f"Your account does not belong to hall {hall!r}.")
    return account


async def sees_ticket_ids(request: web.Request, hall: str) -> bool:
    """Whether the answer may carry every ticket's id: the request sends `Authorization: Bearer`
    with a live token of the hall's staff, manager or admin (an admin bound to no hall: every
    hall). No header, or another scheme (a proxy's Basic auth), is anonymous: False; so is a
    live token of another hall. A Bearer token that is unknown or expired is refused (401
    bad_token), as on every staff call: an integrator learns its token is dead instead of
    silently losing the ids."""
    scheme, _, _token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    account = await accounts.authenticate(request.app[DB], bearer(request))
    if account.role not in STAFF:
        return False
    return account.hall == hall or (account.role is Role.ADMIN and account.hall is None)


async def hall_of_url(request: web.Request, roles: tuple[Role, ...]) -> tuple[Hall, Account]:
    """The URL's hall (404 before anything else) and the caller, once the caller holds one of
    `roles` there."""
    hall = await request.app[DB].hall(request.match_info["hall"])
    return hall, await require(request, roles, hall.code)


def rate_limited(wait: float, limit: str, message: str, **values: str) -> RateLimited:
    """429 rate_limited: `message` (formatted once with `values` and the seconds `s`) says whose
    requests ran out and when to try again; `limit` names the limit (a kind of
    CALLNEXT_RATE_LIMITS)."""
    seconds = max(1, round(wait))
    return RateLimited(
        "rate_limited",
        message.format(s=seconds, **values),
        headers={"Retry-After": str(seconds)},
        extra={"limit": limit, "retry_after_s": seconds},
    )


def check_rate(request: web.Request, kind: str, client: str | None = None) -> None:
    """429 when the client (its address, unless named) used up its `kind` of requests."""
    wait = request.app[LIMITER].allow(kind, client or client_address(request))
    if wait is not None:
        raise rate_limited(wait, kind, "Too many requests; try again in {s} s.")


LOGIN_REFUSALS = {
    "login": "Too many failed logins as {user} from your address; try again in {s} s.",
    "login_address": "Too many failed logins from your address; try again in {s} s.",
    "login_account": (
        "Too many failed logins as {user} from many addresses; logins as {user} resume in "
        "{s} s. If these were not you, tell the hall's manager or an admin."
    ),
}


async def login(request: web.Request) -> web.Response:
    """A session for the right password. Failed logins count per account and address, per
    address and per account (docs/security.md); one that succeeds counts against none."""
    body = await parse.json_body(request)
    username = parse.string(body, "username", max_len=64)
    password = parse.string(body, "password", max_len=256)
    address = client_address(request)
    checks = (
        ("login", f"{address} {username}"),
        ("login_address", address),
        ("login_account", username),
    )
    limiter = request.app[LIMITER]
    refused = limiter.take(*checks)
    if refused is not None:
        wait, limit = refused
        raise rate_limited(wait, limit, LOGIN_REFUSALS[limit], user=username)
    session = await accounts.login(
        request.app[DB], username, password, request.app[SETTINGS].token_ttl
    )
    limiter.refund(*checks)
    return web.json_response(
        {
            "token": session.token,
            "role": session.account.role.value,
            "hall": session.account.hall,
            "username": session.account.username,
            "window": session.account.window,
            "expires_at": session.expires_at.isoformat(timespec="seconds"),
        }
    )


async def logout(request: web.Request) -> web.Response:
    """End the session; the window it holds, if any, is left in the same transaction (screens
    see it free, and estimates stop counting it)."""
    token = bearer(request)
    db = request.app[DB]
    try:
        account = await accounts.authenticate(db, token)
    except Unauthenticated:
        account = None
    if account is not None and account.hall is not None:
        await desks.logout(db, account.hall, account.username, token_digest(token), account.desk)
    else:
        await accounts.logout(db, token)
    return web.json_response({"ok": True})


async def me(request: web.Request) -> web.Response:
    db = request.app[DB]
    account = await accounts.authenticate(db, bearer(request))
    desk = None
    if account.desk is not None and account.hall is not None:
        held = desks.holds(await db.hall(account.hall), account.desk)
        desk = {"window": account.desk.window, "desk": account.desk.id, "holds": held}
    return web.json_response(
        {"username": account.username, "role": account.role.value, "hall": account.hall,
         "window": account.window, "desk": desk}
    )  # fmt: skip
