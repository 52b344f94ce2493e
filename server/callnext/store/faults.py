"""Which errors mean the storage cannot serve now (a full disk, a read-only file, the database
gone or its connection killed), as opposed to a bug: those answer 503 `unavailable`, not 500.

The reason is a fixed phrase (it is shown by /healthz, which anyone may read); the exception
itself goes to the log.
"""

from __future__ import annotations

import errno
import sqlite3

import asyncpg
from sqlalchemy import exc as sa_exc

DISK_FULL = "disk full"
READ_ONLY = "read-only storage"
IO_ERROR = "I/O error"
CONNECTION = "database connection lost"

_SQLITE = {  # sqlite3's error names (their prefix: SQLITE_IOERR_WRITE is an I/O error)
    "SQLITE_FULL": DISK_FULL,
    "SQLITE_READONLY": READ_ONLY,
    "SQLITE_IOERR": IO_ERROR,
    "SQLITE_CANTOPEN": "cannot open the database file",
    "SQLITE_BUSY": "database locked",
    "SQLITE_LOCKED": "database locked",
}
_ERRNO = {errno.ENOSPC: DISK_FULL, errno.EDQUOT: DISK_FULL, errno.EROFS: READ_ONLY,
          errno.EIO: IO_ERROR}  # fmt: skip
_SQLSTATE = {  # PostgreSQL's, by prefix: the first that matches (the longer ones first)
    "53100": DISK_FULL,
    "53": "database out of resources",
    "25006": READ_ONLY,
    "58": IO_ERROR,
    "08": CONNECTION,
    "57P": "database shutting down",
}
# A connection killed mid-operation ("cannot switch to state …": asyncpg's protocol), or refused.
_CONNECTION_ERRORS = (asyncpg.exceptions.InternalClientError, ConnectionError)


def storage_fault(exc: BaseException) -> str | None:
    """Why the storage failed, if `exc` (or what caused it) is such a failure; else None."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        error = todo.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        reason = _reason(error)
        if reason is not None:
            return reason
        todo += [getattr(error, "orig", None), error.__cause__, error.__context__]
    return None


def _reason(error: BaseException) -> str | None:
    if isinstance(error, sqlite3.Error):
        name = getattr(error, "sqlite_errorname", "") or ""
        return next((r for prefix, r in _SQLITE.items() if name.startswith(prefix)), None)
    if isinstance(error, asyncpg.PostgresError):
        state = str(getattr(error, "sqlstate", "") or "")
        return next((r for prefix, r in _SQLSTATE.items() if state.startswith(prefix)), None)
    if isinstance(error, _CONNECTION_ERRORS):
        return CONNECTION
    if isinstance(error, asyncpg.InterfaceError):  # not its DataError: a bug is a 500
        return CONNECTION if "connection is closed" in str(error) else None
    if isinstance(error, OSError):
        return _ERRNO.get(error.errno or 0)
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return CONNECTION
    if isinstance(error, sa_exc.TimeoutError):  # the pool had no connection to give
        return "no database connection free"
    return None
