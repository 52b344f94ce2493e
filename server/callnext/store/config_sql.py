"""The statements that change a hall's configuration, for HallTx.write_config."""

from __future__ import annotations

from sqlalchemy import Executable, delete, insert, update

from ..domain.hall_settings import SettingsPatch
from ..domain.model import Kiosk
from .schema import halls, kiosks, services


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


def delete_kiosk_statement(hall_id: int, code: str) -> Executable:
    return delete(kiosks).where(kiosks.c.hall_id == hall_id, kiosks.c.code == code)
