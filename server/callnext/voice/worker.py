"""The speech worker: a long-lived subprocess that owns pyttsx3, one utterance per request.

Run as a script by `voice.VoiceRenderer` (it imports nothing from callnext). The protocol is one
JSON object per line: on start it writes {"ready": true, "voices": [...]}; then for each request
{"text", "voice", "rate", "out"} read from stdin it writes {"ok": true, "frames": n} or
{"ok": false, "error": "...", "permanent": bool}. pyttsx3 prints to stdout, so the protocol
goes out on a duplicate of the original stdout and fd 1 is pointed at /dev/null. The parent
verifies every file and retries; a worker that hangs is killed by the parent.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import wave
from typing import IO, Any

SETTLE_S = 2.0  # pyttsx3 can return from runAndWait before the WAV is on disk


def _frames(path: str) -> int:
    """The frames of a completely written WAV; -1 while it is missing or half written."""
    try:
        with wave.open(path, "rb") as wav:
            frames, size = wav.getnframes(), wav.getsampwidth() * wav.getnchannels()
            return frames if len(wav.readframes(frames)) == frames * size else -1
    except (OSError, EOFError, wave.Error):
        return -1


def _synchronize() -> None:
    """Wait until espeak-ng's own thread has finished what it was given."""
    from pyttsx3.drivers import _espeak

    synchronize = getattr(_espeak, "Synchronize", None)
    if synchronize is not None:
        synchronize()


def _never_cancel(engine: Any) -> None:
    """Stop pyttsx3 from cancelling espeak-ng at the start of every runAndWait.

    pyttsx3 runs espeak-ng asynchronously (callbacks come from espeak's thread), and
    runAndWait's queued endLoop calls driver.stop(), which calls espeak_Cancel whenever espeak
    is busy, e.g. still applying the voice and rate just set. Cancel drops those commands,
    resets the rate to that of the previous utterance, and can deliver a late "message
    terminated" that makes pyttsx3 save the next utterance as an empty WAV. This worker never
    needs to interrupt speech, so its driver's stop does nothing.
    """
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if driver is not None and hasattr(driver, "stop"):
        driver.stop = lambda: None


def _render(engine: Any, voice_ids: set[str], request: dict[str, Any]) -> dict[str, Any]:
    voice, out = str(request["voice"]), str(request["out"])
    if voice.lower() not in voice_ids:
        # espeak silently keeps the previous voice when a name does not exist.
        return {"ok": False, "error": f"unknown voice {voice!r}", "permanent": True}
    engine.setProperty("voice", voice)
    engine.setProperty("rate", int(request["rate"]))
    engine.save_to_file(str(request["text"]), out)  # exactly one utterance per runAndWait
    engine.runAndWait()
    _synchronize()
    deadline = time.monotonic() + SETTLE_S
    frames = _frames(out)
    while frames < 0 and time.monotonic() < deadline:  # not there yet (or half written)
        time.sleep(0.005)
        frames = _frames(out)
    if frames <= 0:  # a complete header with no frames will not grow: fail now, retry
        return {"ok": False, "error": "no audio written" if frames < 0 else "empty WAV"}
    return {"ok": True, "frames": frames, "voice": voice}


def _send(channel: IO[str], message: dict[str, Any]) -> None:
    channel.write(json.dumps(message, ensure_ascii=False) + "\n")
    channel.flush()


def main() -> int:
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    try:
        import pyttsx3

        engine = pyttsx3.init("espeak")
        _never_cancel(engine)
        voices = [
            {"id": v.id, "name": v.name, "languages": [str(x) for x in (v.languages or [])]}
            for v in engine.getProperty("voices")
        ]
        voice_ids = {str(v["id"]).lower() for v in voices}
        voice_ids |= {str(v["name"]).lower() for v in voices}
        # One utterance before saying ready: it proves the engine speaks, and pyttsx3's first
        # runAndWait (which returns before the synthesis has even started) is behind us.
        with tempfile.TemporaryDirectory(prefix="callnext-voice-") as tmp:
            first = {"text": "ready", "voice": voices[0]["id"], "rate": 175, "out": f"{tmp}/a.wav"}
            if not (reply := _render(engine, voice_ids, first))["ok"]:
                raise RuntimeError(f"the engine does not speak: {reply['error']}")
    except Exception as exc:
        _send(channel, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    _send(channel, {"ready": True, "voices": voices, "pid": os.getpid()})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = _render(engine, voice_ids, json.loads(line))
        except Exception as exc:
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        _send(channel, reply)
    return 0


if __name__ == "__main__":
    sys.exit(main())
