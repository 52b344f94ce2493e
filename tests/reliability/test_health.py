"""runtime/health.py with a hand-driven clock: when a deaf listener, a failing catch-up or a
failing write makes /healthz say 503, and when it says 200 again (no I/O)."""

from __future__ import annotations

from callnext.runtime.health import Health


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _health(grace: float = 1.0) -> tuple[Health, Clock]:
    clock = Clock()
    health = Health(listener_grace_s=grace, clock=clock)
    health.listener_listening(reconnected=False)
    return health, clock


def test_a_short_reconnect_is_within_the_grace() -> None:
    health, clock = _health()
    clock.now += 10
    health.listener_lost("connection lost")
    clock.now += 0.9
    assert health.reasons() == []
    health.listener_listening(reconnected=True)
    assert health.reasons() == []
    assert health.reconnects == 1


def test_a_listener_down_past_the_grace_is_named() -> None:
    health, clock = _health()
    clock.now += 10
    health.listener_lost("connection lost")
    clock.now += 1.5
    assert [r.split(":")[0] for r in health.reasons()] == ["listener"]
    assert "1.5 s" in health.reasons()[0]
    health.listener_listening(reconnected=True)
    assert health.reasons() == []  # healthy at once when it listens again


def test_a_flapping_listener_is_one_fault_from_its_first_loss() -> None:
    health, clock = _health(grace=1.0)
    clock.now += 10
    for _ in range(12):  # lost, listening again 0.05 s later, lost again 0.05 s after that
        health.listener_lost("ConnectionDoesNotExistError")
        clock.now += 0.05
        health.listener_listening(reconnected=True)
        clock.now += 0.05
    health.listener_lost("connection lost")
    reasons = health.reasons()
    assert reasons == [
        "listener: not hearing the other processes' events reliably for 1.2 s"
        " (connection lost; 13 failures)"
    ]


def test_a_reconnect_that_held_past_the_grace_starts_a_new_fault() -> None:
    health, clock = _health(grace=1.0)
    clock.now += 10
    health.listener_lost("connection lost")
    clock.now += 0.8
    health.listener_listening(reconnected=True)
    clock.now += 1.0  # held for the whole grace: the old fault is over
    health.listener_lost("connection lost")
    clock.now += 0.5
    assert health.reasons() == []


def test_catch_up_and_writes() -> None:
    health, clock = _health()
    health.catch_up_failed("demo", "OSError")
    assert health.reasons() == []  # within the grace
    clock.now += 1
    assert health.reasons()[0].startswith("listener: catching hall demo up")
    health.caught_up("demo")
    health.write_failed("disk full")
    assert health.reasons() == ["writes: failing for 0.0 s (disk full)"]  # at once
    health.write_succeeded()
    assert health.reasons() == []
    gauges = {name: value for name, _, _, value in health.gauges()}
    assert gauges["callnext_write_failures_total"] == 1
    assert gauges["callnext_catch_up_failures_total"] == 1
    assert gauges["callnext_listener_up"] == 1.0
