"""Creating halls with their services and windows; the demo hall of the contract."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
from dataclasses import dataclass
from functools import partial

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from ..domain.clock import to_micros, utcnow
from ..domain.errors import Conflict
from ..domain.guide import NO_GUIDE, Guide, guide_columns
from ..domain.model import Role
from ..runtime.security import hash_password
from .accounts import add_user
from .database import Database
from .schema import booking_policies, halls, service_booking, services, windows


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    name_en: str
    guide: Guide = NO_GUIDE  # what to bring (办事指南); the demo's are real halls' lists


@dataclass(frozen=True)
class HallSpec:
    code: str
    name: str
    name_en: str
    timezone: str
    services: tuple[ServiceSpec, ...]
    windows: dict[int, tuple[str, ...]]  # window number → services it serves
    hours: dict[str, list[str]] | None = None  # the weekly schedule; None: always open


# What a real hall asks for: real-estate registration's usual papers (a transfer after a sale),
# a utility account's change of holder, and a general enquiry (bring your ID, ask first).
ESTATE_GUIDE = Guide(
    materials=("身份证原件", "不动产权证书", "购房合同", "完税凭证", "户口簿",
               "婚姻状况证明", "委托书及受托人身份证（代办时）"),
    materials_en=("ID card (original)", "Real estate title certificate", "Purchase contract",
                  "Tax payment certificate", "Household register (hukou booklet)",
                  "Proof of marital status", "Power of attorney and the agent's ID (if acting "
                  "for someone)"),
    notes="原件及复印件各一份。共有人须一同到场，或提供经公证的委托书。",
    notes_en="Bring the originals and one copy of each. All co-owners come in person, or send "
    "a notarised power of attorney.",
)  # fmt: skip
UTILITY_GUIDE = Guide(
    materials=("身份证原件", "不动产权证书", "原户主的缴费卡或近期账单",
               "新户主的银行卡（代扣用）"),
    materials_en=("ID card (original)", "Real estate title certificate",
                  "The previous holder's payment card or a recent bill",
                  "The new holder's bank card (for direct debit)"),
    notes="过户前请先结清欠费。",
    notes_en="Please settle any unpaid bills before the transfer.",
)  # fmt: skip
ENQUIRY_GUIDE = Guide(
    materials=("身份证原件",),
    materials_en=("ID card (original)",),
    notes="不清楚要带什么？先来咨询，我们一次告知所需材料。",
    notes_en="Not sure what to bring? Ask us first: we tell you everything you need at once.",
)

# A real hall's week: weekdays, a lunch break; the kiosk issues and bookings are taken only then.
_OFFICE = ["09:00-12:00", "13:30-17:00"]
DEMO_HOURS = {day: _OFFICE for day in ("mon", "tue", "wed", "thu", "fri")}
DEMO = HallSpec(
    code="demo",
    name="演示政务服务中心",
    name_en="Demo Service Hall",
    timezone="Asia/Shanghai",
    services=(
        ServiceSpec("A", "不动产登记", "Real estate registration", ESTATE_GUIDE),
        ServiceSpec("B", "水电气过户", "Utility transfer", UTILITY_GUIDE),
        ServiceSpec("C", "综合咨询", "General enquiries", ENQUIRY_GUIDE),
    ),
    windows={
        1: ("A",), 2: ("A",), 3: ("A",), 4: ("A",),
        5: ("B",), 6: ("B",),
        7: ("A", "B", "C"), 8: ("A", "B", "C"),
    },
    hours=DEMO_HOURS,
)  # fmt: skip
DEMO_PASSWORD = "demo"
# The demo hall takes appointments (docs/appointments.md) for these services: 15-min slots,
# 2 places each, a week ahead, the hall's default check-in window and order.
DEMO_BOOKABLE = ("A", "B")


async def create_hall(db: Database, spec: HallSpec) -> None:
    def body(conn: Connection) -> None:
        exists = conn.execute(select(halls.c.id).where(halls.c.code == spec.code)).scalar()
        if exists is not None:
            raise Conflict("hall_exists", f"Hall {spec.code!r} already exists.")
        hall_id = conn.execute(
            insert(halls)
            .values(
                code=spec.code,
                name=spec.name,
                name_en=spec.name_en,
                timezone=spec.timezone,
                hours=json.dumps(spec.hours) if spec.hours is not None else None,
                created_at=to_micros(utcnow()),
            )
            .returning(halls.c.id)
        ).scalar_one()
        if spec.services:
            conn.execute(
                insert(services),
                [
                    {"hall_id": hall_id, "code": s.code, "name": s.name, "name_en": s.name_en,
                     "position": i, **guide_columns(s.guide)}
                    for i, s in enumerate(spec.services)
                ],
            )  # fmt: skip
        if spec.windows:
            conn.execute(
                insert(windows),
                [
                    {"hall_id": hall_id, "number": n, "name": f"{n}号窗口",
                     "service_codes": ",".join(codes)}
                    for n, codes in sorted(spec.windows.items())
                ],
            )  # fmt: skip

    await db.run_write(body)


async def hall_count(db: Database) -> int:
    return await db.run_read(
        lambda conn: int(conn.execute(select(func.count()).select_from(halls)).scalar_one())
    )


@functools.cache
def demo_password_hash() -> str:
    """The demo accounts' password hash, made once per process."""
    return hash_password(DEMO_PASSWORD)


async def seed_demo(db: Database, all_day: bool = False) -> bool:
    """Create the demo hall and its accounts when the database holds no hall yet: open on
    weekdays 09:00–12:00 and 13:30–17:00 like a real hall, or (`all_day`: benchmarks, tests,
    simulations, trying it at night) around the clock every day."""
    if await hall_count(db) > 0:
        return False
    await create_hall(db, dataclasses.replace(DEMO, hours=None) if all_day else DEMO)
    # One scrypt for all: the demo password is public, and each hash costs ~50 ms of CPU.
    hashed = await asyncio.to_thread(demo_password_hash)
    for n in sorted(DEMO.windows):
        await add_user(db, f"w{n}", DEMO_PASSWORD, Role.STAFF, DEMO.code, window=n,
                       password_hash=hashed)  # fmt: skip
    await add_user(db, "manager", DEMO_PASSWORD, Role.MANAGER, DEMO.code, password_hash=hashed)
    await db.run_write(partial(_demo_booking, code=DEMO.code))
    return True


def _demo_booking(conn: Connection, code: str) -> None:
    hall_id = conn.execute(select(halls.c.id).where(halls.c.code == code)).scalar_one()
    conn.execute(insert(booking_policies).values(hall_id=hall_id, enabled=True))
    conn.execute(
        insert(service_booking),
        [{"hall_id": hall_id, "service": c, "enabled": True, "slot_min": 15, "capacity": 2,
          "days_ahead": 7} for c in DEMO_BOOKABLE],
    )  # fmt: skip
