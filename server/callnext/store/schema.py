"""Tables. Times are integer microseconds since the epoch (UTC): exact, sortable, portable.

Alembic migrations under migrations/ create these; change both together.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy.sql.elements import Label

from ..domain.identity import PERSON_KEY_LEN

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Integer primary keys that autoincrement on SQLite (INTEGER) and PostgreSQL (BIGINT).
Id = BigInteger().with_variant(Integer(), "sqlite")

halls = Table(
    "halls",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, server_default=""),
    Column("timezone", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False, server_default="0"),
    Column("config_version", Integer, nullable=False, server_default="0"),
    Column("bind_staff_to_windows", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", BigInteger, nullable=False),
    Column("notice", Text, nullable=False, server_default=""),
    Column("notice_en", Text, nullable=False, server_default=""),  # empty: the notice above
    Column("hours", Text),  # JSON weekly schedule (domain.availability); NULL: always open
    Column("closed_dates", Text, nullable=False, server_default="[]"),  # JSON YYYY-MM-DD list
    Column("promise_s", Integer, nullable=False, server_default="3600"),  # pending matters' limit
    # the phone alerts once when this many are ahead (快到您了); 0: no such alert
    Column("almost_turn_ahead", Integer, nullable=False, server_default="3"),
    # a dissatisfied rating's follow-up is due this many working days after it (差评回访)
    Column("followup_due_days", Integer, nullable=False, server_default="5"),
    # trips per matter (一次办结率): a matter's visits count this many days from its first
    Column("trips_window_days", Integer, nullable=False, server_default="30"),
)
# PostgreSQL: the version of a hall's row, the id of the transaction that last wrote it (xmin):
# the tag of the queue memo a transaction keeps (kept_queues.py)
HALL_ROW_VERSION: Label[Any] = literal_column("xmin::text::bigint").label("row_version")

services = Table(
    "services",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(3), nullable=False),
    Column("name", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, server_default=""),
    Column("open", Boolean, nullable=False, server_default=text("true")),
    Column("default_service_s", Integer, nullable=False, server_default="300"),
    Column("position", Integer, nullable=False, server_default="0"),
    Column("hours", Text),  # JSON weekly schedule; NULL: the hall's hours
    Column("daily_quota", Integer),  # NULL: no quota
    Column("priority_allowed", Boolean, nullable=False, server_default=text("true")),
    Column("target_wait_s", Integer, nullable=False, server_default="900"),
    Column("priority_ratio", Integer),  # NULL: strict priority; N: one priority per N normal
    # its guide (domain/guide.py): JSON lists of the materials to bring, and notes; zh and en
    Column("guide_materials", Text, nullable=False, server_default="[]"),
    Column("guide_materials_en", Text, nullable=False, server_default="[]"),
    Column("guide_notes", Text, nullable=False, server_default=""),
    Column("guide_notes_en", Text, nullable=False, server_default=""),
    # 实名取号 (domain/identity.py): a ticket needs an ID number; the tickets one person may take
    # a day (NULL: any)
    Column("real_name", Boolean, nullable=False, server_default=text("false")),
    Column("person_daily_limit", Integer, server_default="1"),
    UniqueConstraint("hall_id", "code"),
)

windows = Table(
    "windows",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("service_codes", String(200), nullable=False),  # "A,B,C", in call order of listing
    # its work profile (domain.model.CallOrder): first come across its services, or them in order
    Column("call_order", String(16), nullable=False, server_default="queue"),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("pause_reason", String(200)),
    # The staff session holding the window (web/desks.py): its desk id, user and since when.
    Column("desk_id", String(32)),
    Column("desk_user", String(64)),
    Column("desk_name", String(64)),  # the holder's display name and staff number, as taken
    Column("desk_no", String(32)),
    Column("desk_since", BigInteger),
    Column("desk_until", BigInteger),  # when the holding session expires (µs): the hold with it
    # The last action at the window by a session that does not hold it (an integration calling
    # through the API): the window counts as staffed for a while after it (domain/staffing.py).
    Column("acted_at", BigInteger),
    Column("acted_by", String(64)),
    UniqueConstraint("hall_id", "number"),
)

kiosks = Table(
    "kiosks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("name", String(200), nullable=False, server_default=""),
    Column("print_mode", String(16), nullable=False, server_default="none"),
    Column("printer", String(300)),  # tcp://host:port when print_mode is escpos
    Column("key_digest", String(64)),  # SHA-256 hex of the kiosk's key; NULL: none set yet
    UniqueConstraint("hall_id", "code"),
)

tickets = Table(
    "tickets",
    metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False, unique=True),
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), nullable=False),
    Column("day", String(10), nullable=False),
    Column("number", String(16), nullable=False),
    Column("service", String(3), nullable=False),
    Column("priority", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("outcome", String(16)),
    Column("window", Integer),
    Column("issued_at", BigInteger, nullable=False),
    Column("called_at", BigInteger),
    Column("last_called_at", BigInteger),
    Column("finished_at", BigInteger),
    Column("completed_at", BigInteger),
    Column("recalls", Integer, nullable=False, server_default="0"),
    Column("transfers", Integer, nullable=False, server_default="0"),
    Column("est_at_issue_s", Integer),  # the estimated wait the citizen was told
    Column("closed_reason", String(16)),  # "expired": still waiting when its day ended
    # Where its place in the queue counts from: issued_at for a walk-in; a booked ticket checked
    # in on time, its slot (or a day before it: policy "first"). See domain/appointment.py.
    Column("queue_at", BigInteger, nullable=False, server_default="0"),
    Column("slot_at", BigInteger),  # the booked slot's start, for a ticket of an appointment
    # a real-name ticket's holder: identity.person_key's keyed digest ("k1:…"), never the number
    Column("person", String(PERSON_KEY_LEN)),
    UniqueConstraint("hall_id", "day", "number"),
    Index("ix_tickets_person", "hall_id", "person", "day"),  # the daily limit, trips per matter
    Index("ix_tickets_recent", "hall_id", "day", "last_called_at"),  # the day's latest calls
    # each service's latest finishes of the day (its recent mean service time)
    Index("ix_tickets_finished", "hall_id", "day", "service", "finished_at"),
    # The hall's pending matters (accepted at a window, not yet completed).
    Index(
        "ix_tickets_pending",
        "hall_id",
        "finished_at",
        sqlite_where=text("outcome = 'pending'"),
        postgresql_where=text("outcome = 'pending'"),
    ),
    # A window has at most one current ticket, whatever the code above it does.
    Index(
        "uq_tickets_window_current",
        "hall_id",
        "window",
        unique=True,
        sqlite_where=text("status = 'called'"),
        postgresql_where=text("status = 'called'"),
    ),
)

# The queue's order (domain.queue.queue_key): priority first, then place, then issue order. Every
# query of the queue sorts by it, and ix_tickets_queue keeps each service's waiting tickets of a
# day in it, so the head of a day's queue is the first entry of its range: the call-next claim
# reads one row, however long the queue and however many tickets an earlier day left waiting
# (migrations 0007, 0008).
QUEUE_ORDER = (tickets.c.priority.desc(), tickets.c.queue_at, tickets.c.pk)
Index(
    "ix_tickets_queue",
    tickets.c.hall_id,
    tickets.c.status,
    tickets.c.service,
    tickets.c.day,
    *QUEUE_ORDER,
)

counters = Table(
    "counters",
    metadata,
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), primary_key=True),
    Column("service", String(3), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("last", Integer, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("name", String(32), nullable=False),
    Column("frame", Text, nullable=False),  # the exact text sent to displays
    # the exact text /ws/v2 sends (no ticket ids); NULL: the same as `frame` (migration 0009)
    Column("public", Text),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(64)),  # the staff member's username; NULL: the system
    Column("action", String(40), nullable=False),  # an event name, or settings.*, kiosk.* …
    Column("window", Integer),
    Column("ticket", String(16)),  # the ticket's number
    Column("detail", Text, nullable=False, server_default="{}"),  # JSON
    Index("ix_audit_hall_at", "hall_id", "at"),
)

# The citizen's rating of a finished ticket (好差评, domain/rating.py): one per ticket, never
# changed. `day` is the ticket's local issue day (the statistics' day); `staff` who finished it.
ratings = Table(
    "ratings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), nullable=False),
    Column("ticket_pk", ForeignKey("tickets.pk", ondelete="CASCADE"), nullable=False, unique=True),
    Column("day", String(10), nullable=False),
    Column("number", String(16), nullable=False),
    Column("service", String(3), nullable=False),
    Column("window", Integer),
    Column("staff", String(64)),
    Column("score", Integer, nullable=False),
    Column("reasons", Text, nullable=False, server_default="[]"),  # JSON list of reason codes
    Column("comment", Text),
    Column("source", String(8), nullable=False),  # phone | window
    Column("at", BigInteger, nullable=False),
    Index("ix_ratings_hall_day", "hall_id", "day", "score"),
)

# The follow-up of a rating of 1–2 (差评回访, domain/followup.py): opened with the rating, due
# `due` (a hall-local day), open → contacted → resolved | unreachable; `closed_by` a username.
followups = Table(
    "followups",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), nullable=False),
    Column("rating_id", ForeignKey("ratings.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("opened_at", BigInteger, nullable=False),
    Column("due", String(10), nullable=False),
    Column("state", String(16), nullable=False),
    Column("assignee", String(64)),
    Column("note", Text),
    Column("contacted_at", BigInteger),
    Column("updated_at", BigInteger, nullable=False),
    Column("closed_at", BigInteger),
    Column("closed_by", String(64)),
    Index("ix_followups_hall_state", "hall_id", "state", "due"),
)

# Appointments (预约, domain/appointment.py, docs/appointments.md): the hall's booking policy (no
# row: the defaults), each service's bookable slots, and the bookings themselves.
booking_policies = Table(
    "booking_policies",
    metadata,
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), primary_key=True),
    Column("enabled", Boolean, nullable=False, server_default=text("false")),
    Column("checkin_early_min", Integer, nullable=False, server_default="30"),
    Column("checkin_late_min", Integer, nullable=False, server_default="15"),
    Column("queue_order", String(16), nullable=False, server_default="slot_time"),
    Column("outside_window", String(16), nullable=False, server_default="walk_in"),
    Column("name_field", String(16), nullable=False, server_default="off"),
    Column("phone_field", String(16), nullable=False, server_default="off"),
)

service_booking = Table(
    "service_booking",
    metadata,
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), primary_key=True),
    Column("service", String(3), primary_key=True),
    Column("enabled", Boolean, nullable=False, server_default=text("false")),
    Column("slot_min", Integer, nullable=False, server_default="15"),
    Column("capacity", Integer, nullable=False, server_default="1"),
    Column("days_ahead", Integer, nullable=False, server_default="7"),
    Column("hours", Text),  # JSON weekly schedule; NULL: the service's own hours
)

appointments = Table(
    "appointments",
    metadata,
    Column("pk", Id, primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False, unique=True),  # the secret in its URLs
    Column("code", String(8), nullable=False),  # Crockford base32, typed or scanned at the kiosk
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), nullable=False),
    Column("service", String(3), nullable=False),
    Column("day", String(10), nullable=False),  # the slot's local day
    Column("slot_start", BigInteger, nullable=False),
    Column("slot_end", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # booked | checked_in | cancelled | missed
    Column("name", String(40)),  # personal data: never on a public screen
    Column("phone", String(20)),
    Column("created_at", BigInteger, nullable=False),
    Column("cancelled_at", BigInteger),
    Column("checked_in_at", BigInteger),
    Column("checkin_kind", String(16)),  # on_time | early_walk_in | late_walk_in
    Column("ticket_pk", ForeignKey("tickets.pk", ondelete="SET NULL")),
    Column("idempotency_key", String(128)),  # the booking request's Idempotency-Key, if any
    Column("fingerprint", String(64)),  # … and a digest of what it asked
    Column("person", String(PERSON_KEY_LEN)),  # booked with an ID number: its keyed digest
    UniqueConstraint("hall_id", "code"),
    UniqueConstraint("hall_id", "idempotency_key"),
    Index("ix_appointments_slot", "hall_id", "service", "slot_start"),
    Index("ix_appointments_day", "hall_id", "day"),
    Index("ix_appointments_person", "hall_id", "person", "day"),  # a check-in by ID number
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("ticket_pk", ForeignKey("tickets.pk", ondelete="CASCADE"), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("hall_id", ForeignKey("halls.id", ondelete="CASCADE")),
    Column("window", Integer),
    Column("display_name", String(64), nullable=False, server_default=""),  # on window screens
    Column("staff_no", String(32), nullable=False, server_default=""),  # 工号; "": none
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", BigInteger, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False, index=True),
    Column("desk_window", Integer),  # the window this session took (it may have lost it since)
    Column("desk_id", String(32)),
)
