"""The citizen's rating of a finished ticket (好差评): the scale, the reasons, who may rate when,
and satisfaction figures. Pure: callers pass the ticket, the rating and `now`."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .clock import day_bounds, local_day
from .errors import Conflict, Invalid
from .model import Outcome, Status, Ticket

# The national 好差评 scale, five levels.
SCORES: dict[int, tuple[str, str]] = {
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Fairly satisfied"),
    2: ("不满意", "Dissatisfied"),
    1: ("非常不满意", "Very dissatisfied"),
}
SATISFIED_FROM = 4  # score ≥ 4 counts as satisfied
DISSATISFIED_UPTO = 2  # score ≤ 2 is a dissatisfied rating, listed for follow-up


class ReasonKind(enum.StrEnum):
    LOW = "low"  # for scores 1–3
    HIGH = "high"  # for scores 3–5
    ANY = "any"


# code → (zh, en, kind). Score 3 (基本满意) may take either kind.
REASONS: dict[str, tuple[str, str, ReasonKind]] = {
    "long_wait": ("等候时间长", "Long wait", ReasonKind.LOW),
    "slow_service": ("办理慢", "Slow service", ReasonKind.LOW),
    "attitude": ("服务态度差", "Poor attitude", ReasonKind.LOW),
    "unclear": ("解释不清楚", "Unclear explanation", ReasonKind.LOW),
    "extra_trip": ("需要再跑一趟", "Must come again", ReasonKind.LOW),
    "fast": ("办理快", "Fast", ReasonKind.HIGH),
    "friendly": ("态度热情", "Friendly", ReasonKind.HIGH),
    "clear": ("解释清楚", "Clear explanation", ReasonKind.HIGH),
    "one_trip": ("一次办成", "Done in one trip", ReasonKind.HIGH),
    "other": ("其他", "Other", ReasonKind.ANY),
}
MAX_REASONS = len(REASONS)
MAX_COMMENT = 200
WINDOW_RATING_S = 600  # the screen beside a window rates the ticket finished there this long


class Source(enum.StrEnum):
    PHONE = "phone"  # the citizen's own ticket page (/t/{id})
    WINDOW = "window"  # the rating screen beside the window


@dataclass(frozen=True, slots=True)
class Rating:
    score: int
    reasons: tuple[str, ...]
    comment: str | None
    at: datetime
    source: Source
    number: str = ""
    day: str = ""
    service: str = ""
    window: int | None = None
    staff: str | None = None  # who finished the ticket (the audit log's actor), if known


def reason_fits(code: str, score: int) -> bool:
    kind = REASONS[code][2]
    if kind is ReasonKind.LOW:
        return score <= 3
    if kind is ReasonKind.HIGH:
        return score >= 3
    return True


def validate(score: Any, reasons: Any, comment: Any) -> tuple[int, tuple[str, ...], str | None]:
    """A rating's fields, checked: 400 bad_score, bad_reasons, unknown_reason, reason_mismatch,
    too_long. Reasons are kept once each, in the catalogue's order; a blank comment is none."""
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise Invalid("bad_score", "score must be a whole number from 1 to 5.")
    if reasons is None:
        reasons = []
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise Invalid("bad_reasons", "reasons must be a list of reason codes.")
    if len(reasons) > MAX_REASONS:
        raise Invalid("bad_reasons", f"At most {MAX_REASONS} reasons.")
    for code in reasons:
        if code not in REASONS:
            raise Invalid("unknown_reason", f"No reason {code[:40]!r}; see the rating scale.")
        if not reason_fits(code, score):
            raise Invalid("reason_mismatch", f"Reason {code!r} does not go with score {score}.")
    if comment is not None and not isinstance(comment, str):
        raise Invalid("wrong_type", "comment must be a string.")
    if comment is not None and len(comment) > MAX_COMMENT:
        raise Invalid("too_long", f"comment is longer than {MAX_COMMENT} characters.")
    if comment is not None and "\x00" in comment:
        raise Invalid("bad_characters", "comment contains a NUL character.")
    text = comment.strip() if comment else ""
    chosen = tuple(code for code in REASONS if code in set(reasons))
    return score, chosen, text or None


