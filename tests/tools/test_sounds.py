"""sounds/: every file is in the manifest with its true checksum, format and licence."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOUNDS = ROOT / "sounds"
NOT_SOUNDS = {"cache", "manifest.json", "LICENCE.md"}


def manifest() -> dict[str, dict[str, object]]:
    entries = json.loads((SOUNDS / "manifest.json").read_text())["sounds"]
    return {str(e["file"]): e for e in entries}


def test_the_manifest_lists_every_sound_file() -> None:
    on_disk = {p.name for p in SOUNDS.iterdir() if p.name not in NOT_SOUNDS}
    assert on_disk == set(manifest())
    assert "chime.wav" in on_disk


def test_each_entry_matches_its_file() -> None:
    for name, entry in manifest().items():
        path = SOUNDS / name
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), name
        with wave.open(str(path), "rb") as wav:
            seconds = wav.getnframes() / wav.getframerate()
            assert entry["sample_rate"] == wav.getframerate()
            assert entry["channels"] == wav.getnchannels()
            assert wav.getsampwidth() == 2
        assert abs(float(str(entry["duration_s"])) - seconds) < 0.001, name
        assert "CC0-1.0" in str(entry["licence"])


def test_the_licence_names_every_sound() -> None:
    licence = (SOUNDS / "LICENCE.md").read_text()
    assert "CC0-1.0" in licence
    for name in manifest():
        assert name in licence


def test_the_chime_is_a_short_ding_dong() -> None:
    with wave.open(str(SOUNDS / "chime.wav"), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (44100, 1, 2)
        frames = wav.readframes(wav.getnframes())
    samples = memoryview(frames).cast("h")
    assert 0.8 <= len(samples) / 44100 <= 2.0
    peak = max(abs(s) for s in samples)
    assert 0.5 * 32767 < peak < 32767, "loud enough, never clipped"
    assert abs(samples[-1]) < 50, "ends in silence, no click"

    def loudness(start_s: float) -> int:
        window = samples[int(start_s * 44100) : int((start_s + 0.02) * 44100)]
        return max(abs(s) for s in window)

    # two strikes: "ding" decays, "dong" strikes again, then both fade
    assert loudness(0.35) < loudness(0.0)
    assert loudness(0.43) > loudness(0.35)
    assert loudness(1.1) < loudness(0.43)


def test_the_script_makes_exactly_the_committed_files() -> None:
    script = ROOT / "scripts" / "make-chime.py"
    run = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
