"""callnext.runtime.storm: a storm of one error is one line per interval; running out of descriptors
is one line with no traceback."""

from __future__ import annotations

import asyncio
import errno
import logging

import pytest

from callnext.runtime.storm import Storm, loop_handler


def test_out_of_descriptors_is_one_line_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = asyncio.new_event_loop()
    try:
        handle = loop_handler(Storm(interval_s=60))
        error = OSError(errno.EMFILE, "Too many open files")
        context = {"message": "socket.accept() out of system resource", "exception": error}
        with caplog.at_level(logging.ERROR):
            for _ in range(100):
                handle(loop, context)
    finally:
        loop.close()
    assert [r.getMessage() for r in caplog.records] == [
        "socket.accept() out of system resource: Too many open files"
    ]
    assert all(r.exc_info is None for r in caplog.records)


def test_other_loop_errors_keep_their_traceback_once_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = asyncio.new_event_loop()
    try:
        handle = loop_handler(Storm(interval_s=60))
        context = {"message": "Task exception was never retrieved", "exception": KeyError("x")}
        with caplog.at_level(logging.ERROR):
            for _ in range(10):
                handle(loop, context)
    finally:
        loop.close()
    assert len(caplog.records) == 1
    assert caplog.records[0].exc_info is not None
