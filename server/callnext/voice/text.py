"""What an announcement says: the spoken texts per language and the input fed to espeak-ng.

Chinese is shown as 请A零零一号到三号窗口办理 (the ticket's digits one by one, the window as a
number) and fed to espeak-ng as tone-numbered pinyin for its `cmn-latn-pinyin` voice: the plain
`cmn` voice reads tone numbers (and its own dictionary's) aloud in English.
"""

from __future__ import annotations

import re
from typing import Any

LANGS = ("zh", "en")
# The first that exists wins; then any voice whose languages match.
PREFERRED = {"zh": ("cmn-latn-pinyin",), "en": ("en-us", "en", "en-gb")}
FALLBACK_LANGS = {"zh": ("cmn-latn-pinyin", "cmn", "zh"), "en": ("en-us", "en-gb", "en")}

DIGITS_ZH = "零一二三四五六七八九"

# Exactly the characters an announcement needs, with their tone-numbered pinyin.
HANZI_PINYIN = {
    "请": "qing3",
    "号": "hao4",
    "到": "dao4",
    "窗": "chuang1",
    "口": "kou3",
    "办": "ban4",
    "理": "li3",
    "零": "ling2",
    "一": "yi1",
    "二": "er4",
    "三": "san1",
    "四": "si4",
    "五": "wu3",
    "六": "liu4",
    "七": "qi1",
    "八": "ba1",
    "九": "jiu3",
    "十": "shi2",
    "百": "bai3",
    "千": "qian1",
}

# Latin letters as Chinese speakers name them (A 诶, B 必, … W 达不溜, Z 贼), in pinyin.
LETTER_PINYIN = {
    "A": "ei1",
    "B": "bi4",
    "C": "xi1",
    "D": "di4",
    "E": "yi4",
    "F": "ai4 fu1",
    "G": "ji4",
    "H": "ai4 qi1",
    "I": "ai4",
    "J": "jie4",
    "K": "kai4",
    "L": "ai4 le1",
    "M": "ai4 mu3",
    "N": "en1",
    "O": "ou1",
    "P": "pi1",
    "Q": "qiu1",
    "R": "a4 er3",
    "S": "ai4 si1",
    "T": "ti4",
    "U": "you1",
    "V": "wei1",
    "W": "da2 bu4 liu2",
    "X": "ai4 ke4 si1",
    "Y": "wai4",
    "Z": "zei4",
}

_NUMBER_RE = re.compile(r"^([A-Z]{0,3})(\d+)$")


def split_number(number: str) -> tuple[str, str]:
    """ "A001" → ("A", "001"); ValueError when it is not a ticket number."""
    match = _NUMBER_RE.match(number.strip().upper())
    if not match:
        raise ValueError(f"not a ticket number: {number!r}")
    return match.group(1), match.group(2)


def chinese_cardinal(n: int) -> str:
    """A number as it is said: 3 → 三, 12 → 十二, 20 → 二十, 105 → 一百零五 (0…9999)."""
    if not 0 <= n <= 9999:
        raise ValueError(f"window number out of range: {n}")
    if n < 10:
        return DIGITS_ZH[n]
    if n < 20:
        return "十" + (DIGITS_ZH[n % 10] if n % 10 else "")
    said, gap = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            said += ("零" if gap else "") + DIGITS_ZH[digit] + unit
            gap = False
        elif said:
            gap = True
    return said


def window_number(window: int) -> int:
    if isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= 9999:
        raise ValueError(f"not a window number: {window!r}")
    return window


def announcement_texts(number: str, window: int) -> dict[str, str]:
    """The spoken text per language: {"zh": "请A零零一号到三号窗口办理", "en": "Ticket A …"}."""
    letters, digits = split_number(number)
    window = window_number(window)
    zh_ticket = letters + "".join(DIGITS_ZH[int(d)] for d in digits)
    en_ticket = " ".join([*letters, *digits])
    return {
        "zh": f"请{zh_ticket}号到{chinese_cardinal(window)}号窗口办理",
        "en": f"Ticket {en_ticket}, please go to window {window}",
    }


def to_pinyin(text: str) -> str:
    """A Chinese announcement as tone-numbered pinyin, one syllable per word, letters named."""
    words: list[str] = []
    for char in text:
        if char in HANZI_PINYIN:
            words.append(HANZI_PINYIN[char])
        elif char.upper() in LETTER_PINYIN:
            words.append(LETTER_PINYIN[char.upper()])
        elif char in "，,。.":
            if words:
                words[-1] += ","
        elif not char.isspace():
            raise ValueError(f"no pinyin for {char!r}")
    return " ".join(words)


def speech_text(number: str, window: int, lang: str) -> str:
    """The exact text espeak-ng is given for `lang` (pinyin for zh)."""
    if lang == "zh":
        return to_pinyin(announcement_texts(number, window)["zh"])
    if lang == "en":
        letters, digits = split_number(number)
        window = window_number(window)
        # "A-0 0 1": espeak names the letter ("ay", not the article "a") and pauses after it.
        ticket = f"{letters}-{' '.join(digits)}" if letters else " ".join(digits)
        return f"Ticket {ticket}, please go to window {window}."
    raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")


def choose_voice(voices: list[dict[str, Any]], lang: str, wanted: str | None = None) -> str | None:
    """The id of the voice for `lang`: `wanted` exactly (id, id's last part, or name), else the
    preferred voices, else one whose languages include the language (None when there is none)."""

    def find(name: str) -> str | None:
        name = name.lower()
        for v in voices:
            vid = str(v["id"]).lower()
            if name in (vid, vid.rsplit("/", 1)[-1], str(v["name"]).lower()):
                return str(v["id"])
        return None

    if wanted is not None:
        return find(wanted)
    for name in PREFERRED.get(lang, ()):
        if found := find(name):
            return found
    for code in FALLBACK_LANGS.get(lang, (lang,)):
        for v in voices:
            if any(str(x).lower() == code for x in v.get("languages", [])):
                return str(v["id"])
    return None
