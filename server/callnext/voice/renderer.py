"""Spoken announcements rendered to WAV files by espeak-ng (through pyttsx3), cached by content.

pyttsx3 2.99 is not thread-safe, keeps only the last queued `save_to_file`, can return before
the file is written and sometimes writes an empty WAV. So one long-lived worker subprocess
(voice_worker.py) renders one utterance per request, in order; each result goes to a temporary
file, is verified, and is renamed into the cache; bad results are retried, and a worker that
hangs is killed and restarted without ever blocking the event loop. (The worker also stops
pyttsx3 from cancelling espeak-ng at each runAndWait: see voice_worker._never_cancel.)
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import hashlib
import json
import logging
import os
import sys
import wave
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .text import LANGS, announcement_texts, choose_voice, speech_text

__all__ = ["RenderError", "RenderPlan", "VoiceRenderer", "announcement_texts", "verify_wav"]

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[3]
DEFAULT_CACHE_DIR = REPO / "sounds" / "cache"
WORKER = Path(__file__).with_name("worker.py")
DEFAULT_RATES = {"zh": 150, "en": 160}  # words per minute; espeak's own default is 175


# pyttsx3's espeak driver loads the first of these that loads (pyttsx3/drivers/_espeak.py)
ESPEAK_LIBRARIES = ("libespeak-ng.so.1", "/usr/local/lib/libespeak-ng.so.1", "libespeak.so.1")
NO_ESPEAK = "espeak-ng is not installed (apt-get install espeak-ng)"


def speech_missing() -> str | None:
    """Why no voice can speak on this machine, in one line, or None. On Linux pyttsx3 speaks
    through espeak-ng's library; without it every render would fail with a traceback."""
    if not sys.platform.startswith("linux"):
        return None  # pyttsx3 speaks through the system's own engine there
    for name in ESPEAK_LIBRARIES:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return None
    return NO_ESPEAK


