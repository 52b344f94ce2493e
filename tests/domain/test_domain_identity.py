"""Real-name tickets' pure part (domain/identity.py): an ID number read as a card reader or a
keypad types it and checked (shape, date of birth, GB 11643's check character), and the keyed
digest that stands for the person, under rotating keys, never revealing the number."""

from __future__ import annotations

import base64
import random
from datetime import date

import pytest

from callnext.domain.errors import Invalid
from callnext.domain.identity import (
    PersonKey,
    check_character,
    parse_person_keys,
    person_key,
    person_keys,
    read_id_number,
)

TODAY = date(2026, 12, 7)
GB_EXAMPLE = "11010519491231002X"  # the standard's own example: 1949-12-31, check character X
OTHER = "330106199003071236"


def secret(fill: int) -> str:
    return base64.b64encode(bytes([fill]) * 32).decode()


K1 = PersonKey("k1", bytes([1]) * 32)
K2 = PersonKey("k2", bytes([2]) * 32)


@pytest.mark.parametrize(
    "typed",
    [GB_EXAMPLE, "11010519491231002x", " 110105 19491231 002X ",
     "１１０１０５１９４９１２３１００２Ｘ", "110105194912310 02X\n"],
)  # fmt: skip
def test_an_id_number_as_readers_and_keypads_type_it(typed: str) -> None:
    assert read_id_number(typed, TODAY) == GB_EXAMPLE


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "shape"),
        ("11010519491231002", "shape"),  # 17: the check character missing
        ("110105194912310021X", "shape"),  # 19
        ("110105491231002", "shape"),  # a first-generation 15-digit number, no longer valid
        ("01010519491231002X", "shape"),  # no region code starts with 0
        ("1101051949123100X2", "shape"),  # X only last
        ("110105194902300028", "birth_date"),  # 30 February
        ("110105189912310025", "birth_date"),  # 1899
        ("110105202712010020", "birth_date"),  # born next year
        ("110105194912310021", "check_character"),
        ("330106199003071235", "check_character"),
    ],
)
def test_a_bad_id_number_is_refused_saying_why_and_not_repeating_it(
    typed: str, reason: str
) -> None:
    with pytest.raises(Invalid) as refused:
        read_id_number(typed, TODAY)
    assert refused.value.code == "bad_id_number"
    assert refused.value.extra == {"reason": reason}
    digits = "".join(c for c in typed if c.isdigit())
    assert not digits or digits[-8:] not in refused.value.message


def test_one_wrong_digit_is_always_caught() -> None:
    """The check character catches every single-digit error and every swap of two different
    adjacent digits among the first 17 (random valid numbers)."""
    rng = random.Random(11643)
    for _ in range(300):
        born = date(1950, 1, 1).toordinal() + rng.randrange(25_000)
        region, order = rng.randint(110000, 659999), rng.randint(0, 999)
        first17 = f"{region}{date.fromordinal(born):%Y%m%d}{order:03d}"
        number = first17 + check_character(first17)
        assert read_id_number(number, TODAY) == number
        i = rng.randrange(17)
        wrong = first17[:i] + str((int(first17[i]) + rng.randint(1, 9)) % 10) + first17[i + 1 :]
        assert check_character(wrong) != number[17]
        j = rng.randrange(16)
        if first17[j] != first17[j + 1]:
            swapped = first17[:j] + first17[j + 1] + first17[j] + first17[j + 2 :]
            assert check_character(swapped) != number[17]


def test_the_digest_is_keyed_stable_and_tells_nothing_of_the_number() -> None:
    one = person_key(GB_EXAMPLE, K1)
    assert one == person_key(GB_EXAMPLE, K1)  # the same person, recognised again
    key_id, hexdigest = one.split(":")
    assert key_id == "k1"
    assert len(hexdigest) == 64
    assert int(hexdigest, 16) >= 0
    assert person_key(OTHER, K1) != one
    assert person_key(GB_EXAMPLE, K2).split(":")[1] != hexdigest  # another key, another digest
    for part in (GB_EXAMPLE, GB_EXAMPLE[6:14], GB_EXAMPLE[-6:]):
        assert part not in one


def test_rotation_recognises_a_person_under_every_listed_key() -> None:
    stored_last_month = person_key(GB_EXAMPLE, K1)
    keys = parse_person_keys(f"k2:{secret(2)},k1:{secret(1)}")
    assert [k.id for k in keys] == ["k2", "k1"]
    candidates = person_keys(GB_EXAMPLE, keys)
    assert candidates[0] == person_key(GB_EXAMPLE, K2)  # new digests use the newest key
    assert stored_last_month in candidates
    assert person_key(OTHER, K1) not in candidates
    assert "k1" in repr(keys[1])
    assert secret(1) not in repr(keys)
    assert str(bytes([1]) * 32) not in repr(keys)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "write it as ID:SECRET"),
        ("k1", "write it as ID:SECRET"),
        ("bad id:" + secret(1), "write it as ID:SECRET"),
        ("k1:not base64!", "not base64"),
        ("k1:" + base64.b64encode(b"short").decode(), r"5 bytes, 32\+ needed"),
        (f"k1:{secret(1)},k1:{secret(2)}", "listed twice"),
    ],
)
def test_bad_keys_are_refused_without_showing_a_secret(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as refused:
        parse_person_keys(text)
    assert secret(1) not in str(refused.value)
