"""Ticket numbers (domain/numbering.py): A001…A999, then A1000, and reading them back."""

from __future__ import annotations

import pytest

from callnext.domain.numbering import bare_number, format_number, normalise_number, parse_number


@pytest.mark.parametrize(
    ("service", "seq", "expected"),
    [
        ("A", 1, "A001"),
        ("A", 2, "A002"),
        ("B", 42, "B042"),
        ("C", 100, "C100"),
        ("A", 999, "A999"),
        ("A", 1000, "A1000"),
        ("B", 12345, "B12345"),
    ],
)
def test_format_number(service: str, seq: int, expected: str) -> None:
    assert format_number(service, seq) == expected


def test_numbers_sort_as_issued_within_three_digits() -> None:
    """A001…A999 are all distinct and, at three digits, their text order is their issue order."""
    numbers = [format_number("A", n) for n in range(1, 1000)]
    assert len(set(numbers)) == 999
    assert numbers == sorted(numbers)
    assert all(len(n) == 4 for n in numbers)


def test_widening_past_999_stays_unique() -> None:
    numbers = {format_number("A", n) for n in range(1, 2001)}
    assert len(numbers) == 2000
    assert format_number("A", 1000) != format_number("A", 100)


@pytest.mark.parametrize("seq", [0, -1, -1000])
def test_sequence_starts_at_one(seq: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        format_number("A", seq)


@pytest.mark.parametrize("service", ["A", "B", "C", "AB", "XYZ"])
def test_parse_round_trips_format(service: str) -> None:
    for seq in [*range(1, 1101), 9999, 10_000, 123_456]:
        assert parse_number(format_number(service, seq)) == (service, seq)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A005", ("A", 5)),
        ("a005", ("A", 5)),
        ("  b012 ", ("B", 12)),
        ("A001\n", ("A", 1)),
        ("C1000", ("C", 1000)),
        ("ABC001", ("ABC", 1)),
    ],
)
def test_parse_number_is_lenient_on_case_and_spaces(text: str, expected: tuple[str, int]) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "A",
        "001",
        "A5",
        "A05",
        "A 001",
        "A-001",
        "A001x",
        "1A001",
        "ABCD001",
        "A0.1",
        "Ａ001",  # a full-width letter
        "号001",
        "A001 B002",
    ],
)
def test_parse_number_rejects_what_is_not_a_number(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("typed", "services", "expected"),
    [
        ("A3", (), "A003"),
        ("a3", (), "A003"),
        ("A003", (), "A003"),
        ("A0003", (), "A003"),
        ("a 3", (), "A003"),
        (" A-3 ", (), "A003"),
        ("Ａ３", (), "A003"),
        ("ａ　００３", (), "A003"),
        ("B42", ("A",), "B042"),
        ("A1000", (), "A1000"),
        ("vip7", (), "VIP007"),
        ("3", ("A",), "A003"),
        ("３", ("C",), "C003"),
        ("3", ("A", "B"), None),
        ("3", (), None),
        ("A0", (), None),
        ("A", (), None),
        ("", ("A",), None),
        ("ABCD3", (), None),
        ("A3B", (), None),
        ("A1234567", (), None),
        ("not a number", ("A",), None),
    ],
)
def test_normalise_what_staff_type(
    typed: str, services: tuple[str, ...], expected: str | None
) -> None:
    """Any case, width, spacing or zero padding; a bare number only at a one-service window."""
    assert normalise_number(typed, services) == expected


def test_a_bare_number_is_told_apart() -> None:
    assert bare_number("3")
    assert bare_number(" ３ ")
    assert not bare_number("A3")
    assert not bare_number("")
