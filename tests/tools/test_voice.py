"""Spoken announcements: the texts, and real WAVs from pyttsx3 + espeak-ng through one worker."""

from __future__ import annotations

import asyncio
import hashlib
import re
import statistics
import subprocess
import time
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from callnext.voice.renderer import DEFAULT_CACHE_DIR, RenderError, VoiceRenderer, verify_wav
from callnext.voice.text import announcement_texts, chinese_cardinal, speech_text

ROOT = Path(__file__).resolve().parents[2]
HANZI = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def wav_info(path: Path) -> tuple[float, bytes]:
    """(duration in seconds, PCM) of a WAV the `wave` module can read."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        frames = wav.getnframes()
        return frames / wav.getframerate(), wav.readframes(frames)


def espeak_cli(tmp_path: Path, voice: str, rate: int, text: str) -> float:
    """The duration of `text` said by the espeak-ng command line with `voice` at `rate`."""
    out = tmp_path / f"cli-{voice}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(out), text], check=True)
    return wav_info(out)[0]


async def assert_said_like_the_cli(
    renderer: VoiceRenderer, tmp_path: Path, number: str, window: int, lang: str
) -> None:
    """The rendered WAV lasts as long as espeak-ng's own rendering of the same text with the
    same voice and rate: not another announcement, not a stale rate, nothing lost."""
    plan = await renderer.plan(number, window, lang)
    assert plan is not None
    assert plan.path.is_file()
    seconds = wav_info(plan.path)[0]
    expected = espeak_cli(tmp_path, plan.voice.rsplit("/", 1)[-1], plan.rate, plan.text)
    assert abs(seconds - expected) < 0.03 * expected, (number, window, lang, seconds, expected)


@pytest.fixture
async def renderer(tmp_path: Path) -> AsyncIterator[VoiceRenderer]:
    async with VoiceRenderer(tmp_path / "cache") as r:
        yield r


# --- what is said -------------------------------------------------------------------------


def test_chinese_text_reads_the_ticket_digit_by_digit_and_the_window_as_a_number() -> None:
    assert announcement_texts("A001", 3)["zh"] == "请A零零一号到三号窗口办理"
    assert announcement_texts("A001", 12)["zh"] == "请A零零一号到十二号窗口办理"
    assert announcement_texts("b120", 20)["zh"] == "请B一二零号到二十号窗口办理"
    assert announcement_texts("A1000", 7)["zh"] == "请A一零零零号到七号窗口办理"


@pytest.mark.parametrize(
    ("n", "said"),
    [(0, "零"), (1, "一"), (3, "三"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一"),
     (99, "九十九"), (100, "一百"), (105, "一百零五"), (110, "一百一十"), (1010, "一千零一十")],
)  # fmt: skip
def test_window_numbers_are_said_naturally(n: int, said: str) -> None:
    assert chinese_cardinal(n) == said


def test_english_text_reads_the_digits_one_by_one() -> None:
    assert announcement_texts("A001", 3)["en"] == "Ticket A 0 0 1, please go to window 3"
    assert announcement_texts("AB012", 12)["en"] == "Ticket A B 0 1 2, please go to window 12"
    # espeak would say the article "a" for "A 0 0 1"; "A-0 0 1" makes it name the letter.
    assert speech_text("A001", 3, "en") == "Ticket A-0 0 1, please go to window 3."


def test_chinese_is_fed_to_espeak_as_tone_numbered_pinyin() -> None:
    pinyin = speech_text("A001", 12, "zh")
    assert pinyin == "qing3 ei1 ling2 ling2 yi1 hao4 dao4 shi2 er4 hao4 chuang1 kou3 ban4 li3"
    assert not HANZI.search(pinyin)
    for number, window in [("W987", 2345), ("XYZ650", 104), ("Q18", 60)]:
        words = speech_text(number, window, "zh").split()
        assert not HANZI.search(" ".join(words))
        assert all(re.fullmatch(r"[a-z]+[1-5],?", w) for w in words), words


def test_pinyin_voice_says_no_tone_digits_where_the_cmn_voice_does() -> None:
    """espeak's phonemes: the plain `cmn` voice switches to English to say "ling two"."""
    pinyin = speech_text("A001", 3, "zh")

    def phonemes(voice: str, text: str) -> str:
        run = ["espeak-ng", "-q", "-x", "-v", voice, text]
        return subprocess.run(run, check=True, capture_output=True, text=True).stdout

    assert "(en)" not in phonemes("cmn-latn-pinyin", pinyin)
    assert "(en)" in phonemes("cmn", pinyin)
    assert "(en)" in phonemes("cmn", announcement_texts("A001", 3)["zh"])


