"""The statements that change a hall's configuration, for HallTx.write_config."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..domain.hall_layout import WindowDef
from ..domain.hall_settings import SettingsPatch
from ..domain.model import Kiosk, Status
from .schema import halls, kiosks, services, tickets, windows


def settings_statements(hall_id: int, patch: SettingsPatch) -> list[Executable]:
    """The hall row's and each service row's changed columns."""
    statements: list[Executable] = [
        update(services)
        .where(services.c.hall_id == hall_id, services.c.code == code)
        .values(**values)
        for code, values in patch.services.items()
        if values
    ]
    if patch.hall:
        statements.append(update(halls).where(halls.c.id == hall_id).values(**patch.hall))
    return statements


def put_kiosk_statement(hall_id: int, kiosk: Kiosk, exists: bool) -> Executable:
    values = {"name": kiosk.name, "print_mode": kiosk.print_mode.value, "printer": kiosk.printer}
    if not exists:
        return insert(kiosks).values(hall_id=hall_id, code=kiosk.code, **values)
    where = (kiosks.c.hall_id == hall_id, kiosks.c.code == kiosk.code)
    return update(kiosks).where(*where).values(**values)


def kiosk_key_statement(hall_id: int, code: str, digest: str | None) -> Executable:
    """Set (or clear) a kiosk's key digest; its other settings stay."""
    where = (kiosks.c.hall_id == hall_id, kiosks.c.code == code)
    return update(kiosks).where(*where).values(key_digest=digest)


def delete_kiosk_statement(hall_id: int, code: str) -> Executable:
    return delete(kiosks).where(kiosks.c.hall_id == hall_id, kiosks.c.code == code)


def put_service_statement(
    conn: Connection, hall_id: int, code: str, values: dict[str, Any], exists: bool
) -> Executable:
    """Create (last in the kiosk's order) or change a service."""
    if exists:
        where = (services.c.hall_id == hall_id, services.c.code == code)
        return update(services).where(*where).values(**values)
    last = conn.execute(
        select(func.max(services.c.position)).where(services.c.hall_id == hall_id)
    ).scalar()
    position = 0 if last is None else int(last) + 1
    return insert(services).values(hall_id=hall_id, code=code, position=position, **values)


def delete_service_statement(hall_id: int, code: str) -> Executable:
    return delete(services).where(services.c.hall_id == hall_id, services.c.code == code)


def open_tickets_of(conn: Connection, hall_id: int, service: str) -> int:
    """Tickets of `service` that wait or are at a window."""
    query = select(func.count()).where(
        tickets.c.hall_id == hall_id,
        tickets.c.service == service,
        tickets.c.status.in_([Status.WAITING.value, Status.CALLED.value]),
    )
    return int(conn.execute(query).scalar_one())


def put_window_statement(hall_id: int, window: WindowDef, exists: bool) -> Executable:
    values = {
        "name": window.name,
        "service_codes": ",".join(window.services),
        "call_order": window.call_order.value,
    }
    if exists:
        where = (windows.c.hall_id == hall_id, windows.c.number == window.number)
        return update(windows).where(*where).values(**values)
    return insert(windows).values(hall_id=hall_id, number=window.number, **values)


def delete_window_statement(hall_id: int, number: int) -> Executable:
    return delete(windows).where(windows.c.hall_id == hall_id, windows.c.number == number)