class RenderError(Exception):
    """One failed attempt; `permanent` when retrying cannot help (an unknown voice)."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class RenderPlan:
    """What is rendered for one announcement in one language, and where the WAV goes."""

    lang: str
    voice: str
    rate: int
    text: str
    path: Path


def verify_wav(path: Path, min_s: float, max_s: float) -> float:
    """The duration of a valid, non-silent mono/stereo 16-bit WAV; RenderError otherwise."""
    try:
        with path.open("rb") as f:
            head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:] != b"WAVE":
            raise RenderError("not a RIFF/WAVE file")
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.getnframes()
            pcm = wav.readframes(frames)
    except (OSError, EOFError, wave.Error) as exc:
        raise RenderError(f"unreadable WAV: {exc}") from exc
    if channels not in (1, 2) or width != 2 or not 8000 <= rate <= 96000:
        raise RenderError(f"unexpected format: {channels} ch, {width * 8} bit, {rate} Hz")
    if frames <= 0 or len(pcm) != frames * channels * width:
        raise RenderError(f"empty or truncated WAV ({frames} frames, {len(pcm)} bytes)")
    if not pcm.strip(b"\x00"):
        raise RenderError("silent WAV")
    duration = frames / rate
    if not min_s <= duration <= max_s:
        raise RenderError(f"implausible duration {duration:.2f} s for the text")
    return duration


def plausible_duration(text: str) -> tuple[float, float]:
    """Bounds for the spoken length of `text`: roughly 0.08…1.5 s per word, plus pauses."""
    words = max(1, len(text.split()))
    return max(0.3, 0.08 * words), 2.0 + 1.5 * words


class VoiceRenderer:
    """Renders announcements to cached WAV files through one speech worker, in call order.

    `await render(number, window, lang)` → the WAV's Path, or None when it cannot be rendered
    (it never raises). The same (language, voice, rate, text) is rendered once: the file name is
    a hash of them. `warm()` starts the worker (and pre-renders), `close()` stops it. Use one
    renderer per event loop (e.g. from the app's cleanup_ctx) and always close it.
    """

    def __init__(
        self,
        cache_dir: Path | str | None = None,
        *,
        voices: Mapping[str, str] | None = None,
        rates: Mapping[str, int] | None = None,
        timeout_s: float = 5.0,
        start_timeout_s: float = 15.0,
        attempts: int = 3,
    ) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR
        self.wanted_voices = dict(voices or {})
        self.rates = {**DEFAULT_RATES, **(rates or {})}
        self.timeout_s, self.start_timeout_s, self.attempts = timeout_s, start_timeout_s, attempts
        self.stats = {"renders": 0, "hits": 0, "failures": 0, "retries": 0, "worker_starts": 0}
        self._voices: list[dict[str, Any]] | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._jobs: asyncio.Queue[tuple[str, str, asyncio.Future[Path | None]]] | None = None
        self._inflight: dict[tuple[str, str], asyncio.Future[Path | None]] = {}
        self._consumer: asyncio.Task[None] | None = None
        self._closed = False

    async def render(self, number: str, window: int, lang: str = "zh") -> Path | None:
        """The WAV of "ticket `number` to window `window`" in `lang`; None when that fails."""
        try:
            text = speech_text(number, window, lang)
            if self._voices is not None:  # fast path: a cache hit needs no worker round trip
                plan = self._plan(lang, text)
                if plan is not None and plan.path.is_file():
                    self.stats["hits"] += 1
                    return plan.path
            return await asyncio.shield(self._submit(lang, text))
        except asyncio.CancelledError:
            raise
        except ValueError as exc:
            log.warning("voice: cannot say %r to window %r in %r: %s", number, window, lang, exc)
            return None
        except Exception:
            log.exception("voice: cannot render %s to window %s in %s", number, window, lang)
            return None

    async def plan(self, number: str, window: int, lang: str = "zh") -> RenderPlan | None:
        """The voice, rate, text and cache path `render` uses (starts the worker if needed);
        None when there is no voice for `lang`; ValueError for a bad number, window or lang."""
        text = speech_text(number, window, lang)
        if self._voices is None:
            await self.warm()
        return self._plan(lang, text)

    async def warm(
        self, calls: Iterable[tuple[str, int]] = (), langs: Iterable[str] = LANGS
    ) -> int:
        """Start the worker, then render each (number, window) in each language; how many
        are ready."""
        if self._voices is None and not self._closed:
            await asyncio.shield(self._submit("", ""))  # an empty job only starts the worker
        langs = tuple(langs)
        results = [await self.render(n, w, lang) for n, w in calls for lang in langs]
        return sum(1 for r in results if r is not None)

    async def close(self) -> None:
        """Stop the worker; pending renders give None, later ones too."""
        self._closed = True
        consumer = self._consumer
        while consumer is not None and not consumer.done():
            # Cancel again if need be: a cancellation that lands as an await completes can be
            # lost (asyncio.wait_for in Python 3.11), and the consumer would wait for jobs.
            consumer.cancel()
            await asyncio.wait({consumer}, timeout=1.0)
        for fut in self._inflight.values():
            if not fut.done():
                fut.set_result(None)
        self._inflight.clear()
        await self._stop_worker(graceful=True)

    async def __aenter__(self) -> VoiceRenderer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _plan(self, lang: str, text: str) -> RenderPlan | None:
        voice = choose_voice(self._voices or [], lang, self.wanted_voices.get(lang))
        if voice is None:
            return None
        rate = self.rates.get(lang, 160)
        key = json.dumps([lang, voice, rate, text], ensure_ascii=False)
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return RenderPlan(lang, voice, rate, text, self.cache_dir / f"{lang}-{digest}.wav")

    def _submit(self, lang: str, text: str) -> asyncio.Future[Path | None]:
        if self._closed:
            raise RuntimeError("the voice renderer is closed")
        loop = asyncio.get_running_loop()
        if self._jobs is None or self._consumer is None:
            self._jobs = asyncio.Queue()
            self._consumer = loop.create_task(self._consume(), name="voice-renderer")
        fut = self._inflight.get((lang, text))
        if fut is None:  # the same announcement asked for twice is rendered once
            fut = self._inflight[(lang, text)] = loop.create_future()
            self._jobs.put_nowait((lang, text, fut))
        return fut

    async def _consume(self) -> None:
        assert self._jobs is not None
        while True:
            lang, text, fut = await self._jobs.get()
            try:
                result = await self._render_job(lang, text)
            except asyncio.CancelledError:
                if not fut.done():
                    fut.set_result(None)
                raise
            except Exception:
                log.exception("voice: rendering %r failed", text)
                result = None
            self._inflight.pop((lang, text), None)
            if not fut.done():
                fut.set_result(result)

    async def _render_job(self, lang: str, text: str) -> Path | None:
        try:
            await self._ensure_worker()
            if not text:
                return None
            plan = self._plan(lang, text)
            if plan is None:
                raise RenderError(f"no voice for {lang!r} {self.wanted_voices.get(lang) or ''}")
            if plan.path.is_file():
                self.stats["hits"] += 1
                return plan.path
            plan.path.parent.mkdir(parents=True, exist_ok=True)
            if not os.access(plan.path.parent, os.W_OK):  # else the worker would hang in pyttsx3
                raise RenderError(f"cannot write to {plan.path.parent}")
        except (RenderError, OSError) as exc:
            self.stats["failures"] += 1
            log.error("voice: cannot render %r: %s", text, exc)
            return None
        min_s, max_s = plausible_duration(text)
        for attempt in range(self.attempts):
            if attempt:
                self.stats["retries"] += 1
            tmp = plan.path.with_name(f".{plan.path.stem}.{os.getpid()}.{attempt}.tmp.wav")
            try:
                await self._ensure_worker()
                await self._request(
                    {"text": text, "voice": plan.voice, "rate": plan.rate, "out": str(tmp)}
                )
                verify_wav(tmp, min_s, max_s)
                os.replace(tmp, plan.path)
                self.stats["renders"] += 1
                return plan.path
            except (RenderError, OSError) as exc:
                log.warning("voice: attempt %d for %r: %s", attempt + 1, text, exc)
                if getattr(exc, "permanent", False):
                    break
                await self._stop_worker(graceful=False)  # a fresh engine for the next attempt
            finally:
                with contextlib.suppress(OSError):
                    tmp.unlink()
        self.stats["failures"] += 1
        return None

    async def _ensure_worker(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            return
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 20,
        )
        self.stats["worker_starts"] += 1
        hello = await self._read(self.start_timeout_s)
        if not hello.get("ready"):
            await self._stop_worker(graceful=False)
            raise RenderError(f"speech worker did not start: {hello.get('error')}")
        self._voices = list(hello["voices"])

    async def _request(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self._proc is not None
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps(request, ensure_ascii=False).encode() + b"\n")
            await self._proc.stdin.drain()
        except (ConnectionError, RuntimeError) as exc:
            raise RenderError(f"speech worker gone: {exc}") from exc
        reply = await self._read(self.timeout_s)
        if not reply.get("ok"):
            raise RenderError(str(reply.get("error")), bool(reply.get("permanent")))
        return reply

    async def _read(self, timeout_s: float) -> dict[str, Any]:
        assert self._proc is not None
        assert self._proc.stdout is not None
        try:
            async with asyncio.timeout(timeout_s):  # not wait_for: it can swallow a cancel
                line = await self._proc.stdout.readline()
        except TimeoutError as exc:
            await self._stop_worker(graceful=False)
            raise RenderError(f"speech worker timed out after {timeout_s} s") from exc
        if not line:
            await self._stop_worker(graceful=False)
            raise RenderError("speech worker exited")
        try:
            reply: dict[str, Any] = json.loads(line)
        except ValueError as exc:
            await self._stop_worker(graceful=False)
            raise RenderError(f"speech worker said {line[:80]!r}") from exc
        return reply

    async def _stop_worker(self, graceful: bool) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.returncode is not None:
            return
        if graceful and proc.stdin is not None:
            proc.stdin.close()  # the worker ends at EOF
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2.0):
                    await proc.wait()
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
