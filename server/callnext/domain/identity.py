"""Real-name tickets (实名取号), the pure part: a resident ID number (居民身份证号码, GB 11643-1999)
read and checked, and the keyed digest that stands for the person wherever callnext must
recognise them again (a per-person daily limit, trips per matter, a check-in by ID).

The number itself is never stored, logged or shown: only `person_key(number, key)`, an
HMAC-SHA256 under a secret the deployment keeps (`CALLNEXT_PERSON_KEYS`), tagged with the
key's id. Without the secret a digest cannot be tied to a number, and 10¹¹ or so plausible
numbers make an unkeyed hash easy to reverse, which is why it is keyed.

Rotation: the keys are listed newest first, `k2:SECRET,k1:SECRET`. New digests use the first;
a person is recognised under any listed key (`person_keys` gives every candidate), so an old
key stays listed for as long as its digests must still match (the trips window, 30 days by
default), then goes. Nothing is rehashed: a digest is only ever compared, never reversed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .errors import Invalid

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999, positions 1–17
CHECK = "10X98765432"  # the check character for each sum mod 11
ID_SHAPE = re.compile(r"[1-9]\d{16}[\dX]")
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
MIN_SECRET = 32  # bytes of a key's secret
DIGEST_PURPOSE = b"callnext person v1\x00"  # keeps these digests apart from any other HMAC use
PERSON_KEY_LEN = 16 + 1 + 64  # a digest as stored: the key's id, ":", 64 hex digits


def check_character(first17: str) -> str:
    """The 18th character of an ID number whose first 17 digits are `first17`."""
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def read_id_number(typed: str, today: date) -> str:
    """The ID number as a card reader in keyboard mode or a keypad typed it (spaces, full-width
    digits, a small x allowed) → its 18 characters; 400 `bad_id_number` naming what is wrong:
    the length or shape, the date of birth, or the check character. The message never repeats
    the number."""
    number = "".join(unicodedata.normalize("NFKC", typed).split()).upper()
    if not ID_SHAPE.fullmatch(number):
        raise Invalid(
            "bad_id_number",
            "An ID number is 18 characters: 17 digits, then a digit or X.",
            extra={"reason": "shape"},
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > today:
        raise Invalid(
            "bad_id_number",
            "The ID number's date of birth is not a real date.",
            extra={"reason": "birth_date"},
        )
    if check_character(number[:17]) != number[17]:
        raise Invalid(
            "bad_id_number",
            "The ID number's last character does not match: please check it and type it again.",
            extra={"reason": "check_character"},
        )
    return number


@dataclass(frozen=True, slots=True)
class PersonKey:
    """One secret for the person digests, with the id stored beside each digest it made."""

    id: str
    secret: bytes = b""

    def __repr__(self) -> str:  # never the secret, in a log or a traceback
        return f"PersonKey({self.id!r})"


def parse_person_keys(text: str) -> tuple[PersonKey, ...]:
    """`CALLNEXT_PERSON_KEYS`: `ID:SECRET[,ID:SECRET…]`, newest first, each SECRET base64 of at
    least 32 random bytes (`python -c "import secrets,base64;print(base64.b64encode(
    secrets.token_bytes(32)).decode())"`). ValueError, naming the key but not its secret."""
    keys: list[PersonKey] = []
    for n, item in enumerate(part.strip() for part in text.split(",")):
        key_id, sep, encoded = item.partition(":")
        if not sep or not KEY_ID.fullmatch(key_id):
            raise ValueError(f"key {n + 1}: write it as ID:SECRET (ID: 1–16 letters or digits)")
        try:
            secret = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"key {key_id!r}: its secret is not base64") from None
        if len(secret) < MIN_SECRET:
            size = len(secret)
            raise ValueError(f"key {key_id!r}: its secret is {size} bytes, {MIN_SECRET}+ needed")
        if any(k.id == key_id for k in keys):
            raise ValueError(f"key {key_id!r} is listed twice")
        keys.append(PersonKey(key_id, secret))
    return tuple(keys)


def person_key(number: str, key: PersonKey) -> str:
    """The digest that stands for the person with ID number `number` (as read_id_number gives
    it) under `key`: `ID:` then 64 hex digits."""
    mac = hmac.new(key.secret, DIGEST_PURPOSE + number.encode("ascii"), hashlib.sha256)
    return f"{key.id}:{mac.hexdigest()}"


def person_keys(number: str, keys: tuple[PersonKey, ...]) -> list[str]:
    """The person's digest under every listed key, the current one first: what a lookup (the
    daily limit, a check-in by ID) matches stored digests against while keys rotate."""
    return [person_key(number, key) for key in keys]
