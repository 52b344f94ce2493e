"""The statements a hall transaction runs on every issue and call (and the idempotency key's and
the rollover's reads), built once: their parameters come at execution, so SQLAlchemy neither
builds bind parameters nor a cache key per value each time (docs/performance.md)."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..domain.model import Status
from .rows import TICKET_COLUMNS
from .schema import HALL_ROW_VERSION, audit, counters, events, halls, idempotency, tickets

INSERT_TICKET = insert(tickets).returning(tickets.c.pk)
INSERT_EVENTS = insert(events)
INSERT_AUDIT = insert(audit)
INSERT_IDEMPOTENCY = insert(idempotency)
RECORD_ESTIMATE = (
    update(tickets)
    .where(tickets.c.pk == bindparam("ticket_pk"))
    .values(est_at_issue_s=bindparam("est"))
)
CURRENT = select(*TICKET_COLUMNS).where(
    tickets.c.hall_id == bindparam("hall_pk"),
    tickets.c.window == bindparam("window_number"),
    tickets.c.status == Status.CALLED.value,
)
SAVE_TICKET = update(tickets).where(tickets.c.pk == bindparam("ticket_pk"))
SET_SEQ = update(halls).where(halls.c.id == bindparam("hall_pk")).values(seq=bindparam("new_seq"))
# PostgreSQL: and the hall row's version this write made (the queue memo's tag)
SET_SEQ_RETURNING_VERSION = SET_SEQ.returning(HALL_ROW_VERSION)
NEXT_NUMBER = {
    name: dialect.insert(counters)
    .on_conflict_do_update(
        index_elements=["hall_id", "service", "day"], set_={"last": counters.c.last + 1}
    )
    .returning(counters.c.last)
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
BY_IDEMPOTENCY_KEY = (  # the ticket a key made, with its request's fingerprint
    select(*TICKET_COLUMNS, idempotency.c.fingerprint)
    .join(idempotency, idempotency.c.ticket_pk == tickets.c.pk)
    .where(idempotency.c.hall_id == bindparam("hall_pk"), idempotency.c.key == bindparam("key"))
)
WAITING_BEFORE = (  # tickets still waiting from before a day (the rollover's)
    select(*TICKET_COLUMNS)
    .where(
        tickets.c.hall_id == bindparam("hall_pk"),
        tickets.c.status == Status.WAITING.value,
        tickets.c.day < bindparam("day"),
    )
    .order_by(tickets.c.pk)
)