def rateable_until(ticket: Ticket, tz: str) -> datetime | None:
    """Until when a finished ticket may be rated: the end of the next local day after it was
    finished. None for a ticket that can never be rated (not served)."""
    if ticket.status is not Status.DONE or ticket.finished_at is None:
        return None
    if ticket.outcome not in (Outcome.COMPLETED, Outcome.PENDING):
        return None
    day = local_day(ticket.finished_at, tz)
    _start, next_day_start = day_bounds(day, tz)
    return day_bounds(local_day(next_day_start, tz), tz)[1]


def check_rateable(ticket: Ticket, tz: str, now: datetime, rated: bool) -> None:
    """409 not_rateable (not served), rating_closed (too late), already_rated."""
    until = rateable_until(ticket, tz)
    if until is None:
        raise Conflict(
            "not_rateable", f"Ticket {ticket.number} was not served, so it cannot be rated."
        )
    if rated:
        raise Conflict("already_rated", f"Ticket {ticket.number} is rated already.")
    if now >= until:
        raise Conflict("rating_closed", f"Ticket {ticket.number} can no longer be rated.")


def window_rateable_until(ticket: Ticket) -> datetime | None:
    """Until when the screen beside the window may rate the ticket finished there."""
    if ticket.finished_at is None:
        return None
    return ticket.finished_at + timedelta(seconds=WINDOW_RATING_S)


def is_window_rateable(
    ticket: Ticket | None, tz: str, now: datetime, rated: bool, *, moved_on: bool = False
) -> bool:
    """The window's latest finished ticket may be rated on its screen now: served, unrated,
    finished minutes ago, and the window has called nobody since (`moved_on`: the person at
    the screen is the next citizen, not this ticket's)."""
    if ticket is None or rated or moved_on:
        return False
    until, window_until = rateable_until(ticket, tz), window_rateable_until(ticket)
    return until is not None and window_until is not None and now < min(until, window_until)


# -- satisfaction --------------------------------------------------------------------------


def satisfaction(ratings: Iterable[Rating]) -> dict[str, Any]:
    """n, the mean score, the share satisfied (score ≥ 4; null when none), the dissatisfied
    count (score ≤ 2) and the count of each score."""
    counts: dict[int, int] = {}
    for r in ratings:
        counts[r.score] = counts.get(r.score, 0) + 1
    return satisfaction_of_counts(counts)


def satisfaction_of_counts(counts: dict[int, int]) -> dict[str, Any]:
    """The same from the number of ratings of each score."""
    by_score = {str(s): counts.get(s, 0) for s in sorted(SCORES)}
    n = sum(by_score.values())
    total = sum(s * counts.get(s, 0) for s in SCORES)
    satisfied = sum(counts.get(s, 0) for s in SCORES if s >= SATISFIED_FROM)
    return {
        "n": n,
        "avg": round(total / n, 3) if n else None,
        "satisfied_rate": round(satisfied / n, 4) if n else None,
        "dissatisfied": sum(counts.get(s, 0) for s in SCORES if s <= DISSATISFIED_UPTO),
        "by_score": by_score,
    }


def add_satisfaction(figures: dict[str, Any], ratings: Sequence[Rating]) -> dict[str, Any]:
    """The day's figures (stats.day_stats or report.day_report) with `satisfaction` for the
    hall, each service and each window, and `per_staff`: {username: {"satisfaction"}}."""
    figures["satisfaction"] = satisfaction(ratings)
    for key, group in (("per_service", "service"), ("per_window", "window")):
        for code, fig in figures.get(key, {}).items():
            fig["satisfaction"] = satisfaction(r for r in ratings if str(getattr(r, group)) == code)
    staff = sorted({r.staff for r in ratings if r.staff is not None})
    figures["per_staff"] = {
        name: {"satisfaction": satisfaction(r for r in ratings if r.staff == name)}
        for name in staff
    }
    return figures


def scale_json() -> dict[str, Any]:
    """The scale and the reasons, as pages and integrations show them."""
    return {
        "scores": [{"score": s, "name": zh, "name_en": en} for s, (zh, en) in SCORES.items()],
        "reasons": [
            {"code": code, "name": zh, "name_en": en, "for": kind.value}
            for code, (zh, en, kind) in REASONS.items()
        ],
        "comment_max": MAX_COMMENT,
        "window_rating_s": WINDOW_RATING_S,
    }
