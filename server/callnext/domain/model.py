"""The hall's vocabulary: tickets, services, windows, as plain immutable values."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .availability import Availability, Hours, availability, past_closing
from .guide import NO_GUIDE, Guide

Json = dict[str, Any]  # a JSON object, as the API answers and the stream sends it


class Status(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Outcome(enum.StrEnum):
    COMPLETED = "completed"
    PENDING = "pending"


class ClosedReason(enum.StrEnum):
    """Why the system, not a person, closed a ticket."""

    EXPIRED = "expired"  # still waiting when its day ended (the day rollover)


class Finish(enum.StrEnum):
    """How staff close the current ticket at the window."""

    COMPLETED = "completed"
    PENDING = "pending"
    NO_SHOW = "no_show"


class WindowStatus(enum.StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class CallOrder(enum.StrEnum):
    """How a window takes from the services it serves (its work profile, docs/staff.md)."""

    QUEUE = "queue"  # first come across all of them: the queue order (the contract's rule)
    SERVICES = "services"  # its services in the order listed: the first with anyone waiting


class Role(enum.StrEnum):
    STAFF = "staff"
    MANAGER = "manager"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Ticket:
    id: str
    hall: str
    number: str
    service: str
    priority: bool
    status: Status
    issued_at: datetime
    day: str
    outcome: Outcome | None = None
    window: int | None = None
    called_at: datetime | None = None
    last_called_at: datetime | None = None
    finished_at: datetime | None = None
    completed_at: datetime | None = None
    recalls: int = 0
    transfers: int = 0
    est_at_issue_s: int | None = None  # the estimated wait given when it was issued
    closed_reason: ClosedReason | None = None  # why the hall closed it (not staff or citizen)
    pk: int = 0  # insertion order; the last tie-break of the queue order
    # Where its place in the queue counts from (None: issued_at, a walk-in); a booked ticket
    # checked in on time counts from its slot (domain/appointment.py).
    queue_at: datetime | None = None
    slot: datetime | None = None  # the booked slot's start, for a ticket of an appointment

    @property
    def queued_at(self) -> datetime:
        """The instant its place in the queue counts from."""
        return self.queue_at if self.queue_at is not None else self.issued_at


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    name: str
    name_en: str = ""
    open: bool = True  # the manager's switch; hours, holidays and quota come on top
    default_service_s: int = 300
    hours: Hours | None = None  # None: the hall's hours
    daily_quota: int | None = None
    priority_allowed: bool = True
    target_wait_s: int = 900  # the staff console colours waits against it
    priority_ratio: int | None = None  # None: priority first; N: one priority per N normal
    guide: Guide = NO_GUIDE  # what to bring and notes (办事指南), shown to citizens
    real_name: bool = False  # 实名取号: a ticket needs the holder's ID number (domain/identity.py)
    person_daily_limit: int | None = 1  # real-name: tickets a person may take a day; None: any


@dataclass(frozen=True, slots=True)
class Desk:
    """A staff session's hold on a window: taken at `since` by `user`; `id` names the hold;
    it ends at `until`, when the session expires (domain/staffing.py)."""

    id: str
    user: str
    since: datetime
    until: datetime
    name: str = ""  # the user's display name when they took the window ("": none)
    staff_no: str = ""  # … and staff number (工号)


@dataclass(frozen=True, slots=True)
class DeskHold:
    """What a staff session remembers of the window it took: the window and the hold's id.
    It still holds the window while the window's desk has that id."""

    window: int
    id: str


@dataclass(frozen=True, slots=True)
class Window:
    number: int
    name: str
    services: tuple[str, ...]
    status: WindowStatus = WindowStatus.OPEN
    pause_reason: str | None = None
    desk: Desk | None = None  # the staff session holding the window, if one took it
    # the last action there by a session that does not hold it, and whose (domain/staffing.py)
    acted_at: datetime | None = None
    acted_by: str | None = None
    call_order: CallOrder = CallOrder.QUEUE


class PrintMode(enum.StrEnum):
    """How a kiosk prints its tickets."""

    NONE = "none"  # on screen only (the QR code)
    BROWSER = "browser"  # the kiosk's browser prints the page (80 mm CSS @page)
    ESCPOS = "escpos"  # the server sends ESC/POS to the kiosk's network printer


@dataclass(frozen=True, slots=True)
class Kiosk:
    code: str
    name: str
    print_mode: PrintMode = PrintMode.NONE
    printer: str | None = None  # tcp://host:port for ESCPOS
    # SHA-256 of the kiosk's key (docs/kiosk.md); None: no key yet, its tickets are the public's
    key_digest: str | None = None


@dataclass(frozen=True, slots=True)
class Hall:
    code: str
    name: str
    timezone: str
    name_en: str = ""
    services: tuple[Service, ...] = ()
    windows: tuple[Window, ...] = ()
    bind_staff_to_windows: bool = False
    hours: Hours | None = None  # None: always open
    closed_dates: tuple[str, ...] = ()
    notice: str = ""
    notice_en: str = ""  # the English screens' notice; empty: they show `notice`
    kiosks: tuple[Kiosk, ...] = ()
    promise_s: int = 3600  # a pending matter is due this long after it was accepted
    almost_turn_ahead: int = 3  # the phone's "almost your turn" at this many ahead; 0: off
    followup_due_days: int = 5  # a 差评 follow-up is due this many working days after it
    trips_window_days: int = 30  # trips per matter: a matter's window from its first visit
    id: int = 0
    config_version: int = 0

    def service(self, code: str) -> Service | None:
        for s in self.services:
            if s.code == code:
                return s
        return None

    def window(self, number: int) -> Window | None:
        for w in self.windows:
            if w.number == number:
                return w
        return None

    def kiosk(self, code: str) -> Kiosk | None:
        for k in self.kiosks:
            if k.code == code:
                return k
        return None

    def availability(self, service: Service, issued_today: int, now: datetime) -> Availability:
        """Whether `service` issues a ticket at `now`: its switch, its hours (or the hall's),
        the hall's closed dates, its daily quota against the numbers given out today."""
        return availability(
            switched_on=service.open,
            hours=service.hours if service.hours is not None else self.hours,
            closed_dates=self.closed_dates,
            quota=service.daily_quota,
            issued_today=issued_today,
            local_now=now.astimezone(ZoneInfo(self.timezone)),
        )

    def past_closing(self, service_code: str, now: datetime, est_wait_s: int | None) -> bool:
        """Whether the estimate runs past the service's last span today (its hours or the
        hall's): the citizen may not be served today."""
        service = self.service(service_code)
        own = service.hours if service is not None else None
        local_now = now.astimezone(ZoneInfo(self.timezone))
        return past_closing(own if own is not None else self.hours, local_now, est_wait_s)

    def windows_serving(self, service: str) -> list[Window]:
        return [w for w in self.windows if service in w.services]
