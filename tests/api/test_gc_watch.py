"""The garbage collector kept out of a call's way (gc_watch.py): `callnext serve` freezes what
it made at its start, and /metrics shows the collector's pauses, as a real server reports them."""

from __future__ import annotations

import gc
import re
from pathlib import Path

import aiohttp

from callnext.runtime.gc_watch import GcWatch

from ..helpers import Api, ServerProcess


def gauge(text: str, name: str, labels: str = "") -> float:
    found = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    assert found is not None, f"{name}{labels} is not in /metrics"
    return float(found.group(1))


async def test_serve_freezes_its_start_and_reports_the_pauses(tmp_path: Path) -> None:
    server = ServerProcess(f"sqlite:///{tmp_path / 'gc.db'}")
    server.start()
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(server.base + "/metrics") as resp,
        ):
            assert resp.status == 200
            text = await resp.text()
    finally:
        server.stop()
    # the modules, SQLAlchemy's tables and statements, the templates: tens of thousands
    assert gauge(text, "callnext_gc_frozen_objects") > 50_000
    for generation in "012":
        labels = f'{{generation="{generation}"}}'
        assert gauge(text, "callnext_gc_collections", labels) >= 0
        total = gauge(text, "callnext_gc_pause_seconds_total", labels)
        assert 0 <= gauge(text, "callnext_gc_pause_seconds_max", labels) <= total
    # the start itself collected (freeze_startup's full collection, at least)
    assert gauge(text, "callnext_gc_collections", '{generation="2"}') >= 1


async def test_an_app_in_process_reports_and_freezes_nothing(api: Api) -> None:
    """Only `callnext serve` freezes (an app embedded in a test or another program does not),
    and the app's watch counts a collection made while it runs."""
    before = gc.get_freeze_count()
    gc.collect()
    status, text = await api.request("GET", "/metrics")
    assert status == 200
    assert gauge(text, "callnext_gc_frozen_objects") == before
    assert gauge(text, "callnext_gc_collections", '{generation="2"}') >= 1
    assert gauge(text, "callnext_gc_pause_seconds_max", '{generation="2"}') > 0


def test_the_watch_times_each_collection_until_removed() -> None:
    watch = GcWatch()
    watch.install()
    watch.install()  # once only
    try:
        gc.collect(1)
        gc.collect()
    finally:
        watch.remove()
    assert watch.collections[1] == 1
    assert watch.collections[2] == 1
    assert watch.longest_s[2] > 0
    assert watch.total_s[2] == watch.longest_s[2]
    gc.collect()
    assert watch.collections[2] == 1  # removed: no longer counting
