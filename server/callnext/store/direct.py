"""The write path's statements, run straight on SQLite's DB-API cursor (compiled once).

SQLAlchemy Core adds about 35 µs to each statement it executes (an execution context, result
metadata, events), more than SQLite takes for an indexed read or a one-row UPDATE. A call-next
runs eleven such statements inside the hall's lock, so the hot ones go through here: on SQLite
each statement is compiled once per set of parameter names, and its SQL runs on the
transaction's own sqlite3 connection (the same transaction: SQLAlchemy only issued its BEGIN).
On PostgreSQL everything goes through SQLAlchemy as before.

Only statements built once (at import, or cached) belong here, as each is compiled once by its
identity; and only those whose columns need no type conversion (integers, strings, and
booleans, which come back as 0 or 1 on SQLite): rows come straight from sqlite3.
tests/store/test_direct.py holds each of them to SQLAlchemy's own results.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.sql import Insert, Select, Update

Values = Mapping[str, Any]
Statement = Select[Any] | Insert | Update
# (statement, its parameter names): the statement kept so that its id stays its own
_Key = tuple[int, tuple[str, ...]]
_COMPILED: dict[_Key, tuple[Statement, str, tuple[str, ...], dict[str, Any]]] = {}


def _raw(conn: Connection) -> sqlite3.Connection | None:
    """The transaction's sqlite3 connection, or None on another database."""
    if conn.dialect.name != "sqlite":
        return None
    raw = conn.connection.dbapi_connection
    return raw if isinstance(raw, sqlite3.Connection) else None


def _compiled(
    conn: Connection, statement: Statement, names: tuple[str, ...]
) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """The statement's SQL for the parameters `names`, the order its placeholders take their
    values in, and the values it carries itself (literals, LIMIT)."""
    key = (id(statement), names)
    found = _COMPILED.get(key)
    if found is not None and found[0] is statement:
        return found[1], found[2], found[3]
    compiled = statement.compile(dialect=conn.dialect, column_keys=list(names))
    own = dict(compiled.construct_params(_check=False))
    sql, order = str(compiled), tuple(compiled.positiontup or ())
    _COMPILED[key] = (statement, sql, order, own)
    return sql, order, own


def _arguments(order: tuple[str, ...], own: dict[str, Any], values: Values) -> list[Any]:
    return [values[name] if name in values else own[name] for name in order]


def _cursor(
    raw: sqlite3.Connection, conn: Connection, statement: Statement, values: Values
) -> sqlite3.Cursor:
    sql, order, own = _compiled(conn, statement, tuple(values))
    return raw.execute(sql, _arguments(order, own, values))


def tuples(conn: Connection, statement: Statement, values: Values) -> list[tuple[Any, ...]]:
    """Every row, as plain tuples in the statement's column order."""
    raw = _raw(conn)
    if raw is None:
        return [tuple(row) for row in conn.execute(statement, dict(values))]
    return _cursor(raw, conn, statement, values).fetchall()


def first(conn: Connection, statement: Statement, values: Values) -> Mapping[str, Any] | None:
    """The first row as {column label: value}, or None."""
    raw = _raw(conn)
    if raw is None:
        row = conn.execute(statement, dict(values)).first()
        return None if row is None else dict(row._mapping)
    cursor = _cursor(raw, conn, statement, values)
    found = cursor.fetchone()
    if found is None:
        return None
    labels = [column[0] for column in cursor.description]
    cursor.close()
    return dict(zip(labels, found, strict=True))


def scalar(conn: Connection, statement: Statement, values: Values) -> Any:
    """The first column of the one row the statement gives (an INSERT … RETURNING, say)."""
    raw = _raw(conn)
    if raw is None:
        return conn.execute(statement, dict(values)).scalar_one()
    found = _cursor(raw, conn, statement, values).fetchall()
    if len(found) != 1:
        raise LookupError(f"expected one row, got {len(found)}")
    return found[0][0]


def run(conn: Connection, statement: Statement, values: Values | Sequence[Values]) -> None:
    """Execute a statement that gives no rows, once, or once per mapping of a list (all with
    the same names)."""
    if isinstance(values, Sequence) and not values:
        return  # nothing to write (SQLAlchemy would insert one row of defaults)
    raw = _raw(conn)
    if raw is None:
        params = [dict(v) for v in values] if isinstance(values, Sequence) else dict(values)
        conn.execute(statement, params)
        return
    if not isinstance(values, Sequence):
        _cursor(raw, conn, statement, values).close()
        return
    sql, order, own = _compiled(conn, statement, tuple(values[0]))
    raw.executemany(sql, [_arguments(order, own, v) for v in values]).close()
