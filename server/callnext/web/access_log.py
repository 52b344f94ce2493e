"""The access log, with the secrets out of it: a ticket's id is the key that cancels it, so the
paths that carry one (/api/v1/tickets/{id}/…, /t/{id}, /t/{id}/qr.svg) are logged with the id
replaced, and so are an appointment's (/api/v1/appointments/{id}/…, /a/{id}, /a/{id}/qr.svg);
query strings are logged by their names only; no header is logged (no Authorization, no Cookie,
no Referer, which may name a ticket page). docs/security.md."""

from __future__ import annotations

import logging
import os
import re

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest

from .client import client_address

ENV = "CALLNEXT_ACCESS_LOG"  # "on": serve logs every request (its workers inherit it)
LOGGER = "aiohttp.access"
REDACTED = "{id}"
TICKET_PATH = re.compile(r"^(/api/v1/tickets/|/t/|/api/v1/appointments/|/a/)[^/]+")


def enabled() -> bool:
    return os.environ.get(ENV, "").strip().lower() in ("on", "1", "true", "yes")


def redact_path(path: str) -> str:
    """`path` with a ticket's or an appointment's id replaced by {id}."""
    return TICKET_PATH.sub(lambda m: m.group(1) + REDACTED, path)


def logged_target(request: BaseRequest) -> str:
    """The path, redacted, and the names of the query's parameters (their values may be
    anything a client put there)."""
    target = redact_path(request.path)
    if request.query:
        target += "?" + "&".join(sorted(set(request.query)))
    return target


class RedactingAccessLogger(AbstractAccessLogger):
    """One line per request: client address (web/client.py), method, redacted target, status,
    size, time."""

    def log(self, request: BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %d %dB %.1fms',
            client_address(request),
            request.method,
            logged_target(request),
            response.status,
            response.body_length,
            time * 1000,
        )


def runner_logging() -> tuple[logging.Logger | None, type[AbstractAccessLogger]]:
    """The AppRunner's `access_log` and `access_log_class`: the redacted log when
    CALLNEXT_ACCESS_LOG is on, else none at all."""
    if not enabled():
        return None, RedactingAccessLogger
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    return logger, RedactingAccessLogger
