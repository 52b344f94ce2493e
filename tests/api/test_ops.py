"""CONTRACT, Pages: GET /healthz and GET /metrics (Prometheus text) for the hall's monitoring,
and the security headers on every answer."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from ..helpers import Api

LABELS = r'\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\}'  # quoted values may hold any character
SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(" + LABELS + r")? (-?[0-9.e+-]+|NaN|[+-]Inf)$")


async def scrape(api: Api) -> tuple[str, dict[str, float]]:
    """The /metrics text, checked line by line, and its samples by `name{labels}`."""
    async with api.session.get(api.base + "/metrics") as resp:
        assert resp.status == 200
        assert resp.content_type == "text/plain"
        text = await resp.text()
    samples: dict[str, float] = {}
    typed: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            name, kind = line.split()[2:4]
            assert kind in ("counter", "gauge"), line
            typed.add(name)
        elif line.startswith("# HELP "):
            assert len(line.split(maxsplit=3)) == 4, line
        else:
            match = SAMPLE_RE.match(line)
            assert match, f"not a Prometheus sample: {line!r}"
            assert match.group(1) in typed, f"{match.group(1)} has no # TYPE line before it"
            samples[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return text, samples


WAITING_A = 'callnext_waiting{hall="demo",service="A"}'
ISSUED_A = 'callnext_tickets_issued_total{hall="demo",service="A"}'


async def test_healthz_answers_200_json_while_the_database_answers(api: Api) -> None:
    """GET /healthz → 200 JSON when the database answers."""
    async with api.session.get(api.base + "/healthz") as resp:
        assert resp.status == 200
        assert resp.content_type == "application/json"
        body = await resp.json()
    assert body["status"] == "ok"


async def test_metrics_tell_the_processs_health(api: Api, db_url: str) -> None:
    """Writes work (callnext_storage_ok 1, no failures) and the database answers; on PostgreSQL
    the event listener is up (SQLite has none: no listener gauges). Their faults:
    test_storage_faults.py, test_listener_faults.py."""
    await api.issue("A")
    _, samples = await scrape(api)
    assert samples["callnext_storage_ok"] == 1
    assert samples["callnext_write_failures_total"] == 0
    assert samples["callnext_database_up"] == 1
    if db_url.startswith("postgresql"):
        assert samples["callnext_listener_up"] == 1
        assert samples["callnext_listener_reconnects_total"] == 0
        assert samples["callnext_catch_up_failures_total"] == 0
    else:
        assert "callnext_listener_up" not in samples


async def test_metrics_is_prometheus_text_with_help_and_type(api: Api) -> None:
    """GET /metrics: # HELP and # TYPE for each metric, then `name{labels} value` samples."""
    text, samples = await scrape(api)
    for name in ("callnext_waiting", "callnext_tickets_issued_total", "callnext_hall_seq"):
        assert f"# HELP {name} " in text
        assert f"# TYPE {name} " in text
    assert "# TYPE callnext_tickets_issued_total counter" in text
    assert "# TYPE callnext_waiting gauge" in text
    assert samples[WAITING_A] == 0
    assert samples['callnext_waiting{hall="demo",service="C"}'] == 0
    assert text.endswith("\n")


async def test_metrics_count_waiting_and_issued_tickets(api: Api) -> None:
    """After 3 A tickets: callnext_waiting A = 3 and 3 issued; a call lowers waiting only;
    an idempotent replay is not a new ticket."""
    _, start = await scrape(api)
    assert ISSUED_A not in start
    await api.issue("A", key="tap-1")
    await api.issue("A", key="tap-1")  # the kiosk retried: the same ticket
    await api.issue("A")
    await api.issue("A", priority=True)
    await api.issue("B")
    _, samples = await scrape(api)
    assert samples[WAITING_A] == 3
    assert samples[ISSUED_A] == 3
    assert samples['callnext_waiting{hall="demo",service="B"}'] == 1
    assert samples['callnext_tickets_issued_total{hall="demo",service="B"}'] == 1
    assert samples['callnext_hall_seq{hall="demo"}'] == (await api.hall())["seq"]
    status, _ = await api.window(1, "call-next")
    assert status == 200
    _, samples = await scrape(api)
    assert samples[WAITING_A] == 2
    assert samples[ISSUED_A] == 3
    hall = await api.hall()
    assert samples[WAITING_A] == next(s["waiting"] for s in hall["services"] if s["code"] == "A")


