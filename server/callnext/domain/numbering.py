"""Ticket numbers: the service's letter and a three-digit daily sequence, widening past 999."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

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


# What staff type for a number: "A3", "a3", "A003", "a 3", "A-3", full-width "Ａ３".
TYPED_RE = re.compile(r"^([A-Z]{0,3})0*(\d{1,6})$")
TYPED_SEPARATORS = re.compile(r"[\s\-_.·#]+")


def normalise_number(typed: str, services: Sequence[str] = ()) -> str | None:
    """The ticket number staff meant by what they typed: letters and digits in any case and
    width, spaces or a dash between, with or without leading zeros ("a 3", "Ａ３" → "A003").
    A bare number ("3") is read in the one service of `services` (the window's); with none or
    several it is not a number (None), as is anything else."""
    text = TYPED_SEPARATORS.sub("", unicodedata.normalize("NFKC", typed)).upper()
    match = TYPED_RE.match(text)
    if not match or int(match.group(2)) < 1:
        return None
    letters = match.group(1) or (services[0] if len(services) == 1 else "")
    if not letters:
        return None
    return format_number(letters, int(match.group(2)))


def bare_number(typed: str) -> bool:
    """Whether `typed` is digits only (a number without its service's letter)."""
    return unicodedata.normalize("NFKC", typed).strip().isdigit()
