"""Settings of one server process, from the command line and CALLNEXT_* environment variables."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from datetime import timedelta

from ..domain.identity import PersonKey
from ..store.database import DEFAULT_URL
from . import person_keys
from .health import LISTENER_GRACE_S


@dataclass(frozen=True)
class RateLimit:
    """At most `count` requests per `per_s` seconds per client."""

    count: int
    per_s: float


OFF = ("off", "0", "false", "no")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# tickets: per client address (a phone, or a kiosk without its key); kiosk_tickets: per kiosk
# that sent its key (docs/kiosk.md), wherever it is; login: failed logins per account and
# address; login_address: failed logins per address, any account; login_account: failed logins
# per account from any address (a high bar: past it the account is under attack).
DEFAULT_LIMITS = {
    "tickets": RateLimit(30, 60.0),
    "kiosk_tickets": RateLimit(120, 60.0),
    "login": RateLimit(10, 60.0),
    "login_address": RateLimit(30, 60.0),
    "login_account": RateLimit(100, 600.0),
    "ratings": RateLimit(30, 60.0),  # ratings posted, per client address (docs/ratings.md)
    "appointments": RateLimit(10, 60.0),  # bookings made, per client (docs/appointments.md)
}


def parse_rate_limits(spec: str | None) -> dict[str, RateLimit] | None:
    """`off`, or `tickets=30/60,kiosk_tickets=120/60,login=10/60,ratings=30/60` (count/seconds;
    the names of DEFAULT_LIMITS); None means all limits off."""
    if spec is None or not spec.strip():
        return dict(DEFAULT_LIMITS)
    if spec.strip().lower() in OFF:
        return None
    limits = dict(DEFAULT_LIMITS)
    for part in spec.split(","):
        name, _, rule = part.partition("=")
        count, _, per = rule.partition("/")
        if name.strip() not in DEFAULT_LIMITS:
            raise ValueError(f"unknown rate limit {name.strip()!r} in CALLNEXT_RATE_LIMITS")
        limits[name.strip()] = RateLimit(int(count), float(per or 60))
    return limits


def parse_trusted_proxies(spec: str | None) -> tuple[Network, ...]:
    """CALLNEXT_TRUSTED_PROXIES: `10.0.0.5,192.168.1.0/24,::1` (addresses or CIDR blocks) of the
    reverse proxies whose X-Forwarded-For is believed; empty or unset: none (the default)."""
    networks = []
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(
                f"CALLNEXT_TRUSTED_PROXIES: {part.strip()!r} is not an IP address or CIDR block"
            ) from exc
    return tuple(networks)


# The plain numeric settings: (environment variable, Settings field, type).
NUMERIC_ENV: tuple[tuple[str, str, type[float] | type[int]], ...] = (
    ("CALLNEXT_HEADER_TIMEOUT_S", "header_timeout_s", float),
    ("CALLNEXT_MAX_CONNECTIONS_PER_ADDRESS", "max_connections_per_address", int),
    ("CALLNEXT_REPLAY_MAX_EVENTS", "replay_max_events", int),
    ("CALLNEXT_EVENT_LOG_DAYS", "event_log_days", float),
    ("CALLNEXT_LISTENER_GRACE_S", "listener_grace_s", float),
)


def _number(name: str, raw: str, kind: type[float] | type[int]) -> float | int:
    try:
        value = kind(raw.strip())
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


@dataclass(frozen=True)
class Settings:
    db_url: str = DEFAULT_URL
    host: str = "127.0.0.1"
    port: int = 8080
    demo: bool = False
    demo_all_day: bool = False  # the demo hall is created open around the clock (no hours)
    token_ttl: timedelta = timedelta(hours=12)
    rate_limits: dict[str, RateLimit] | None = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    max_body_bytes: int = 64 * 1024
    voice: bool = True  # spoken announcements (CALLNEXT_VOICE=off: none, audio is null)
    voice_cache: str | None = None  # CALLNEXT_VOICE_CACHE; None: announcer.voice_cache_dir()
    # CALLNEXT_PUBLIC_URL: where phones reach this server (the tickets' QR codes), e.g.
    # https://queue.example.gov.cn; None: the address the kiosk itself used.
    public_url: str | None = None
    # CALLNEXT_STREAM_V1=off: refuse /ws/v1 (whose frames carry ticket ids) once every screen
    # and integration of the hall reads /ws/v2.
    stream_v1: bool = True
    print_timeout_s: float = 4.0  # CALLNEXT_PRINT_TIMEOUT_S: an ESC/POS printer's whole job
    rollover_check_s: float = 30.0  # how often the day rollover looks for stale tickets
    # CALLNEXT_ALLOWED_ORIGINS: other origins whose pages may open the display stream
    # ("https://screens.example.gov.cn,https://…", or "*"); the server's own always may.
    allowed_origins: tuple[str, ...] = ()
    # CALLNEXT_TRUSTED_PROXIES: the reverse proxies whose X-Forwarded-For names the client
    # (web/client.py); none by default: the socket's peer is the client.
    trusted_proxies: tuple[Network, ...] = ()
    # CALLNEXT_HEADER_TIMEOUT_S: the time a connection has to send a whole request head, from
    # its opening or its previous answer; an idle keep-alive connection is closed after it too.
    header_timeout_s: float = 20.0
    # CALLNEXT_MAX_CONNECTIONS_PER_ADDRESS: open connections (HTTP and WebSocket) per client
    # address and server process; 0: no cap. Generous: a hall's screens, kiosks and consoles may
    # all reach the server through one NAT address (docs/security.md).
    max_connections_per_address: int = 2000
    # CALLNEXT_REPLAY_MAX_EVENTS: a display further behind than this many events gets a snapshot
    # instead of a replay of what it missed.
    replay_max_events: int = 1000
    # CALLNEXT_EVENT_LOG_DAYS: the display stream's event log keeps this many days (0: forever);
    # the tickets and the audit log are the hall's history.
    event_log_days: float = 7.0
    # CALLNEXT_LISTENER_GRACE_S (PostgreSQL): /healthz answers 503 once this process has not
    # heard the other processes' events (or could not catch up on them) for this long.
    listener_grace_s: float = LISTENER_GRACE_S
    # CALLNEXT_PERSON_KEYS: the secrets of real-name tickets' person digests, newest first
    # (runtime/person_keys.py); None: the SQLite database's key file, or none on PostgreSQL.
    person_keys: tuple[PersonKey, ...] | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {
            "rate_limits": parse_rate_limits(env.get("CALLNEXT_RATE_LIMITS")),
        }
        if "CALLNEXT_TOKEN_TTL_S" in env:
            values["token_ttl"] = timedelta(seconds=float(env["CALLNEXT_TOKEN_TTL_S"]))
        if env.get("CALLNEXT_VOICE", "").strip().lower() in OFF:
            values["voice"] = False
        if env.get("CALLNEXT_VOICE_CACHE"):
            values["voice_cache"] = env["CALLNEXT_VOICE_CACHE"]
        if env.get("CALLNEXT_PUBLIC_URL"):
            values["public_url"] = env["CALLNEXT_PUBLIC_URL"].rstrip("/")
        if env.get("CALLNEXT_STREAM_V1", "").strip().lower() in OFF:
            values["stream_v1"] = False
        if "CALLNEXT_PRINT_TIMEOUT_S" in env:
            values["print_timeout_s"] = float(env["CALLNEXT_PRINT_TIMEOUT_S"])
        if env.get("CALLNEXT_ALLOWED_ORIGINS"):
            origins = env["CALLNEXT_ALLOWED_ORIGINS"].split(",")
            values["allowed_origins"] = tuple(o.strip().rstrip("/") for o in origins if o.strip())
        if env.get("CALLNEXT_TRUSTED_PROXIES"):
            values["trusted_proxies"] = parse_trusted_proxies(env["CALLNEXT_TRUSTED_PROXIES"])
        for name, key, kind in NUMERIC_ENV:
            if env.get(name, "").strip():
                values[key] = _number(name, env[name], kind)
        values["person_keys"] = person_keys.from_env(env)
        if "CALLNEXT_DB" in env:
            values["db_url"] = env["CALLNEXT_DB"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
