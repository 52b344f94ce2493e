"""Which kiosk a ticket or check-in request comes from, and whose budget it spends.

A kiosk with a key (set by its manager, docs/kiosk.md) is believed only with its key in
`X-Kiosk-Key`: then it issues on its own budget (kiosk_tickets, per kiosk, wherever it is).
Naming it without the key, or with a wrong one, is refused (401), so the hall sees why. A kiosk
without a key yet, and a request naming no kiosk (a phone), spend the public budget of the
client's address (tickets): naming kiosks never buys more tickets.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ...domain.errors import NotFound, Unauthenticated
from ...domain.model import Hall, Kiosk
from ...runtime.security import key_matches
from .. import parse
from .auth import check_rate

KEY_HEADER = "X-Kiosk-Key"
MAX_KEY = 128
SET_UP = "open the kiosk's setup link from the hall's settings page (Kiosks, New key)"


def _kiosk(hall: Hall, code: str | None) -> Kiosk | None:
    if code is None:
        return None
    kiosk = hall.kiosk(code)
    if kiosk is None:
        raise NotFound("kiosk_not_found", f"No kiosk {code!r} in hall {hall.code}.")
    return kiosk


def _check_key(request: web.Request, kiosk: Kiosk) -> bool:
    """True when the request carries the kiosk's key; False when the kiosk has none (and none
    was sent); 401 otherwise."""
    key = request.headers.get(KEY_HEADER, "").strip() or None
    if kiosk.key_digest is None and key is None:
        return False
    if key is None:
        raise Unauthenticated(
            "kiosk_key_missing",
            f"Kiosk {kiosk.code} has a key and this request did not send it ({KEY_HEADER}): "
            f"{SET_UP}.",
        )
    if kiosk.key_digest is None or len(key) > MAX_KEY or not key_matches(key, kiosk.key_digest):
        raise Unauthenticated(
            "kiosk_key_wrong",
            f"The key sent for kiosk {kiosk.code} is not its key (a new one was set?): {SET_UP}.",
        )
    return True


def issuing_kiosk(request: web.Request, hall: Hall, body: dict[str, Any]) -> Kiosk | None:
    """The kiosk the body names ("kiosk"), if any, once its key is checked and the budget the
    request spends had room (429 otherwise)."""
    kiosk = _kiosk(hall, parse.string(body, "kiosk", required=False, max_len=32))
    if kiosk is not None and _check_key(request, kiosk):
        check_rate(request, "kiosk_tickets", f"{hall.code}/{kiosk.code}")
    else:
        check_rate(request, "tickets")
    return kiosk
