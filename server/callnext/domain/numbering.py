"""Ticket numbers: the service's letter and a three-digit daily sequence, widening past 999."""

from __future__ import annotations

import re

NUMBER_RE = re.compile(r"^([A-Z]{1,3})(\d{3,})$")


def format_number(service: str, seq: int) -> str:
    """A001, A002, … A999, A1000."""
    if seq < 1:
        raise ValueError("sequence numbers start at 1")
    return f"{service}{seq:03d}"


def parse_number(number: str) -> tuple[str, int] | None:
    """Split "A005" into ("A", 5); None when it is not a ticket number."""
    match = NUMBER_RE.match(number.strip().upper())
    if not match:
        return None
    return match.group(1), int(match.group(2))
