"""What managers change: the hall's settings (notice, hours, holidays, per-service switch, hours,
quota and priority), its services and windows, and its kiosks, one hall transaction each, audited.
A change that screens and kiosks show ends with a `hall.updated` event: they apply it at once.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import partial

from ..domain.errors import NotFound
from ..domain.hall_layout import NewHall, WindowDef, check_service_removable, check_window_removable
from ..domain.hall_settings import SettingsPatch, kiosk_json, settings_json
from ..domain.model import Json, Kiosk
from ..live import protocol
from ..runtime import security
from ..store import config_sql, setup
from ..store.database import Database
from ..store.hall_tx import HallTx


def _announce_change(tx: HallTx, layout: bool = False) -> None:
    """hall.updated; `layout`: services or windows changed, so screens take a new snapshot."""
    tx.emit(
        protocol.HALL_UPDATED,
        None,
        None,
        notice=tx.hall.notice,
        notice_en=tx.hall.notice_en,
        layout=layout,
    )


def apply_settings_body(tx: HallTx, patch: SettingsPatch, asked: Json) -> Json:
    """Apply a validated PATCH; the audit log keeps what was asked (`asked`, the body)."""
    tx.write_config(*config_sql.settings_statements(tx.hall.id, patch))
    tx.audit("settings.changed", detail=asked)
    _announce_change(tx, layout=bool({"name", "name_en"} & patch.hall.keys()))
    return settings_json(tx.hall)


def put_kiosk_body(tx: HallTx, kiosk: Kiosk) -> tuple[Json, bool]:
    """Create or replace a kiosk → (kiosk, created); a replaced kiosk keeps its key."""
    existing = tx.hall.kiosk(kiosk.code)
    created = existing is None
    kiosk = replace(kiosk, key_digest=existing.key_digest if existing else None)
    tx.write_config(config_sql.put_kiosk_statement(tx.hall.id, kiosk, exists=not created))
    tx.audit("kiosk.created" if created else "kiosk.changed", detail=kiosk_json(kiosk))
    return kiosk_json(kiosk), created


def kiosk_key_body(tx: HallTx, code: str, digest: str) -> None:
    """Give a kiosk a new key (its digest): the old one stops working at once."""
    if tx.hall.kiosk(code) is None:
        raise NotFound("kiosk_not_found", f"No kiosk {code!r} in hall {tx.hall.code}.")
    tx.write_config(config_sql.kiosk_key_statement(tx.hall.id, code, digest))
    tx.audit("kiosk.key_set", detail={"code": code})  # never the key


def delete_kiosk_body(tx: HallTx, code: str) -> None:
    if tx.hall.kiosk(code) is None:
        raise NotFound("kiosk_not_found", f"No kiosk {code!r} in hall {tx.hall.code}.")
    tx.write_config(config_sql.delete_kiosk_statement(tx.hall.id, code))
    tx.audit("kiosk.deleted", detail={"code": code})


def put_service_body(tx: HallTx, code: str, values: Json) -> tuple[Json, bool]:
    """Create or change a service → (the settings, created); screens and kiosks hear of it."""
    created = tx.hall.service(code) is None
    if created or values:  # a PUT of nothing to change writes no (empty, invalid) UPDATE
        tx.write_config(
            config_sql.put_service_statement(tx.conn, tx.hall.id, code, values, exists=not created)
        )
    shown = {**values, "hours": json.loads(values["hours"])} if values.get("hours") else values
    tx.audit("service.created" if created else "service.changed", detail={"code": code, **shown})
    _announce_change(tx, layout=True)
    return settings_json(tx.hall), created


def delete_service_body(tx: HallTx, code: str) -> Json:
    check_service_removable(tx.hall, code, config_sql.open_tickets_of(tx.conn, tx.hall.id, code))
    tx.write_config(config_sql.delete_service_statement(tx.hall.id, code))
    tx.audit("service.deleted", detail={"code": code})
    _announce_change(tx, layout=True)
    return settings_json(tx.hall)


def put_window_body(tx: HallTx, window: WindowDef) -> tuple[Json, bool]:
    created = tx.hall.window(window.number) is None
    tx.write_config(config_sql.put_window_statement(tx.hall.id, window, exists=not created))
    detail = {"number": window.number, "name": window.name, "services": list(window.services),
              "call_order": window.call_order.value}  # fmt: skip
    tx.audit("window.created" if created else "window.changed", window=window.number,
             detail=detail)  # fmt: skip
    _announce_change(tx, layout=True)
    return settings_json(tx.hall), created


def delete_window_body(tx: HallTx, number: int) -> Json:
    current = tx.current(number) if tx.hall.window(number) is not None else None
    check_window_removable(tx.hall, number, current.status if current else None)
    tx.write_config(config_sql.delete_window_statement(tx.hall.id, number))
    tx.audit("window.deleted", window=number)
    _announce_change(tx, layout=True)
    return settings_json(tx.hall)


async def create_hall(db: Database, new: NewHall) -> Json:
    """A new hall (an admin's POST, or `callnext hall add`) → its settings; 409 if it exists."""
    spec = setup.HallSpec(new.code, new.name, new.name_en, new.timezone, (), {})
    await setup.create_hall(db, spec)
    return settings_json(await db.hall(new.code))


async def apply_settings(
    db: Database, hall: str, patch: SettingsPatch, asked: Json, actor: str
) -> Json:
    body = partial(apply_settings_body, patch=patch, asked=asked)
    return await db.hall_write(hall, body, actor=actor)


async def put_kiosk(db: Database, hall: str, kiosk: Kiosk, actor: str) -> tuple[Json, bool]:
    return await db.hall_write(hall, partial(put_kiosk_body, kiosk=kiosk), actor=actor)


async def new_kiosk_key(db: Database, hall: str, code: str, actor: str) -> str:
    """A new key for the kiosk (returned once; only its digest is kept), audited."""
    key = security.new_kiosk_key()
    body = partial(kiosk_key_body, code=code, digest=security.token_digest(key))
    await db.hall_write(hall, body, actor=actor)
    return key


async def delete_kiosk(db: Database, hall: str, code: str, actor: str) -> None:
    await db.hall_write(hall, partial(delete_kiosk_body, code=code), actor=actor)


async def put_service(
    db: Database, hall: str, code: str, values: Json, actor: str
) -> tuple[Json, bool]:
    return await db.hall_write(
        hall, partial(put_service_body, code=code, values=values), actor=actor
    )


async def delete_service(db: Database, hall: str, code: str, actor: str) -> Json:
    return await db.hall_write(hall, partial(delete_service_body, code=code), actor=actor)


async def put_window(db: Database, hall: str, window: WindowDef, actor: str) -> tuple[Json, bool]:
    return await db.hall_write(hall, partial(put_window_body, window=window), actor=actor)


async def delete_window(db: Database, hall: str, number: int, actor: str) -> Json:
    return await db.hall_write(hall, partial(delete_window_body, number=number), actor=actor)
