"""Staff accounts and their sessions (bearer tokens that expire)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..domain.clock import from_micros, to_micros, utcnow
from ..domain.errors import Conflict, Invalid, NotFound, Unauthenticated
from ..domain.model import DeskHold, Role
from ..runtime.security import dummy_hash, hash_password, new_token, token_digest, verify_password
from .database import Database
from .schema import halls, sessions, users, windows


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    username: str
    role: Role
    hall: str | None
    window: int | None  # the window the user is assigned to
    desk: DeskHold | None = None  # the window this session took (see desks.py)
    session_until: datetime | None = None  # when this session expires (read with a token)


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    account: Account
    expires_at: datetime


_ACCOUNT_COLUMNS = (
    users.c.id, users.c.username, users.c.role, halls.c.code.label("hall"), users.c.window,
)  # fmt: skip

_LIVE_SESSION = (  # the account behind a token, while its session lives
    select(*_ACCOUNT_COLUMNS, sessions.c.desk_window, sessions.c.desk_id, sessions.c.expires_at)
    .join(sessions, sessions.c.user_id == users.c.id)
    .outerjoin(halls, halls.c.id == users.c.hall_id)
    .where(
        sessions.c.token_hash == bindparam("token_hash"),
        sessions.c.expires_at > bindparam("now"),
        users.c.disabled.is_(False),
    )
)


def _account(m: Mapping[Any, Any]) -> Account:
    """The account of a row of _ACCOUNT_COLUMNS (and the session's desk, when read with it)."""
    desk_id, desk_window = m.get("desk_id"), m.get("desk_window")
    desk = (
        DeskHold(desk_window, desk_id) if desk_id is not None and desk_window is not None else None
    )
    until = from_micros(m.get("expires_at"))
    return Account(m["id"], m["username"], Role(m["role"]), m["hall"], m["window"], desk, until)


async def add_user(
    db: Database,
    username: str,
    password: str,
    role: Role,
    hall: str | None,
    window: int | None = None,
    *,
    replace_password: bool = False,
    password_hash: str | None = None,
) -> Account:
    """Create an account (or, with replace_password, set an existing one's password);
    `password_hash`: the password's hash, already made (the demo's accounts share one)."""
    hashed = password_hash or await asyncio.to_thread(hash_password, password)

    def body(conn: Connection) -> None:
        hall_id = None
        if hall is not None:
            hall_id = conn.execute(select(halls.c.id).where(halls.c.code == hall)).scalar()
            if hall_id is None:
                raise NotFound("hall_not_found", f"No hall {hall!r}.")
        if window is not None:
            _check_window(conn, hall_id, hall, window)
        values = {
            "username": username, "password_hash": hashed, "role": role.value,
            "hall_id": hall_id, "window": window,
        }  # fmt: skip
        exists = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
        if exists is not None and not replace_password:
            raise Conflict("user_exists", f"User {username!r} already exists.")
        try:
            if exists is None:
                conn.execute(insert(users).values(created_at=to_micros(utcnow()), **values))
            else:
                conn.execute(update(users).where(users.c.id == exists).values(**values))
        except IntegrityError as exc:
            raise Conflict("user_exists", f"User {username!r} already exists.") from exc

    await db.run_write(body)
    return await db.run_read(lambda conn: _find(conn, username))


def _check_window(conn: Connection, hall_id: int | None, hall: str | None, window: int) -> None:
    """An account's window exists in its hall."""
    if hall_id is None:
        raise Invalid("missing_field", "A window belongs to a hall: give the hall too.")
    numbers = conn.execute(
        select(windows.c.number).where(windows.c.hall_id == hall_id).order_by(windows.c.number)
    ).scalars()
    known = list(numbers)
    if window not in known:
        have = ", ".join(map(str, known)) or "none yet"
        raise NotFound(
            "window_not_found", f"No window {window} in hall {hall} (its windows: {have})."
        )


def _find(conn: Connection, username: str) -> Account:
    row = conn.execute(
        select(*_ACCOUNT_COLUMNS)
        .outerjoin(halls, halls.c.id == users.c.hall_id)
        .where(users.c.username == username)
    ).first()
    if row is None:
        raise NotFound("user_not_found", f"No user {username!r}.")
    return _account(row._mapping)


async def login(db: Database, username: str, password: str, ttl: timedelta) -> Session:
    """A new session for the right password; the same error for a wrong one or no such user."""
    row = await db.run_read(
        lambda conn: conn.execute(
            select(*_ACCOUNT_COLUMNS, users.c.password_hash, users.c.disabled)
            .outerjoin(halls, halls.c.id == users.c.hall_id)
            .where(users.c.username == username)
        ).first()
    )
    stored = row.password_hash if row is not None else dummy_hash()
    valid = await asyncio.to_thread(verify_password, password, stored)
    if row is None or not valid or row.disabled:
        raise Unauthenticated("bad_credentials", "Wrong username or password.")
    token, now = new_token(), utcnow()
    expires = now + ttl

    def store_session(conn: Connection) -> None:
        conn.execute(
            insert(sessions).values(
                token_hash=token_digest(token),
                user_id=row.id,
                created_at=to_micros(now),
                expires_at=to_micros(expires),
            )
        )
        conn.execute(delete(sessions).where(sessions.c.expires_at < to_micros(now)))

    await db.run_write(store_session)
    return Session(token, _account(row._mapping), expires)


async def authenticate(db: Database, token: str) -> Account:
    """The account behind a live token."""
    values = {"token_hash": token_digest(token), "now": to_micros(utcnow())}
    row = await db.read_first(_LIVE_SESSION, values)
    if row is None:
        raise Unauthenticated("bad_token", "The token is unknown or has expired; log in again.")
    return _account(row)


async def logout(db: Database, token: str) -> None:
    await db.run_write(
        lambda conn: conn.execute(
            delete(sessions).where(sessions.c.token_hash == token_digest(token))
        )
    )


# -- a hall's accounts as its manager keeps them (staff_accounts.py), inside a hall transaction --


def account_row(conn: Connection, username: str) -> Any:
    return conn.execute(select(users).where(users.c.username == username)).first()


def insert_account(
    conn: Connection, username: str, hall_id: int, at: datetime, **values: Any
) -> None:
    conn.execute(
        insert(users).values(username=username, hall_id=hall_id, created_at=to_micros(at), **values)
    )


def update_account(conn: Connection, user_id: int, **values: Any) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def end_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))


def end_sessions(conn: Connection, user_id: int) -> None:
    conn.execute(delete(sessions).where(sessions.c.user_id == user_id))


def delete_account(conn: Connection, user_id: int) -> None:
    end_sessions(conn, user_id)
    conn.execute(delete(users).where(users.c.id == user_id))


async def accounts_of_hall(db: Database, hall_id: int) -> list[Any]:
    query = select(users).where(users.c.hall_id == hall_id).order_by(users.c.username)
    return await db.run_read(lambda conn: list(conn.execute(query)))
