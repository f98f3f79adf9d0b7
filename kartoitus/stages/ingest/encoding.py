"""Legacy 8-bit encodings of CSV files, decided by content.

A file that is not UTF-8 (nor UTF-16) was saved by a program in some 8-bit code
page: Excel for Windows (cp1252), Excel for Mac (Mac Roman), an old DOS tool
(cp850), a Unix tool (ISO 8859-15). The bytes of ä and ö differ between them, so
each candidate is decoded and scored by how Finnish the text looks: ä, ö and å
inside words count for it, letters that Finnish text never has (``KyyjŠrvi``,
``J‰senm‰‰r‰``), control characters and undefined bytes count against it.
``charset-normalizer`` proposes one more candidate. The best score wins when it
is clearly best; when two readings that give different text score alike, the
file is refused with the choices (:class:`UnsureEncoding`) rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata

from kartoitus.errors import KartoitusError

#: Python codec names of the candidates, with the names a user knows them by.
CANDIDATES = {
    "cp1252": "Windows-1252 (Excel Windowsissa)",
    "mac_roman": "Mac Roman (Excel Macissa)",
    "cp850": "DOS-merkistö cp850",
    "iso8859_15": "ISO 8859-15",
}
#: Finnish letters and the accented letters of Finnish names.
_FINNISH = set("äöåÄÖÅ")
_NAME_LETTERS = set("éÉüÜæÆøØ")
#: Punctuation and symbols that answers do have (money, dashes, quotes).
_COMMON = set("€–—”“’‘„…§°½¼¾´·«»×¤£©®™•¨²³µ¹¿¡¶±")
#: How much of a big file is scored: the lines that hold bytes above 127.
_SAMPLE_BYTES = 1 << 16


class UnsureEncoding(KartoitusError):
    """Two or more encodings read the file into different, equally plausible text."""

    def __init__(self, choices: list[tuple[str, str]]):
        self.choices = choices   # (codec, a sample word as that codec reads it)
        shown = "; ".join(f"{CANDIDATES.get(c, c)}: \u201d{w}\u201d" for c, w in choices)
        super().__init__(
            f"tiedoston merkistöä ei voi päätellä varmasti (vaihtoehdot: {shown}). Avaa tiedosto "
            "taulukkolaskennassa, tarkista että ääkköset näkyvät oikein, ja tallenna se "
            "CSV UTF-8 -muodossa; korvaa tämä tiedosto sillä.")


def _high_lines(data: bytes) -> bytes:
    """The lines of ``data`` that hold bytes above 127 (up to the sample size)."""
    out: list[bytes] = []
    size = 0
    for line in data.splitlines():
        if any(b > 127 for b in line):
            out.append(line)
            size += len(line)
            if size >= _SAMPLE_BYTES:
                break
    return b"\n".join(out)


def _is_letter(ch: str) -> bool:
    return ch.isalpha()


#: What separates the words of a CSV sample (whitespace, field separators, ASCII quotes).
_WORD_BREAK = re.compile(r"[\s;,|\t\"']+")


def _word_score(word: str) -> int:
    """How Finnish the non-ASCII characters of one word look."""
    score = 0
    n = len(word)
    for i, ch in enumerate(word):
        if ord(ch) < 128:
            continue
        in_word = (i > 0 and _is_letter(word[i - 1])) or (i + 1 < n and _is_letter(word[i + 1]))
        if ch in _FINNISH:
            score += 2 if in_word else 0
        elif ch in _NAME_LETTERS:
            score += 1 if in_word else 0
        elif ch in _COMMON or ch == "\u00a0":
            continue
        elif unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs"):
            score -= 4
        elif ch.isalpha():
            score -= 2
        else:
            score -= 1
    return score


def finnish_score(text: str) -> int:
    """How Finnish the non-ASCII characters of ``text`` look (higher is better).

    Each distinct word counts once: an answer repeated on many rows (a quoted
    phrase, a municipality) must not outvote the header's words, which every
    export of the survey shares.
    """
    words = dict.fromkeys(w for w in _WORD_BREAK.split(text) if any(ord(c) > 127 for c in w))
    return sum(_word_score(w) for w in words)


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def _normalizer_guess(sample: bytes) -> str | None:
    """charset-normalizer's best single-byte guess for the sample, if any."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:   # pragma: no cover - a declared dependency
        return None
    best = from_bytes(sample).best()
    if best is None:
        return None
    codec = best.encoding
    if codec.startswith(("utf", "ascii")) or codec in CANDIDATES:
        return None
    try:
        if len("é".encode(codec)) != 1:
            return None   # multi-byte code pages are not what Finnish spreadsheets save
    except (UnicodeEncodeError, LookupError):
        return None
    return codec


def _differing_word(texts: dict[str, str]) -> dict[str, str]:
    """For each codec, the first word where the readings differ."""
    first = next(iter(texts.values()))
    words = {c: t.split() for c, t in texts.items()}
    for k, word in enumerate(first.split()):
        if any(k >= len(w) or w[k] != word for w in words.values()):
            return {c: (w[k] if k < len(w) else "")[:40] for c, w in words.items()}
    return {c: t[:40] for c, t in texts.items()}


def choose_legacy_encoding(data: bytes) -> str:
    """The 8-bit encoding of ``data`` (not UTF-8), by the Finnish-letter score.

    Raises :class:`UnsureEncoding` when readings that differ score within 2 points
    of each other and neither shows Finnish letters clearly.
    """
    sample = _high_lines(data)
    if not sample:
        return "cp1252"
    candidates = [c for c in CANDIDATES if _decodes(data, c)]
    guess = _normalizer_guess(sample)
    if guess and guess not in candidates and _decodes(data, guess):
        candidates.append(guess)
    if not candidates:
        return "latin-1"   # reads any byte; the mixed-encoding check and the titles judge it
    texts = {c: sample.decode(c) for c in candidates}
    scores = {c: finnish_score(t) for c, t in texts.items()}
    ranked = sorted(candidates, key=lambda c: (-scores[c], list(CANDIDATES).index(c)
                                               if c in CANDIDATES else len(CANDIDATES)))
    best = ranked[0]
    rivals = [c for c in ranked[1:] if texts[c] != texts[best] and scores[c] >= scores[best] - 2]
    if rivals and scores[best] < 4:
        shown = _differing_word({c: texts[c] for c in [best, *rivals]})
        raise UnsureEncoding([(c, shown[c]) for c in [best, *rivals]])
    return best
