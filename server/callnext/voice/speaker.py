"""`callnext speaker`: the agent on the PC wired to the hall's loudspeakers.

It follows the hall's display stream (a `websockets` client) and says each `ticket.called` and
`ticket.recalled` in seq order, one at a time: a strict FIFO, never overlapping, never skipped,
never twice. Each announcement is rendered by the voice worker (pyttsx3 + espeak-ng, one process,
one utterance at a time, each WAV verified) and played by an audio player. After any disconnect
it resumes with `?since=` the last seq it took, with backoff; on a seq gap it reconnects the same
way, and a snapshot (the server no longer has the events) resyncs without announcing anything.
Calls older than `max_age_s` when they arrive (replayed after a long outage) are not said.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import signal
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus, WebSocketException

from ..live import protocol
from .announcer import voice_cache_dir
from .renderer import VoiceRenderer
from .speaker_audio import OutputLog, Player

log = logging.getLogger("callnext.speaker")

BACKOFF_S = (0.25, 2.0)  # first and longest wait between connection attempts
# Straight to the hall's server (no proxy from the environment); pings find a dead link.
CONNECT: dict[str, Any] = {
    "compression": None, "open_timeout": 10, "close_timeout": 2, "proxy": None,
    "ping_interval": 20, "ping_timeout": 20,
}  # fmt: skip


class SpeakerError(Exception):
    """Why the speaker cannot run, in one line."""


@dataclass
class Options:
    hall: str
    server: str = "http://127.0.0.1:8080"
    lang: str = "zh"
    output_dir: Path | None = None
    player: str | None = None  # a command; None: find one; "none": play nothing
    max_age_s: float = 60.0


@dataclass
class Call:
    """One announcement to make: its seq and what to say, with its WAV being rendered."""

    seq: int
    number: str
    window: int
    wav: asyncio.Future[Path | None] = field(repr=False)


def stream_url(server: str, hall: str, since: int | None) -> str:
    """ws(s)://host/ws/v2/halls/HALL[?since=S] from the server's http(s) address (v2: the
    frames without ticket ids, all a loudspeaker needs)."""
    parts = urlsplit(server if "://" in server else f"http://{server}")
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    query = f"since={since}" if since is not None else ""
    path = f"{parts.path.rstrip('/')}/ws/v2/halls/{quote(hall, safe='')}"
    return urlunsplit((scheme, parts.netloc, path, query, ""))


def clock_skew(date_header: str | None, now: datetime) -> float:
    """Seconds the server's clock is ahead of ours, from its Date header (1 s resolution):
    0 when it is missing or within a second."""
    try:
        server_now = parsedate_to_datetime(date_header or "")
    except (TypeError, ValueError):
        return 0.0
    skew = (server_now - now).total_seconds() + 0.5  # the header drops the fraction
    return skew if abs(skew) > 1.0 else 0.0


def _retrying(failures: int, reason: str) -> None:
    """Log a failed attempt: the first, then about once a minute (not every two seconds)."""
    if failures == 1 or failures % 30 == 0:
        log.warning("%s; retrying (attempt %d)", reason, failures)


class Speaker:
    """Follows one hall's stream and says its calls."""

    def __init__(self, options: Options, renderer: VoiceRenderer, player: Player) -> None:
        self.options = options
        self.renderer = renderer
        self.player = player
        self.output = OutputLog(options.output_dir) if options.output_dir else None
        self.seq: int | None = None  # the last seq taken (an event or a snapshot)
        self.skew_s = 0.0
        self.calls: asyncio.Queue[Call] = asyncio.Queue()

    async def run(self) -> None:
        """Listen and speak until cancelled."""
        speaking = asyncio.create_task(self._speak_forever(), name="speaker-voice")
        try:
            await self._listen_forever()
        finally:
            while not speaking.done():  # cancel again if a cancel was lost in an await
                speaking.cancel()
                await asyncio.wait({speaking}, timeout=1.0)

    # -- the stream -------------------------------------------------------------------------

    async def _listen_forever(self) -> None:
        delay, failures = BACKOFF_S[0], 0
        while True:
            url = stream_url(self.options.server, self.options.hall, self.seq)
            try:
                async with connect(url, **CONNECT) as ws:
                    failures = 0
                    if await self._follow(ws):
                        delay = BACKOFF_S[0]
            except InvalidStatus as exc:
                if exc.response.status_code == 404:
                    raise SpeakerError(f"the server has no hall {self.options.hall!r}") from exc
                failures += 1
                _retrying(failures, f"stream refused: HTTP {exc.response.status_code}")
            except (OSError, TimeoutError, WebSocketException) as exc:
                failures += 1
                _retrying(failures, f"cannot reach the stream: {exc or type(exc).__name__}")
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # jitter
            delay = min(delay * 2, BACKOFF_S[1])

    async def _follow(self, ws: ClientConnection) -> bool:
        """Take the connection's frames until it ends or shows a gap; True if it gave any."""
        assert ws.response is not None
        self.skew_s = clock_skew(ws.response.headers.get("Date"), datetime.now(UTC))
        log.info("connected to %s (after seq %s)", ws.request and ws.request.path, self.seq)
        took = False
        async for message in ws:
            try:
                frame = json.loads(message)
            except ValueError:
                frame = None
            if not isinstance(frame, dict):
                log.error("not a frame: %.80r; reconnecting", message)
                return took
            if not self.take(frame):
                return took
            took = True
        log.warning("stream closed (%s %s); reconnecting", ws.close_code, ws.close_reason or "")
        return took

    def take(self, frame: dict[str, Any]) -> bool:
        """Apply one frame; False on a seq gap (reconnect with ?since= the last seq taken)."""
        seq = frame.get("seq")
        if not isinstance(seq, int):
            log.error("a frame without seq: %.80r", frame)
            return False
        if frame.get("type") == protocol.SNAPSHOT:
            log.info("in sync with the hall at seq %d (a snapshot announces nothing)", seq)
            self.seq = seq
            return True
        if self.seq is not None and seq <= self.seq:
            return True  # already taken
        if self.seq is not None and seq != self.seq + 1:
            log.warning("seq %d after %d: a gap; resyncing", seq, self.seq)
            return False
        self.seq = seq
        if frame.get("event") in protocol.ANNOUNCED:
            self._queue_call(frame)
        return True

    def _queue_call(self, frame: dict[str, Any]) -> None:
        seq, ticket, window = frame["seq"], frame.get("ticket"), frame.get("window")
        number = ticket.get("number") if isinstance(ticket, dict) else None
        if not isinstance(number, str) or not isinstance(window, int):
            log.error("seq %d: a call without a ticket number or window", seq)
            return
        age = self._age_s(frame.get("at"))
        if age > self.options.max_age_s:
            log.info("not saying seq %d %s → %s: called %.0f s ago", seq, number, window, age)
            return
        wav = asyncio.ensure_future(self.renderer.render(number, window, self.options.lang))
        self.calls.put_nowait(Call(seq, number, window, wav))

    def _age_s(self, at: object) -> float:
        """Seconds since the server's `at`, by the server's clock (0 when unreadable)."""
        try:
            called = datetime.fromisoformat(str(at))
        except ValueError:
            return 0.0
        if called.tzinfo is None:
            return 0.0
        return (datetime.now(UTC) - called).total_seconds() + self.skew_s

    # -- the voice ----------------------------------------------------------------------------

    async def _speak_forever(self) -> None:
        while True:
            call = await self.calls.get()
            path = await call.wav
            if path is None:
                log.error("cannot say seq %d %s → window %d", call.seq, call.number, call.window)
                continue
            if self.output is not None:  # play the numbered copy: what is logged is what is said
                path = self.output.write(path, call.number, call.window, self.options.lang)
            log.info("saying seq %d: %s → window %d", call.seq, call.number, call.window)
            await self.player.play(path)


async def run(options: Options) -> None:
    """The speaker until SIGINT or SIGTERM."""
    if options.lang not in protocol.ANNOUNCE_LANGS:
        raise SpeakerError(f"--lang must be one of {', '.join(protocol.ANNOUNCE_LANGS)}")
    player = Player.choose(options.player)
    if player.command is None and options.output_dir is None:
        if options.player is not None:  # --player none
            raise SpeakerError(
                "--player none without --output-dir: nothing would be heard or kept; "
                "pass --output-dir DIR to keep each WAV, or a --player COMMAND"
            )
        raise SpeakerError(
            "no audio player found (pw-play, paplay, aplay, ffplay): pass --player COMMAND, "
            "or --output-dir DIR to keep each WAV"
        )
    async with VoiceRenderer(voice_cache_dir()) as renderer:
        if await renderer.render("A001", 1, options.lang) is None:
            raise SpeakerError(f"no working {options.lang} voice (pyttsx3 with espeak-ng)")
        log.info("voice ready (%s); player: %s", options.lang, player.describe())
        task = asyncio.create_task(Speaker(options, renderer, player).run())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task
