"""The server's spoken announcements: the WAVs behind `announce.audio` and `announce.audio_en`.

An event frame links `/sounds/announce/{lang}/{number}-{window}.wav` (protocol.announce_path),
computed inside the transaction without I/O. Right after the commit the Announcer starts
rendering each new announcement through the app's one VoiceRenderer, so the file is in the cache
when a screen asks for it; the route (web/sounds.py) serves it from the cache, or waits for the
render in progress, or renders it then. Only announcements the hall has made are rendered: the
route is public, and rendering any well-formed name on request would let anyone fill the disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from ..live import protocol
from ..live.hub import Committed
from .renderer import VoiceRenderer, speech_missing

log = logging.getLogger(__name__)

WAIT_S = 5.0  # how long a request waits for a render in progress
KNOWN_MAX = 10_000  # recent announcements remembered, to skip the database check
PROBE = ("A001", 1)  # rendered at start in each language: proves the voice works here

KEEP_DAYS = 30  # cached WAVs older than this are deleted at start (re-rendered when asked)

WasCalled = Callable[[str, int], Awaitable[bool]]


def voice_cache_dir(env: dict[str, str] | None = None) -> Path:
    """Where rendered WAVs are cached: CALLNEXT_VOICE_CACHE, else sounds/cache under the asset
    root when it is writable, else a per-user cache directory."""
    env = dict(os.environ) if env is None else env
    if env.get("CALLNEXT_VOICE_CACHE"):
        return Path(env["CALLNEXT_VOICE_CACHE"])
    try:
        from ..runtime.assets import asset_dir

        shared = asset_dir("sounds") / "cache"
        shared.mkdir(parents=True, exist_ok=True)
        if os.access(shared, os.W_OK | os.X_OK):
            return shared
    except (RuntimeError, OSError):
        pass
    base = env.get("XDG_CACHE_HOME") or env.get("LOCALAPPDATA") or str(Path.home() / ".cache")
    return Path(base) / "callnext" / "sounds"


def prune_cache(directory: Path, keep_days: float = KEEP_DAYS) -> int:
    """Delete cached WAVs (and left-over temporary files) not written for `keep_days`: a
    voice or rate change leaves the old renders behind. How many were deleted."""
    now, deleted = time.time(), 0
    for path in directory.glob("*.wav") if directory.is_dir() else ():
        temporary = path.name.startswith(".")  # a worker's unfinished file
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < now - (3600 if temporary else keep_days * 86_400):
                path.unlink()
                deleted += not temporary
    return deleted


class Announcer:
    """Renders and hands out the WAV of each announcement, for the languages that work here."""

    def __init__(self, renderer: VoiceRenderer | None, was_called: WasCalled) -> None:
        self.renderer = renderer
        self.was_called = was_called
        self.langs: frozenset[str] = frozenset()  # the languages whose audio is served
        self.missing: str | None = None  # why no voice can speak here (no espeak-ng), if so
        self._known: OrderedDict[tuple[str, int], None] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._starting: asyncio.Task[frozenset[str]] | None = None

    def begin(self) -> None:
        """Start the voice in the background (e.g. while the database opens); see ready()."""
        if self._starting is None:
            self._starting = asyncio.get_running_loop().create_task(self.start())

    async def ready(self) -> frozenset[str]:
        """The languages that work, once the voice has started."""
        self.begin()
        assert self._starting is not None
        return await self._starting

    async def start(self) -> frozenset[str]:
        """Start the speech worker and render a probe per language; the languages that work."""
        if self.renderer is None:
            log.debug("voice: off (CALLNEXT_VOICE=off); announcements carry no audio")
            return self.langs
        self.missing = await asyncio.to_thread(speech_missing)
        if self.missing:
            log.warning("voice: %s; calls show and chime without speech", self.missing)
            return self.langs
        try:
            deleted = await asyncio.to_thread(prune_cache, self.renderer.cache_dir)
        except OSError as exc:
            log.warning("voice: cannot prune the cache: %s", exc)
        else:
            if deleted:
                log.info("voice: deleted %d cached WAVs older than %d days", deleted, KEEP_DAYS)
        ok = [lang for lang in protocol.ANNOUNCE_LANGS if await self.renderer.render(*PROBE, lang)]
        self.langs = frozenset(ok)
        if ok:
            log.debug("voice: %s, cached in %s", ",".join(ok), self.renderer.cache_dir)
        else:
            log.warning("voice: unavailable (see above); calls show and chime without speech")
        return self.langs

    async def close(self) -> None:
        """Stop the pre-renders and the speech worker."""
        self.langs = frozenset()
        tasks = [*self._tasks, *([self._starting] if self._starting else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.renderer is not None:
            await self.renderer.close()

    def describe(self) -> str:
        """One line for the console: the languages spoken and the cache, or why none."""
        if self.renderer is None:
            return "off (CALLNEXT_VOICE=off)"
        if self.missing:
            return f"unavailable: {self.missing}"
        if not self.langs:
            return "unavailable (no working pyttsx3 + espeak-ng voice)"
        langs = ", ".join(lang for lang in protocol.ANNOUNCE_LANGS if lang in self.langs)
        return f"{langs} (cache {self.renderer.cache_dir})"

    def after_commit(self, events: Iterable[Committed]) -> None:
        """Start rendering each new announcement among committed events (never raises)."""
        if not self.langs:
            return
        try:
            for event in events:
                call = _announced(event.frame)
                if call is not None:
                    self._remember(call)
                    task = asyncio.get_running_loop().create_task(self._prerender(*call))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
        except Exception:  # the frames must still reach the hub
            log.exception("voice: cannot start pre-rendering")

    async def _prerender(self, number: str, window: int) -> None:
        assert self.renderer is not None
        for lang in protocol.ANNOUNCE_LANGS:  # zh first: the screens' default language
            if lang in self.langs:
                await self.renderer.render(number, window, lang)

    def _remember(self, call: tuple[str, int]) -> None:
        self._known[call] = None
        self._known.move_to_end(call)
        while len(self._known) > KNOWN_MAX:
            self._known.popitem(last=False)

    async def wav(self, lang: str, number: str, window: int) -> Path | None:
        """The announcement's WAV: cached, or rendered (waiting up to WAIT_S for it). None when
        the voice is unavailable or rendering fails; LookupError when the hall never made it."""
        if self.renderer is None or lang not in self.langs:
            return None
        plan = await self.renderer.plan(number, window, lang)
        if plan is None:
            return None
        if plan.path.is_file():
            return plan.path
        if (number, window) not in self._known:
            if not await self.was_called(number, window):
                raise LookupError(f"{number} was not called to window {window}")
            self._remember((number, window))
        try:
            async with asyncio.timeout(WAIT_S):
                return await self.renderer.render(number, window, lang)
        except TimeoutError:
            log.warning("voice: %s to window %s (%s) not ready in time", number, window, lang)
            return None


def _announced(frame: str) -> tuple[str, int] | None:
    """(number, window) of a frame that announces a call; None for any other frame."""
    if '"announce"' not in frame:  # most frames: no need to decode them
        return None
    message = json.loads(frame)
    if message.get("event") not in protocol.ANNOUNCED:
        return None
    ticket, window = message.get("ticket"), message.get("window")
    if not isinstance(ticket, dict) or not isinstance(window, int):
        return None
    return str(ticket["number"]), window