def test_bad_input_is_refused() -> None:
    for number in ["", "A", "A00-1", "ABCD001", "号001"]:
        with pytest.raises(ValueError, match="ticket number"):
            announcement_texts(number, 3)
    for window in [-1, 10000]:
        with pytest.raises(ValueError, match="window"):
            announcement_texts("A001", window)
    with pytest.raises(ValueError, match="language"):
        speech_text("A001", 3, "fr")


# --- rendering ----------------------------------------------------------------------------


async def test_renders_valid_chinese_and_english_wavs(renderer: VoiceRenderer) -> None:
    zh = await renderer.render("A001", 3, "zh")
    en = await renderer.render("A001", 3, "en")
    assert zh is not None
    assert en is not None
    assert zh.parent == en.parent == renderer.cache_dir
    assert zh != en
    zh_s, zh_pcm = wav_info(zh)
    en_s, en_pcm = wav_info(en)
    assert 1.0 <= zh_s <= 8.0
    assert 1.0 <= en_s <= 8.0
    assert zh_pcm.strip(b"\0")
    assert en_pcm.strip(b"\0")
    longer = await renderer.render("ABC12345", 1234, "zh")
    assert longer is not None
    assert wav_info(longer)[0] > zh_s + 1.0
    assert not list(renderer.cache_dir.glob(".*tmp*")), "temporary files are cleaned up"
    assert renderer.stats["renders"] == 3
    assert renderer.stats["worker_starts"] == 1


async def test_the_chinese_voice_is_cmn_latn_pinyin_fed_pinyin(
    renderer: VoiceRenderer, tmp_path: Path
) -> None:
    plan = await renderer.plan("A001", 3, "zh")
    assert plan is not None
    assert plan.voice.lower().rsplit("/", 1)[-1] == "cmn-latn-pinyin"
    assert plan.text == speech_text("A001", 3, "zh")
    assert not HANZI.search(plan.text)
    path = await renderer.render("A001", 3, "zh")
    assert path == plan.path
    said = wav_info(path)[0]
    # The same text from the espeak-ng command line: the pinyin voice matches, `cmn` does not.
    assert abs(said - espeak_cli(tmp_path, "cmn-latn-pinyin", plan.rate, plan.text)) < 0.05 * said
    assert abs(said - espeak_cli(tmp_path, "cmn", plan.rate, plan.text)) > 0.1 * said


async def test_a_cached_announcement_is_not_rendered_again(
    renderer: VoiceRenderer, tmp_path: Path
) -> None:
    first = await renderer.render("A007", 5)
    assert first is not None
    mtime = first.stat().st_mtime_ns
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        again = await renderer.render("A007", 5)
        timings.append(time.perf_counter() - started)
        assert again == first
    assert first.stat().st_mtime_ns == mtime
    assert renderer.stats["renders"] == 1
    assert renderer.stats["hits"] == 20  # from the cache, none rendered again
    print(f"a cached announcement in {statistics.median(timings) * 1000:.2f} ms (median)")
    # Another renderer (a restarted server) finds it in the same cache directory.
    async with VoiceRenderer(renderer.cache_dir) as other:
        assert await other.render("A007", 5) == first
        assert other.stats["renders"] == 0
    assert first.stat().st_mtime_ns == mtime


async def test_concurrent_calls_each_get_their_own_valid_file(
    renderer: VoiceRenderer, tmp_path: Path
) -> None:
    """pyttsx3 keeps only the last queued save_to_file, and (espeak-ng running in its own
    thread) can apply a voice or rate one utterance late: each file must hold its own text,
    said as the espeak-ng command line says it, while the languages alternate."""
    calls = [(f"B{i:03d}", i + 1, "zh" if i % 2 else "en") for i in range(10)]
    paths = await asyncio.gather(*(renderer.render(*call) for call in calls))
    assert all(p is not None for p in paths)
    assert len(set(paths)) == 10
    digests = set()
    for call, path in zip(calls, paths, strict=True):
        assert path is not None
        seconds, pcm = wav_info(path)
        assert 1.0 <= seconds <= 8.0
        await assert_said_like_the_cli(renderer, tmp_path, *call)
        digests.add(hashlib.sha256(pcm).hexdigest())
    assert len(digests) == 10, "every file holds its own announcement"
    assert renderer.stats["renders"] == 10
    assert renderer.stats["failures"] == 0


async def test_a_fresh_worker_says_its_first_announcement_at_the_right_rate(
    tmp_path: Path,
) -> None:
    """pyttsx3 sets rate 200 at start; a cancelled start used to leave it for the first call."""
    for i in range(5):
        async with VoiceRenderer(tmp_path / f"cache{i}") as r:
            assert await r.render("B000", i + 1, "en") is not None
            await assert_said_like_the_cli(r, tmp_path, "B000", i + 1, "en")


