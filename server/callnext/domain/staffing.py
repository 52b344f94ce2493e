"""Who works at a window now: only staffed windows serve, so only they count in estimates.

A window is *staffed* while a live staff session holds it (the session took the window and has
not left it, logged out, been disabled or expired: the hold ends at the session's expiry,
`Desk.until`), or, for integrations that call through the API without taking a window, for
ACTED_S after the last action there by a session that does not hold it. Pure: callers pass `now`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .model import Desk, Window, WindowStatus

ACTED_S = 15 * 60  # a window where someone acted without a hold counts this long after
ACTED_REFRESH_S = 60  # such an action is written down at most this often per window


def live_desk(window: Window, now: datetime) -> Desk | None:
    """The hold on the window, while its session lives; None once it has expired."""
    desk = window.desk
    return desk if desk is not None and desk.until > now else None


def acted_recently(window: Window, now: datetime) -> bool:
    """Whether someone without a hold acted at the window within ACTED_S."""
    at = window.acted_at
    return at is not None and timedelta(0) <= now - at < timedelta(seconds=ACTED_S)


def staffed(window: Window, now: datetime) -> bool:
    """Whether somebody works at the window now (whatever its status: a paused window's staff
    are on a break, not gone)."""
    return live_desk(window, now) is not None or acted_recently(window, now)


def serving(window: Window, now: datetime) -> bool:
    """Whether the window calls now: open and staffed (the windows estimates play forward)."""
    return window.status is WindowStatus.OPEN and staffed(window, now)


def should_note_action(window: Window, user: str | None, now: datetime) -> bool:
    """Whether an action at `window` by a session that does not hold it is to be written down
    (at most every ACTED_REFRESH_S, or when another user acts)."""
    at = window.acted_at
    if at is None or window.acted_by != user:
        return True
    return not timedelta(0) <= now - at < timedelta(seconds=ACTED_REFRESH_S)
