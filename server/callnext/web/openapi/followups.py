"""The OpenAPI document's part for the follow-ups of dissatisfied ratings (差评回访,
docs/ratings.md): operations and schemas, with the limits taken from domain/followup.py."""

from __future__ import annotations

from ...domain import followup
from ...domain.followup import State
from ...domain.model import Json
from .operations import HALL, MANAGERS, P_HALL, operation
from .operations import param as p
from .primitives import COUNT, DATE, NULL_TEXT, TIME, enum, null_or, obj, ref, shut, text
from .ratings import SCORE
from .schemas import USERNAME_PATTERN

FOLLOWUP = HALL + "/followups/{followup}"
P_FOLLOWUP = p("followup", "path", {"type": "integer", "minimum": 1},
               "The follow-up's id (unknown: 404 followup_not_found).")  # fmt: skip
NOTE: Json = {**text(followup.MAX_NOTE), "type": ["string", "null"],
              "description": "Trimmed; blank is none (400 bad_note)."}  # fmt: skip
USERNAME: Json = {"type": "string", "pattern": USERNAME_PATTERN}
FOLLOWUP_PROPS: Json = {
    "id": {"type": "integer"}, "state": enum(State), "overdue": {"type": "boolean"},
    "due": {**DATE, "description": "The last hall-local day to close it in time."},
    "opened_at": TIME, "assignee": null_or(USERNAME), "note": NULL_TEXT,
    "contacted_at": null_or(TIME), "closed_at": null_or(TIME), "closed_by": NULL_TEXT,
    "updated_at": TIME,
    "rating": obj(("score", "score_name", "score_name_en", "reasons", "comment", "source", "at"),
                  score=SCORE, score_name={"type": "string"}, score_name_en={"type": "string"},
                  reasons={"type": "array", "items": {"type": "string"}}, comment=NULL_TEXT,
                  source={"type": "string"}, at=TIME),
    "number": {"type": "string"}, "day": DATE, "service": {"type": "string"},
    "window": {"type": ["integer", "null"]}, "staff": NULL_TEXT,
}  # fmt: skip
FOLLOWUP_FIGURES = obj(
    ("opened", "closed_in_time", "closed_late", "overdue"),
    opened=COUNT, closed_in_time=COUNT, closed_late=COUNT, overdue=COUNT,
)  # fmt: skip


def components() -> Json:
    return {
        "Followup": obj(list(FOLLOWUP_PROPS), **FOLLOWUP_PROPS),
        "FollowupFigures": FOLLOWUP_FIGURES,
        "Followups": obj(
            ("state", "today", "counts", "assignees", "followups", "truncated"),
            state={"type": "string", "enum": list(followup.FILTERS)}, today=DATE,
            counts=obj(("open", "overdue", "closed"), open=COUNT, overdue=COUNT, closed=COUNT),
            assignees={"type": "array", "items": USERNAME},
            followups={"type": "array", "items": ref("Followup")},
            truncated={"type": "boolean"}),
        "AssignBody": shut(("assignee",), assignee=null_or(text(64))),
        "NoteBody": shut((), note=NOTE),
        "ResolveBody": shut(("note",), note={**text(followup.MAX_NOTE), "description":
                                             "What was done; not blank (400 missing_note)."}),
    }  # fmt: skip


def _change(summary: str, body: str, required: bool = True) -> Json:
    return operation(summary, ref("Followup"), roles=MANAGERS, params=(P_HALL, P_FOLLOWUP),
                     body=ref(body), body_required=required, errors=(404, 409))  # fmt: skip


def paths() -> Json:
    """The follow-ups' operations (built with operations.py's blocks)."""
    which = p("state", "query", {"type": "string", "enum": list(followup.FILTERS)},
              "open (default: not closed, overdue or not), overdue, closed or all "
              "(400 bad_state).")  # fmt: skip
    return {
        HALL + "/followups": {"get": operation(
            "The follow-ups of dissatisfied ratings (差评回访), newest first, with the counts",
            ref("Followups"), roles=MANAGERS, params=(P_HALL, which), errors=(400, 404))},
        FOLLOWUP: {"get": operation("One follow-up", ref("Followup"), roles=MANAGERS,
                                    params=(P_HALL, P_FOLLOWUP), errors=(404,))},
        FOLLOWUP + "/assign": {"post": _change(
            "Assign a follow-up to an account of the hall, or to nobody (400 unknown_assignee)",
            "AssignBody")},
        FOLLOWUP + "/contacted": {"post": _change(
            "The citizen was reached (open → contacted)", "NoteBody", required=False)},
        FOLLOWUP + "/resolve": {"post": _change(
            "Close a follow-up as resolved, with a note (400 missing_note)", "ResolveBody")},
        FOLLOWUP + "/unreachable": {"post": _change(
            "Close a follow-up: the citizen could not be reached", "NoteBody", required=False)},
    }  # fmt: skip