@pytest.mark.slow
async def test_many_renders_switching_languages_are_all_right(
    renderer: VoiceRenderer, tmp_path: Path
) -> None:
    calls = [(f"{'ABC'[i % 3]}{i + 1:03d}", i % 12 + 1, ("zh", "en")[i % 2]) for i in range(40)]
    for call in calls:
        assert await renderer.render(*call) is not None
    for call in calls:
        await assert_said_like_the_cli(renderer, tmp_path, *call)
    assert renderer.stats["retries"] == 0
    assert renderer.stats["worker_starts"] == 1


async def test_the_same_announcement_asked_for_at_once_is_rendered_once(
    renderer: VoiceRenderer,
) -> None:
    paths = await asyncio.gather(*(renderer.render("C042", 8, "en") for _ in range(5)))
    assert len(set(paths)) == 1
    assert paths[0] is not None
    assert renderer.stats["renders"] == 1


async def test_warm_prerenders(renderer: VoiceRenderer) -> None:
    assert await renderer.warm([("A001", 1), ("A002", 2)], langs=("zh", "en")) == 4
    assert renderer.stats["renders"] == 4
    assert await renderer.render("A002", 2, "en") is not None
    assert renderer.stats["renders"] == 4


async def test_cold_renders_each_give_a_new_wav(renderer: VoiceRenderer) -> None:
    """15 new announcements, each rendered once (how fast: `python -m callnext.bench.voice`)."""
    await renderer.warm()
    warmed = renderer.stats["renders"]
    timings = []
    for i in range(15):
        started = time.perf_counter()
        assert await renderer.render(f"A{i + 100:03d}", i % 9 + 1) is not None
        timings.append(time.perf_counter() - started)
    assert renderer.stats["renders"] == warmed + 15
    print(f"a new announcement in {statistics.median(timings) * 1000:.0f} ms (median)")


# --- failures give None, never an exception -----------------------------------------------


async def test_an_unknown_voice_gives_none(tmp_path: Path) -> None:
    async with VoiceRenderer(tmp_path / "cache", voices={"zh": "no-such-voice"}) as r:
        assert await r.render("A001", 3, "zh") is None
        assert r.stats["failures"] == 1
        assert await r.render("A001", 3, "en") is not None


async def test_an_unusable_cache_directory_gives_none(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    async with VoiceRenderer(tmp_path / "file" / "cache") as r:
        assert await r.render("A001", 3) is None
        assert r.stats["failures"] == 1


async def test_bad_input_gives_none(renderer: VoiceRenderer) -> None:
    assert await renderer.render("not a ticket", 3) is None
    assert await renderer.render("A001", -2) is None
    assert await renderer.render("A001", 3, "fr") is None


async def test_a_worker_that_does_not_answer_in_time_is_replaced(tmp_path: Path) -> None:
    async with VoiceRenderer(tmp_path / "cache", timeout_s=0.001, attempts=2) as r:
        assert await r.render("A001", 3) is None
        assert r.stats["failures"] == 1
        assert r.stats["retries"] == 1
        starts = r.stats["worker_starts"]
        assert starts >= 2
        r.timeout_s = 5.0
        assert await r.render("A001", 3) is not None
        assert r.stats["worker_starts"] == starts + 1


async def test_a_closed_renderer_gives_none(tmp_path: Path) -> None:
    r = VoiceRenderer(tmp_path / "cache")
    assert await r.render("A001", 3) is not None
    await r.close()
    assert await r.render("A002", 3) is None


def test_bad_wavs_are_rejected(tmp_path: Path) -> None:
    def write(name: str, pcm: bytes) -> Path:
        path = tmp_path / name
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(22050)
            wav.writeframes(pcm)
        return path

    sound = bytes(range(256)) * 200
    assert verify_wav(write("ok.wav", sound), 0.3, 5.0) == pytest.approx(len(sound) / 2 / 22050)
    cases = {
        "empty.wav": (write("empty.wav", b""), "empty"),
        "silent.wav": (write("silent.wav", bytes(44100)), "silent"),
        "short.wav": (write("short.wav", sound[:2000]), "implausible"),
    }
    (tmp_path / "junk.wav").write_bytes(b"RIFF\0\0\0\0WAVEjunk")
    cases["junk.wav"] = (tmp_path / "junk.wav", "unreadable")
    (tmp_path / "text.wav").write_text("hello")
    cases["text.wav"] = (tmp_path / "text.wav", "RIFF")
    for path, why in cases.values():
        with pytest.raises(RenderError, match=why):
            verify_wav(path, 0.3, 5.0)
    with pytest.raises(RenderError, match="unreadable"):
        verify_wav(tmp_path / "missing.wav", 0.3, 5.0)


def test_the_default_cache_is_sounds_cache() -> None:
    assert DEFAULT_CACHE_DIR == ROOT / "sounds" / "cache"
    assert VoiceRenderer().cache_dir == DEFAULT_CACHE_DIR
