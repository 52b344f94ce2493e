"""Time in a hall: local days in its timezone, RFC 3339 stamps with offsets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_day(moment: datetime, tz: str) -> str:
    """The hall's calendar day (YYYY-MM-DD) at `moment`."""
    return moment.astimezone(zone(tz)).date().isoformat()


def day_bounds(day: str, tz: str) -> tuple[datetime, datetime]:
    """The UTC instants where a local day starts and the next one starts (clamped to the
    representable instants for the calendar's first and last days)."""
    d = date.fromisoformat(day)
    end = (
        _utc_midnight(d + timedelta(days=1), tz)
        if d < date.max
        else datetime.max.replace(tzinfo=UTC)
    )
    return _utc_midnight(d, tz), end


def _utc_midnight(d: date, tz: str) -> datetime:
    try:
        return datetime.combine(d, time.min, tzinfo=zone(tz)).astimezone(UTC)
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        return (datetime.min if d.year == 1 else datetime.max).replace(tzinfo=UTC)


def local_hhmm(moment: datetime, tz: str) -> str:
    """`09:30`: the hall's local time of day, for messages people read."""
    return moment.astimezone(zone(tz)).strftime("%H:%M")


def rfc3339(moment: datetime | None, tz: str) -> str | None:
    """`2026-11-26T09:30:00.123+08:00`, in the hall's own offset."""
    if moment is None:
        return None
    return moment.astimezone(zone(tz)).isoformat(timespec="milliseconds")


def to_micros(moment: datetime) -> int:
    """Store form: integer microseconds since the epoch (exact, sortable, portable)."""
    delta = moment.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int | None) -> datetime | None:
    if value is None:
        return None
    return EPOCH + timedelta(microseconds=value)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
