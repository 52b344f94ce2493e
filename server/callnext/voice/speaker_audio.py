"""The speaker's outputs: an audio player that plays one WAV to its end, and the numbered log of
what was said (`--output-dir`: 0001-A001-3-zh.wav, 0002-…)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shlex
import shutil
import sys
import wave
from pathlib import Path

log = logging.getLogger("callnext.speaker")

# Tried in order when no --player is given; the WAV's path is appended to the command.
PLAYERS = (
    ("pw-play",),
    ("paplay",),
    ("aplay", "-q"),
    ("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"),
)
WINSOUND = "winsound"
SLACK_S = 10.0  # a player may take this much longer than the sound before it is killed
NUMBERED = re.compile(r"^(\d{4,})-.+\.wav$")


def wav_seconds(path: Path) -> float:
    """The duration of a WAV file (0 when unreadable)."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    except (OSError, EOFError, wave.Error):
        return 0.0


class Player:
    """Plays WAV files one at a time: `play` returns when the sound has ended."""

    def __init__(self, command: list[str] | None) -> None:
        self.command = command

    @classmethod
    def choose(cls, spec: str | None) -> Player:
        """`spec` is a command line, or "none"; None finds a player on this machine."""
        if spec is not None:
            return cls(None if spec.strip().lower() == "none" else shlex.split(spec))
        if sys.platform == "win32":
            return cls([WINSOUND])
        for command in PLAYERS:
            if shutil.which(command[0]):
                return cls(list(command))
        return cls(None)

    def describe(self) -> str:
        return " ".join(self.command) if self.command else "none (only --output-dir)"

    async def play(self, path: Path) -> None:
        """Play `path` to its end; a player that fails or hangs is logged, never fatal."""
        if self.command is None:
            return
        timeout = wav_seconds(path) + SLACK_S
        if self.command == [WINSOUND]:
            await asyncio.to_thread(_winsound_play, path)  # returns when the sound has ended
            return
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.command, str(path), stdin=asyncio.subprocess.DEVNULL
            )
        except OSError as exc:
            log.error("cannot start the player %s: %s", self.command[0], exc)
            return
        try:
            async with asyncio.timeout(timeout):  # not wait_for: it can swallow a cancel
                code = await proc.wait()
        except TimeoutError:
            log.error("the player did not finish in %.0f s; killed", timeout)
            proc.kill()
            await proc.wait()
            return
        finally:
            if proc.returncode is None:  # cancelled (the speaker stops): stop the sound too
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
        if code != 0:
            log.error("the player exited with %s for %s", code, path.name)


def _winsound_play(path: Path) -> None:
    if sys.platform == "win32":
        import winsound

        winsound.PlaySound(str(path), winsound.SND_FILENAME)


class OutputLog:
    """Copies each announcement said into a directory, numbered in the order said."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        taken = [int(m.group(1)) for p in directory.iterdir() if (m := NUMBERED.match(p.name))]
        self.count = max(taken, default=0)  # a restarted speaker goes on numbering

    def write(self, wav: Path, number: str, window: int, lang: str) -> Path:
        """Write the next numbered copy, atomically (a reader never sees half a file)."""
        self.count += 1
        target = self.directory / f"{self.count:04d}-{number}-{window}-{lang}.wav"
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(wav, tmp)
        os.replace(tmp, target)
        return target
