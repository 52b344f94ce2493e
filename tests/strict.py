"""CALLNEXT_TEST_STRICT=1 (scripts/test sets it, after its setup installed Chromium, espeak-ng
and the fonts): a test that would be skipped for something missing fails instead, so a run can
never pass by skipping the browser, the voice or, where CALLNEXT_TEST_PG_URL is given,
PostgreSQL."""

from __future__ import annotations

import os

import pytest

STRICT = os.environ.get("CALLNEXT_TEST_STRICT") == "1"


def missing(reason: str | None) -> str | None:
    """`reason` for a skip mark; under strict, something missing stops the run instead."""
    if reason is not None and STRICT:
        raise RuntimeError(f"{reason}; CALLNEXT_TEST_STRICT=1 does not skip it")
    return reason


def skip(reason: str) -> None:
    """Skip this test, or under strict fail it: what it needs should be there."""
    if STRICT:
        pytest.fail(f"{reason}; CALLNEXT_TEST_STRICT=1 does not skip it")
    pytest.skip(reason)
