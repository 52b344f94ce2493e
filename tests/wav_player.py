"""A stand-in for the loudspeakers in the speaker tests: `python wav_player.py LOG [SPEED] WAV`.

It behaves as an audio player does for the speaker (it takes a WAV path, lasts as long as the
sound, at SPEED times, and exits 0), checks that the file is a readable WAV, and appends
{"file", "start", "end", "seconds"} to LOG as one JSON line, so a test can see what was played,
in which order, and that no two sounds overlapped.
"""

from __future__ import annotations

import json
import sys
import time
import wave


def main(argv: list[str]) -> int:
    log, speed, path = argv[0], float(argv[1]), argv[2]
    start = time.time()
    with wave.open(path, "rb") as wav:
        seconds = wav.getnframes() / wav.getframerate()
    time.sleep(seconds / speed)
    entry = {"file": path.rsplit("/", 1)[-1], "start": start, "end": time.time(),
             "seconds": seconds}  # fmt: skip
    with open(log, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
