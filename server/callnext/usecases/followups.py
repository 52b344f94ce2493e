"""The follow-up of dissatisfied ratings (差评回访): opened in the rating's own hall transaction,
worked by the hall's managers (assign, contacted, resolve, unreachable), each change one hall
transaction, audited, and a `followup.changed` event after the commit; listed, counted, and
counted per day for the reports."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..domain import followup as fu
from ..domain.clock import local_day, rfc3339, utcnow
from ..domain.errors import NotFound
from ..domain.followup import Followup
from ..domain.model import Hall, Json, Ticket
from ..domain.rating import DISSATISFIED_UPTO, SCORES, Rating
from ..live import protocol
from ..store import followup_sql
from ..store.database import Database
from ..store.followup_sql import Listed
from ..store.hall_tx import HallTx

OPENED, ASSIGNED, CONTACTED = "followup.opened", "followup.assigned", "followup.contacted"
RESOLVED, UNREACHABLE = "followup.resolved", "followup.unreachable"
# The audit log's actions (settings-audit-words.js words each one)
AUDIT_ACTIONS = (OPENED, ASSIGNED, CONTACTED, RESOLVED, UNREACHABLE)


def open_for(tx: HallTx, rating_id: int, rating: Rating, ticket: Ticket) -> None:
    """In the rating's transaction: a rating of 1–2 opens its follow-up (3–5 none), due the
    hall's followup_due_days working days after the rating's hall-local date."""
    if rating.score > DISSATISFIED_UPTO:
        return
    hall = tx.hall
    rated_day = local_day(rating.at, hall.timezone)
    due = fu.due_date(rated_day, hall.followup_due_days, hall.closed_dates)
    followup_id = followup_sql.insert_followup(tx.conn, hall, rating_id, rating.at, due)
    tx.audit(OPENED, window=ticket.window, ticket=ticket.number,
             detail={"followup": followup_id, "due": due, "score": rating.score})  # fmt: skip


def followup_json(listed: Listed, tz: str, today: str) -> Json:
    """A follow-up as the managers see it: its own fields, and the rating it follows with the
    ticket's number, service, window and who finished it (never the ticket's id)."""
    f, r = listed.followup, listed.rating
    name, name_en = SCORES[r.score]
    return {
        "id": f.id, "state": f.state.value, "overdue": fu.is_overdue(f, today), "due": f.due,
        "opened_at": rfc3339(f.opened_at, tz), "assignee": f.assignee, "note": f.note,
        "contacted_at": rfc3339(f.contacted_at, tz), "closed_at": rfc3339(f.closed_at, tz),
        "closed_by": f.closed_by, "updated_at": rfc3339(f.updated_at, tz),
        "rating": {
            "score": r.score, "score_name": name, "score_name_en": name_en,
            "reasons": list(r.reasons), "comment": r.comment, "source": r.source.value,
            "at": rfc3339(r.at, tz),
        },
        "number": r.number, "day": r.day, "service": r.service, "window": r.window,
        "staff": r.staff,
    }  # fmt: skip


def _found(tx: HallTx, followup_id: int) -> Listed:
    found = followup_sql.followup_in(tx.conn, tx.hall, followup_id)
    if found is None:
        raise NotFound("followup_not_found", f"No follow-up {followup_id} in hall {tx.hall.code}.")
    return found


def _changed(action: str, f: Followup, changed: Followup) -> tuple[str, Json]:
    """(the audit action, its detail) of one of the four changes; the note stays out of the
    audit log: a citizen's name or phone may be in it (as in a rating's comment)."""
    detail: Json = {"followup": f.id, "state": changed.state.value}
    if action == "assign":
        return ASSIGNED, {**detail, "assignee": changed.assignee}
    return {"contacted": CONTACTED, "resolve": RESOLVED, "unreachable": UNREACHABLE}[action], {
        **detail,
        "noted": changed.note is not None,
    }


def act_body(tx: HallTx, followup_id: int, action: str, fields: dict[str, Any]) -> Json:
    """One change to a follow-up (the domain refuses what its state does not allow)."""
    found = _found(tx, followup_id)
    f, now = found.followup, tx.now
    if action == "assign":
        names = followup_sql.account_names(tx.conn, tx.hall)
        changed = fu.assign(f, fields["assignee"], names, now)
    elif action == "contacted":
        changed = fu.contact(f, fields.get("note"), now)
    elif action == "resolve":
        changed = fu.resolve(f, fields["note"], tx.actor, now)
    else:
        changed = fu.unreachable(f, fields.get("note"), tx.actor, now)
    followup_sql.save(tx.conn, changed)
    name, detail = _changed(action, f, changed)
    rated = found.rating
    tx.audit(name, window=rated.window, ticket=rated.number, detail=detail)
    tx.emit(protocol.FOLLOWUP_CHANGED, None, rated.window,
            followup={"id": f.id, "state": changed.state.value})  # fmt: skip
    return followup_json(Listed(changed, rated), tx.hall.timezone, tx.today)


async def act(db: Database, hall: str, followup_id: int, action: str, fields: dict[str, Any],
              actor: str) -> Json:  # fmt: skip
    body = partial(act_body, followup_id=followup_id, action=action, fields=fields)
    return await db.hall_write(hall, body, actor=actor)


async def list_of(db: Database, hall: Hall, which: str) -> Json:
    """GET …/followups: the counts, the assignable accounts, and the follow-ups in `which`,
    newest first, at most MAX_LISTED (`truncated` when there are more)."""
    today = local_day(utcnow(), hall.timezone)
    limit = followup_sql.MAX_LISTED

    def read(conn: Any) -> Json:
        found = followup_sql.listed(conn, hall, which, today, limit + 1)
        return {
            "state": which, "today": today,
            "counts": followup_sql.counts(conn, hall, today),
            "assignees": followup_sql.account_names(conn, hall),
            "followups": [followup_json(x, hall.timezone, today) for x in found[:limit]],
            "truncated": len(found) > limit,
        }  # fmt: skip

    return await db.run_read(read)


async def one(db: Database, hall: Hall, followup_id: int) -> Json:
    today = local_day(utcnow(), hall.timezone)
    found = await db.run_read(lambda conn: followup_sql.followup_in(conn, hall, followup_id))
    if found is None:
        raise NotFound("followup_not_found", f"No follow-up {followup_id} in hall {hall.code}.")
    return followup_json(found, hall.timezone, today)


async def add_day_figures(db: Database, hall: Hall, day: str, figures: Json) -> None:
    """The day's statistics or report with `followups`: opened, closed in time or late, and
    overdue at the day's end (docs/reports.md)."""
    rows = await db.run_read(lambda conn: followup_sql.around_day(conn, hall, day))
    figures["followups"] = fu.day_counts(day, rows).json()
