"""The ID number a request carries (`id_number`: a ticket, a booking, a check-in), read into
the person's digests at once: the number itself goes no further than this function, into no
log, no error message and no database (domain/identity.py)."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from ...domain import identity
from ...domain.clock import local_day, utcnow
from ...domain.errors import Invalid, Unavailable
from ...domain.model import Hall, Json
from ..keys import PERSON_KEYS

MAX_TYPED = 40  # 18 characters, with the spaces a reader or a person may put between groups


def persons(request: web.Request, hall: Hall, body: Json) -> list[str] | None:
    """The digests of the body's `id_number` under every key of this process (the current one
    first), or None when it gives none. 400 wrong_type / bad_id_number; 503
    real_name_unavailable when this server has no key (PostgreSQL without CALLNEXT_PERSON_KEYS)."""
    typed = body.get("id_number")
    if typed is None:
        return None
    if not isinstance(typed, str) or len(typed) > MAX_TYPED:
        raise Invalid("wrong_type", f"Field 'id_number' must be text of at most {MAX_TYPED}.")
    keys = request.app[PERSON_KEYS]
    if not keys:
        raise Unavailable(
            "real_name_unavailable",
            "This server takes no ID numbers: it has no CALLNEXT_PERSON_KEYS (docs/real-name.md).",
        )
    today = date.fromisoformat(local_day(utcnow(), hall.timezone))
    return identity.person_keys(identity.read_id_number(typed, today), keys)