async def test_metrics_gauge_the_oldest_wait_windows_and_pending_matters(api: Api) -> None:
    _, samples = await scrape(api)
    assert samples['callnext_oldest_wait_seconds{hall="demo",service="A"}'] == 0
    assert samples['callnext_windows{hall="demo",status="open"}'] == 8
    assert samples['callnext_pending_matters{hall="demo"}'] == 0
    began = time.monotonic()  # the oldest wait can be no longer than the test has run since
    await api.issue("A")
    await asyncio.sleep(0.3)
    await api.issue("A")
    await api.window(2, "pause", {"reason": "break"})
    token = await api.login("w5")
    status, _ = await api.request("POST", "/api/v1/halls/demo/windows/5/take", token=token)
    assert status == 200
    await api.issue("B")
    await api.window(5, "call-next")
    await api.window(5, "finish", {"outcome": "pending"})
    _, samples = await scrape(api)
    oldest = samples['callnext_oldest_wait_seconds{hall="demo",service="A"}']
    assert 0.3 <= oldest <= time.monotonic() - began + 0.1
    assert samples['callnext_oldest_wait_seconds{hall="demo",service="B"}'] == 0
    assert samples['callnext_windows{hall="demo",status="open"}'] == 7
    assert samples['callnext_windows{hall="demo",status="paused"}'] == 1
    # window 5 is held; w2 paused window 2 without taking it: staffed for 15 minutes
    assert samples['callnext_windows_staffed{hall="demo"}'] == 2
    assert samples['callnext_pending_matters{hall="demo"}'] == 1
    assert samples['callnext_pending_overdue{hall="demo"}'] == 0


async def test_rejected_tickets_are_not_counted_as_issued(api: Api) -> None:
    """A refused issue (unknown service, bad body) moves neither counter nor gauge."""
    await api.issue("A")
    for body in ({"service": "Z"}, {"service": 1}, {}):
        status, _ = await api.request("POST", "/api/v1/halls/demo/tickets", body)
        assert 400 <= status < 500
    _, samples = await scrape(api)
    assert samples[ISSUED_A] == 1
    assert samples[WAITING_A] == 1
    assert not any(k.startswith('callnext_tickets_issued_total{hall="demo",service="Z"')
                   for k in samples)  # fmt: skip


@pytest.mark.engine_independent
async def test_security_headers_on_every_kind_of_answer(api: Api) -> None:
    """nosniff, no referrer and no framing on JSON, errors, metrics and health answers."""
    ticket = await api.issue("A")
    answers = [
        ("GET", "/api/v1/halls/demo"),
        ("GET", f"/api/v1/tickets/{ticket['id']}"),
        ("GET", "/api/v1/tickets/nope"),
        ("GET", "/no/such/route"),
        ("DELETE", "/api/v1/halls/demo"),
        ("POST", "/api/v1/halls/demo/windows/1/call-next"),
        ("GET", "/healthz"),
        ("GET", "/metrics"),
    ]
    for method, path in answers:
        async with api.session.request(method, api.base + path) as resp:
            assert resp.headers.get("X-Content-Type-Options") == "nosniff", path
            assert resp.headers.get("X-Frame-Options") == "DENY", path
            assert resp.headers.get("Referrer-Policy") == "no-referrer", path
            assert resp.headers.getall("X-Content-Type-Options") == ["nosniff"], path


async def test_http_requests_are_counted_by_route_pattern(api: Api) -> None:
    """Each answer counts under its route pattern and status, never the raw path."""
    await api.issue("A")
    await api.request("GET", "/api/v1/tickets/no-such-ticket")
    async with api.session.get(api.base + "/metrics") as resp:
        text = await resp.text()
    issued = (
        'callnext_http_requests_total{method="POST",route="/api/v1/halls/{hall}/tickets",'
        'status="201"} 1'
    )
    missing = (
        'callnext_http_requests_total{method="GET",route="/api/v1/tickets/{id}",status="404"} 1'
    )
    assert issued in text
    assert missing in text
    assert "no-such-ticket" not in text


async def test_metrics_count_where_the_queue_was_played(api: Api) -> None:
    """A call-next carries the kept play (no play in its transaction); the queue is played
    again after its commit, off the lock (store/kept_queues.py)."""
    for _ in range(3):
        await api.issue("A")
    await api.window(1, "call-next")  # staffs window 1 (so plays); a memo is kept from here on
    for _ in range(100):  # the play after the commit runs in the background
        _, before = await scrape(api)
        if before['callnext_queue_plays_total{where="refresh"}'] >= 1:
            break
        await asyncio.sleep(0.02)
    status, _ = await api.window(1, "call-next")
    assert status == 200
    for _ in range(100):
        _, after = await scrape(api)
        refreshed = after['callnext_queue_plays_total{where="refresh"}']
        if refreshed > before['callnext_queue_plays_total{where="refresh"}']:
            break
        await asyncio.sleep(0.02)
    in_tx = 'callnext_queue_plays_total{where="transaction"}'
    assert after[in_tx] == before[in_tx]  # the call played nothing itself
    assert refreshed == before['callnext_queue_plays_total{where="refresh"}'] + 1
