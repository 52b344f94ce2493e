"""What managers change: the hall's settings (notice, hours, holidays, per-service switch, hours,
quota and priority) and its kiosks, one hall transaction each. A settings change ends with a
`hall.updated` event, so open screens and kiosks apply it at once.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from . import protocol as p
from .domain.errors import NotFound
from .domain.hall_settings import SettingsPatch, kiosk_json, settings_json
from .domain.model import Kiosk
from .store import config_sql
from .store.database import Database
from .store.hall_tx import HallTx

Json = dict[str, Any]


def _announce_change(tx: HallTx) -> None:
    tx.emit(p.HALL_UPDATED, None, None, notice=tx.hall.notice)


def apply_settings_body(tx: HallTx, patch: SettingsPatch, asked: Json) -> Json:
    """Apply a validated PATCH; the audit log keeps what was asked (`asked`, the body)."""
    tx.write_config(*config_sql.settings_statements(tx.hall.id, patch))
    tx.audit("settings.changed", detail=asked)
    _announce_change(tx)
    return settings_json(tx.hall)


def put_kiosk_body(tx: HallTx, kiosk: Kiosk) -> tuple[Json, bool]:
    """Create or replace a kiosk → (kiosk, created)."""
    created = tx.hall.kiosk(kiosk.code) is None
    tx.write_config(config_sql.put_kiosk_statement(tx.hall.id, kiosk, exists=not created))
    tx.audit("kiosk.created" if created else "kiosk.changed", detail=kiosk_json(kiosk))
    return kiosk_json(kiosk), created


def delete_kiosk_body(tx: HallTx, code: str) -> None:
    if tx.hall.kiosk(code) is None:
        raise NotFound("kiosk_not_found", f"No kiosk {code!r} in hall {tx.hall.code}.")
    tx.write_config(config_sql.delete_kiosk_statement(tx.hall.id, code))
    tx.audit("kiosk.deleted", detail={"code": code})


async def apply_settings(
    db: Database, hall: str, patch: SettingsPatch, asked: Json, actor: str
) -> Json:
    body = partial(apply_settings_body, patch=patch, asked=asked)
    return await db.hall_write(hall, body, actor=actor)


async def put_kiosk(db: Database, hall: str, kiosk: Kiosk, actor: str) -> tuple[Json, bool]:
    return await db.hall_write(hall, partial(put_kiosk_body, kiosk=kiosk), actor=actor)


async def delete_kiosk(db: Database, hall: str, code: str, actor: str) -> None:
    await db.hall_write(hall, partial(delete_kiosk_body, code=code), actor=actor)
