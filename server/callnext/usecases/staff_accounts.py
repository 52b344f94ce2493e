"""A hall's staff accounts as its manager keeps them: list, create or change, remove. Each change
is audited in the hall's transaction; disabling or removing an account (or changing its password)
ends its sessions, and the windows they held are free in the same transaction."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..domain.errors import Conflict, Forbidden, Invalid, NotFound
from ..domain.hall_settings import refuse_unknown, text, truth
from ..domain.model import Json, Role
from ..runtime.security import hash_password
from ..store import accounts
from ..store.database import Database
from ..store.hall_tx import HallTx
from . import desks

USERNAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
FIELDS = frozenset({"role", "window", "password", "disabled", "display_name", "staff_no"})
NAME_LIMITS = {"display_name": 64, "staff_no": 32}  # shown on the window screens
MIN_PASSWORD = 6


@dataclass(frozen=True)
class AccountChange:
    username: str
    role: Role | None = None
    window: int | None = None
    window_given: bool = False
    password_hash: str | None = None
    disabled: bool | None = None
    names: dict[str, str] = field(default_factory=dict)  # display_name, staff_no given


def username(value: str) -> str:
    if not USERNAME.fullmatch(value):
        raise Invalid("bad_username", "A username is 1–64 letters, digits, '.', '_' or '-'.")
    return value


async def parse_change(name: str, body: Json, by_role: Role) -> AccountChange:
    """A PUT body, checked; the password is hashed here (off the event loop)."""
    refuse_unknown(body, FIELDS, f"user {name}")
    role = None
    if "role" in body:
        allowed = (Role.STAFF, Role.MANAGER) if by_role is Role.MANAGER else tuple(Role)
        if body["role"] not in [r.value for r in allowed]:
            names = ", ".join(r.value for r in allowed)
            raise Invalid("bad_value", f"role must be one of: {names}.")
        role = Role(body["role"])
    window = body.get("window")
    if window is not None and (isinstance(window, bool) or not isinstance(window, int)):
        raise Invalid("wrong_type", "window must be a window number or null.")
    password_hash = None
    if "password" in body:
        password = body["password"]
        if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= 256:
            raise Invalid("bad_password", f"A password is {MIN_PASSWORD}–256 characters.")
        password_hash = await asyncio.to_thread(hash_password, password)
    disabled = truth(body["disabled"], "disabled") if "disabled" in body else None
    shown = {key: text(body[key], key, limit).strip() for key, limit in NAME_LIMITS.items()
             if key in body}  # fmt: skip
    return AccountChange(name, role, window, "window" in body, password_hash, disabled, shown)


def _json(row: Any) -> Json:
    return {"username": row.username, "role": row.role, "window": row.window,
            "disabled": bool(row.disabled), "display_name": row.display_name,
            "staff_no": row.staff_no}  # fmt: skip


def _admin_only(row: Any, by_role: Role, what: str) -> None:
    """An admin account (bound to this hall) is changed or removed by an admin, never by the
    hall's manager: 403 wrong_role."""
    if row.role == Role.ADMIN.value and by_role is not Role.ADMIN:
        raise Forbidden("wrong_role", f"An admin account is {what} by an admin.")


def put_body(tx: HallTx, change: AccountChange, by: str, by_role: Role) -> tuple[Json, bool]:
    """Create or change an account of this hall → (account, created)."""
    row = accounts.account_row(tx.conn, change.username)
    if row is not None and row.hall_id != tx.hall.id:
        raise Conflict("user_exists", f"User {change.username!r} belongs to another hall.")
    if row is not None:
        _admin_only(row, by_role, "changed")
    if change.window is not None and tx.hall.window(change.window) is None:
        raise NotFound("window_not_found", f"No window {change.window} in hall {tx.hall.code}.")
    if change.username == by and change.disabled:
        raise Conflict("cannot_disable_self", "You cannot disable your own account.")
    values: Json = {}
    if change.role is not None:
        values["role"] = change.role.value
    if change.window_given:
        values["window"] = change.window
    if change.password_hash is not None:
        values["password_hash"] = change.password_hash
    if change.disabled is not None:
        values["disabled"] = change.disabled
    values.update(change.names)
    if row is None:
        if change.password_hash is None or change.role is None:
            raise Invalid("missing_field", "A new account needs its 'role' and 'password'.")
        accounts.insert_account(tx.conn, change.username, tx.hall.id, tx.now, **values)
    elif values:
        accounts.update_account(tx.conn, row.id, **values)
    if row is not None and (change.disabled or change.password_hash is not None):
        accounts.end_sessions(tx.conn, row.id)
        desks.end_user_holds(tx, change.username, "account")
    shown = {k: v for k, v in values.items() if k != "password_hash"}
    if change.password_hash is not None:
        shown["password"] = "changed"
    action = "user.created" if row is None else "user.changed"
    tx.audit(action, detail={"username": change.username, **shown})
    return _json(accounts.account_row(tx.conn, change.username)), row is None


def delete_body(tx: HallTx, name: str, by: str, by_role: Role) -> None:
    row = accounts.account_row(tx.conn, name)
    if row is None or row.hall_id != tx.hall.id:
        raise NotFound("user_not_found", f"No user {name!r} in hall {tx.hall.code}.")
    if name == by:
        raise Conflict("cannot_delete_self", "You cannot remove your own account.")
    _admin_only(row, by_role, "removed")
    accounts.delete_account(tx.conn, row.id)
    desks.end_user_holds(tx, name, "account")
    tx.audit("user.deleted", detail={"username": name})


async def list_accounts(db: Database, hall_id: int) -> list[Json]:
    return [_json(row) for row in await accounts.accounts_of_hall(db, hall_id)]


async def put(
    db: Database, hall: str, change: AccountChange, by: str, by_role: Role
) -> tuple[Json, bool]:
    body = partial(put_body, change=change, by=by, by_role=by_role)
    return await db.hall_write(hall, body, actor=by)


async def remove(db: Database, hall: str, name: str, by: str, by_role: Role) -> None:
    await db.hall_write(hall, partial(delete_body, name=name, by=by, by_role=by_role), actor=by)
