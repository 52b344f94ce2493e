"""The display stream's protocol in one place: frame types, event names and their builders.

displays/static/shared/protocol.js mirrors this module for the pages. A frame is built and
encoded once, then the same text goes to every connection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from datetime import datetime
from typing import Any, Final

from ..domain.clock import rfc3339
from ..domain.model import Hall, Status, Ticket, Window
from ..domain.staffing import live_desk, staffed

SNAPSHOT: Final = "snapshot"
EVENT: Final = "event"

TICKET_ISSUED: Final = "ticket.issued"
TICKET_CALLED: Final = "ticket.called"
TICKET_RECALLED: Final = "ticket.recalled"
TICKET_FINISHED: Final = "ticket.finished"
TICKET_TRANSFERRED: Final = "ticket.transferred"
TICKET_CANCELLED: Final = "ticket.cancelled"
TICKET_COMPLETED: Final = "ticket.completed"
WINDOW_PAUSED: Final = "window.paused"
WINDOW_RESUMED: Final = "window.resumed"
HALL_UPDATED: Final = "hall.updated"  # settings changed (notice, hours, quota…): an extension
WINDOW_TAKEN: Final = "window.taken"  # a staff session took the window (extension)
WINDOW_RELEASED: Final = "window.released"  # … and left it (extension)
TICKET_RATED: Final = "ticket.rated"  # the citizen rated a finished ticket (extension)
# A dissatisfied rating's follow-up changed (差评回访, extension): {"followup": {"id", "state"}}
# on /ws/v1 with a staff token only; never its note or the citizen's comment.
FOLLOWUP_CHANGED: Final = "followup.changed"
# Appointments (extension, docs/appointments.md): {"appointment": {"service", "start"}}, and its
# code on /ws/v1 only; never a name, a phone or the appointment's id.
APPOINTMENT_BOOKED: Final = "appointment.booked"
APPOINTMENT_CANCELLED: Final = "appointment.cancelled"
APPOINTMENT_CHECKED_IN: Final = "appointment.checked_in"

EVENT_NAMES: Final = frozenset(
    {
        TICKET_ISSUED, TICKET_CALLED, TICKET_RECALLED, TICKET_FINISHED, TICKET_TRANSFERRED,
        TICKET_CANCELLED, TICKET_COMPLETED, WINDOW_PAUSED, WINDOW_RESUMED, HALL_UPDATED,
        WINDOW_TAKEN, WINDOW_RELEASED, TICKET_RATED, APPOINTMENT_BOOKED, APPOINTMENT_CANCELLED,
        APPOINTMENT_CHECKED_IN, FOLLOWUP_CHANGED,
    }
)  # fmt: skip
ANNOUNCED: Final = frozenset({TICKET_CALLED, TICKET_RECALLED})

# Announcement sounds: /sounds/announce/{lang}/{number}-{window}.wav, served by web/sounds.py.
ANNOUNCE_LANGS: Final = ("zh", "en")
ANNOUNCE_PREFIX: Final = "/sounds/announce"
ANNOUNCE_FILE: Final = re.compile(r"([A-Z]{1,3}[0-9]{3,9})-([1-9][0-9]{0,3})\.wav")

# Close codes a display may see: it should reconnect with ?since= after either.
CLOSE_TOO_SLOW: Final = 4000  # the client did not keep up and was dropped
CLOSE_SHUTDOWN: Final = 1001  # the server is going away (restart)


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def ticket_json(
    ticket: Ticket,
    tz: str,
    ahead: int | None = None,
    est_wait_s: int | None = None,
    past_closing: bool = False,
) -> dict[str, Any]:
    """A ticket as the API shows it; `ahead`, `est_wait_s` and `past_closing` only while it
    waits (`est_wait_s` null while no staffed window serves its service: no figure is invented;
    `past_closing`: the estimate runs past the service's hours today)."""
    body: dict[str, Any] = {
        "id": ticket.id,
        "hall": ticket.hall,
        "number": ticket.number,
        "service": ticket.service,
        "priority": ticket.priority,
        "status": ticket.status.value,
        "outcome": ticket.outcome.value if ticket.outcome else None,
        "window": ticket.window,
        "issued_at": rfc3339(ticket.issued_at, tz),
        "called_at": rfc3339(ticket.called_at, tz),
        "finished_at": rfc3339(ticket.finished_at, tz),
        "completed_at": rfc3339(ticket.completed_at, tz),
        "recalls": ticket.recalls,
        "last_called_at": rfc3339(ticket.last_called_at, tz),
        "transfers": ticket.transfers,
        "day": ticket.day,
        "closed_reason": ticket.closed_reason.value if ticket.closed_reason else None,
    }
    if ticket.slot is not None:  # a ticket of an appointment (extension)
        body["booked"] = True
        body["slot"] = rfc3339(ticket.slot, tz)
    if ticket.status is Status.WAITING:
        body["ahead"] = ahead if ahead is not None else 0
        body["est_wait_s"] = est_wait_s
        body["past_closing"] = past_closing
    return body


def window_json(
    window: Window, current: dict[str, Any] | None, tz: str, now: datetime
) -> dict[str, Any]:
    """A window as the hall snapshot shows it, with the staff member holding it while their
    session lives, and whether anybody works there now (`staffed`, domain/staffing.py)."""
    desk = live_desk(window, now)
    return {
        "number": window.number,
        "name": window.name,
        "services": list(window.services),
        "status": window.status.value,
        "pause_reason": window.pause_reason,
        "staff": desk.user if desk else None,
        "staff_since": rfc3339(desk.since, tz) if desk else None,
        "staff_name": (desk.name or None) if desk else None,  # shown on the window's screen
        "staff_no": (desk.staff_no or None) if desk else None,
        "staffed": staffed(window, now),
        "current": current,
    }


def announce_path(lang: str, number: str, window: int) -> str | None:
    """The URL path of the WAV that says the call in `lang`; None for a call it cannot name."""
    name = f"{number}-{window}.wav"
    if lang not in ANNOUNCE_LANGS or not ANNOUNCE_FILE.fullmatch(name):
        return None
    return f"{ANNOUNCE_PREFIX}/{lang}/{name}"


def parse_announce_file(name: str) -> tuple[str, int] | None:
    """A sound's file name split: "A001-3.wav" → ("A001", 3); None for any other name."""
    match = ANNOUNCE_FILE.fullmatch(name)
    return (match.group(1), int(match.group(2))) if match else None


def announcement(number: str, window: int, voice: Collection[str] = ()) -> dict[str, Any]:
    """What a screen or loudspeaker says for a call; `voice`: the languages with audio."""
    return {
        "text": f"请{number}号到{window}号窗口办理",
        "text_en": f"Ticket {number}, please go to window {window}",
        "audio": announce_path("zh", number, window) if "zh" in voice else None,
        "audio_en": announce_path("en", number, window) if "en" in voice else None,
    }


def event_frame(
    seq: int,
    at: str,
    name: str,
    *,
    ticket: dict[str, Any] | None,
    window: int | None,
    extra: dict[str, Any] | None = None,
    voice: Collection[str] = (),
) -> dict[str, Any]:
    """An event frame; a call or recall adds its announcement (audio in the `voice` languages)."""
    frame: dict[str, Any] = {
        "type": EVENT, "seq": seq, "at": at, "event": name, "ticket": ticket, "window": window,
    }  # fmt: skip
    if name in ANNOUNCED and ticket is not None and window is not None:
        frame["announce"] = announcement(ticket["number"], window, voice)
    if extra:
        frame.update(extra)
    return frame


# A ticket's id is its holder's key: it reads, cancels and rates the ticket. Only the hall's staff
# (a Bearer token of the hall) get ids: the snapshot and /ws/v1 with that header. Everyone else
# gets the public frames below: /ws/v2 always, /ws/v1 and the snapshot without the header.
STREAM_V1: Final = "/ws/v1/halls/{hall}"
STREAM_V2: Final = "/ws/v2/halls/{hall}"


def _without_id(ticket: Any) -> Any:
    if isinstance(ticket, dict) and "id" in ticket:
        return {k: v for k, v in ticket.items() if k != "id"}
    return ticket


def public_hall(hall: dict[str, Any]) -> dict[str, Any]:
    """The hall snapshot as a request without a staff token of the hall gets it: the windows'
    current tickets without their ids (`recent` has none)."""
    windows = [{**w, "current": _without_id(w.get("current"))} for w in hall.get("windows", [])]
    return {**hall, "windows": windows}


def public_frame(frame: dict[str, Any]) -> dict[str, Any]:
    """A frame as the public streams send it (/ws/v2, and /ws/v1 without a staff token): every
    ticket in it without its id, no rating's score, no follow-up, no booking's code."""
    if frame.get("type") == SNAPSHOT:
        return {**frame, "hall": public_hall(frame["hall"])}
    if "rating" in frame or "followup" in frame:  # the hall's managers', not a lobby screen's
        frame = {k: v for k, v in frame.items() if k not in ("rating", "followup")}
    if isinstance(frame.get("appointment"), dict):  # a booking's code is its holder's secret
        shown = {k: v for k, v in frame["appointment"].items() if k in ("service", "start")}
        frame = {**frame, "appointment": shown}
    if frame.get("ticket") is not None:
        return {**frame, "ticket": _without_id(frame["ticket"])}
    return frame


def public_text(text: str) -> str:
    """An encoded frame as the public streams send it (/ws/v2, /ws/v1 without a staff token)."""
    frame = json.loads(text)
    public = public_frame(frame)
    return text if public is frame else encode(public)


def snapshot_frame(hall: dict[str, Any]) -> dict[str, Any]:
    return {"type": SNAPSHOT, "seq": hall["seq"], "hall": hall}


def hall_header(hall: Hall, seq: int) -> dict[str, Any]:
    return {
        "hall": hall.code,
        "name": hall.name,
        "name_en": hall.name_en,
        "timezone": hall.timezone,
        "seq": seq,
    }
