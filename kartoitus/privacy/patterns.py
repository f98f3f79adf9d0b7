"""The scanner's rules: e-mail addresses, phone numbers, identity codes, personal values.

Pure: text in, ``(kind, match)`` pairs out (:func:`find_in_text`). Nothing here
reads or writes files; :mod:`kartoitus.privacy.scan` feeds it the text of output
files.

Detection rules
---------------

``sahkoposti``
    An e-mail address ``local@domain.tld`` (letters incl. å/ä/ö, digits and
    ``._%+-`` before the ``@``; a dotted domain with a 2+ letter top level), also
    obfuscated as ``nimi(at)domain.fi``, ``nimi [at] domain.fi`` or
    ``nimi{at}domain.fi``. ``mailto:`` links are found through their address.
    A "domain" ending in a file type (``logo@2x.png``) is a file name, not an
    address.

``puhelin``
    A Finnish phone number: it starts with a national prefix, or with ``+358`` /
    ``00358`` and the prefix without its ``0`` (optionally ``(0)``). Prefixes:
    mobile ``04x`` and ``050``; area codes ``02 03 05 06 08 09 013-019``; service
    numbers ``010 020 029 030 0800``. The prefix may be in parentheses and followed
    by a space, ``-`` or ``/``; then 5-8 subscriber digits, single spaces or
    hyphens allowed between them. So ``040 123 4567``, ``0401234567``,
    ``040-1234567``, ``+358 40 1234567``, ``(040) 123 4567``, ``014-123 456``,
    ``09 1234 5678`` match.

    Amounts, counts, years, percentages, page numbers and register numbers never
    start with ``0``, so they cannot match. What keeps a *later* digit group of a
    number (``1 040 123 456``, ``12,05 123 456``) from matching: a phone number may
    not follow a letter or digit, nor a digit and ``.``, ``,``, ``-`` or ``/``, nor a
    run of one to three digits and a space (space, NBSP, narrow NBSP, thin space;
    after four or more digits it may: ``040 1234567 050 7654321`` is two numbers).
    The first two subscriber digits must be adjacent (``049 1 234`` is a code and a
    count). A match may not be followed by a letter or digit, by a separator and a
    digit other than ``0``, by ``.``/``,``/``-`` and a digit (decimals), by ``%``,
    ``€``, ``e``, ``eur`` or ``euroa``, nor end in a lone digit after a separator
    (business ids such as ``0145678-9``). Dots are not separators, so dates
    (``02.09.2019``) and register numbers (``123.456``) do not match; municipality
    codes (``077``) and postal codes (``00100``, ``40100``) are too short or have no
    valid prefix. Known limit: a municipality code that is also a mobile prefix
    (``049`` Espoo, ``050`` Eura; none in Keski-Suomi) followed by a count formatted
    like a number (``049 12 345 678``) matches.

``henkilotunnus``
    A Finnish personal identity code ``DDMMYY[-+A-FU-Y]NNNC`` whose check
    character is right (so a random code-like string does not match).

``henkilotieto``
    One of the given personal values (the answers of the personal columns, see
    :func:`personal_values_from_tables`), case-insensitively, as whole words: both
    the text and the value are cut into words (runs of letters and digits) and the
    value's words must appear consecutively. Punctuation and whitespace between
    words, line breaks included, do not matter (PDF text extraction breaks lines
    and puts line breaks inside names), and words hyphenated over a line break
    (``Virta-\\nnen``) are also checked joined. A personal value found inside an
    e-mail or phone match is not reported twice.

In HTML and SVG, text, comments and attribute values (``alt``, ``title``,
``href``, ``content``, ...) are read; coordinates (``d``, ``points``, ...) and
embedded ``data:`` URIs are not.

``allowed`` (keyword argument of :func:`find_in_text` and :func:`scan_path`)
lists addresses and numbers that may appear (the publisher's own contact
details): a hit equal to one of them, ignoring case and spaces, is not reported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

#: Kinds of finding, as written in :attr:`Finding.kind`.
KINDS = ("sahkoposti", "puhelin", "henkilotunnus", "henkilotieto")
#: Finnish name of each kind, for messages.
KIND_LABELS = {
    "sahkoposti": "sähköpostiosoite",
    "puhelin": "puhelinnumero",
    "henkilotunnus": "henkilötunnus",
    "henkilotieto": "henkilötieto vastauksista",
}
#: Personal values shorter than this are not looked for (too many false hits).
MIN_VALUE_LENGTH = 5

# -- patterns ------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+-])"
    r"[\w.%+-]*\w"
    r"(?:@|\s?[\(\[\{]\s?(?:at|ät)\s?[\)\]\}]\s?)"
    r"\w(?:[\w-]*\w)?(?:\.\w(?:[\w-]*\w)?)*\.[^\W\d_]{2,}"
    r"(?![\w-])",
    re.IGNORECASE,
)

_WS = r"[ \u00a0\u202f\u2009]"            # spaces, NBSP, narrow NBSP, thin space
_SEP = r"[ \u00a0\u202f\u2009-]"          # between subscriber digits
_PREFIX = r"(?:04\d|050|0[235689]|01[3-9]|0[123]0|029|0800)"
_PREFIX_INTL = r"(?:4\d|50|[235689]|1[3-9]|[123]0|29|800)"
_PHONE = re.compile(
    r"(?<![\w+])"                            # not inside a word or number
    r"(?<!\d[.,/-])"                         # not after 12, 12. 12- 12/
    rf"(?<!(?<!\d)\d{_WS})(?<!(?<!\d)\d\d{_WS})(?<!(?<!\d)\d\d\d{_WS})"
    #                                        ^ not a later 3-digit group of an amount
    r"(?:"
    rf"(?:\+|00)358{_SEP}?(?:\(0\){_SEP}?)?{_PREFIX_INTL}"
    rf"|\({_PREFIX}\)"
    rf"|{_PREFIX}"
    r")"
    rf"(?:{_WS}?[-/]?{_WS}?)"                 # after the prefix
    rf"\d\d(?:{_SEP}?\d){{3,6}}"            # 5-8 subscriber digits, first two together
    r"(?!\w)(?![.,/-]\d)"                    # not decimals or a check digit
    rf"(?!{_SEP}[1-9])"                       # not followed by a further digit group
    r"(?!\s?(?:%|€|e\b|eur|euro))",          # not an amount or a share
    re.IGNORECASE,
)

#: "Top-level domains" that are file types: ``logo@2x.png`` is a file name.
_FILE_TYPES = frozenset("png jpg jpeg gif svg webp css js pdf html htm xlsx csv json "
                        "woff woff2 ttf otf md txt".split())

_LAST_SINGLE = re.compile(r"(?<!\d)\d$")

_HETU = re.compile(
    r"(?<![\w-])(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])(?![\w-])"
)
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"

_WORD = re.compile(r"\w+")
# "-", the soft hyphen and the hyphens WeasyPrint draws when it hyphenates (U+2010, U+2011)
_HYPHEN_BREAK = re.compile(r"(\w)[-\u00ad\u2010\u2011]\s*\n\s*(\w)")

#: Words that on their own are no personal data: no-answer words and roles typed
#: into a contact-person field. A value made only of these is not looked for.
_NOT_PERSONAL = frozenset("""
ei en eos ole tiedä tieda tiedossa sama kuin yllä ylla edellä edella ks katso
muu null none nan puuttuu tyhjä tyhja vastaaja nimi puhelin sähköposti sahkoposti
puheenjohtaja pj varapuheenjohtaja sihteeri rahastonhoitaja taloudenhoitaja
jäsen jasen jäsenet hallitus hallituksen toiminnanjohtaja johtaja yhdistys ry
toimisto info kunta kaupunki
anonymous anonyymi nimetön nimeton
""".split())   # Microsoft Forms writes "anonymous" as the address of an anonymous answer


@dataclass(frozen=True)
class Finding:
    path: Path
    where: str   # "sivu 3", "Taulukko!B4", "rivi 12", "PNG-tekstilohko 'Description'", ...
    kind: str    # one of KINDS
    text: str    # the matching text

    def message(self, root: Path | None = None) -> str:
        """One Finnish line for the researcher."""
        name = self.path
        if root is not None:
            try:
                name = self.path.relative_to(root)
            except ValueError:
                pass
        return f"{name}, {self.where}: {KIND_LABELS.get(self.kind, self.kind)} {self.text!r}"


def norm_words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def lookable(words: Sequence[str]) -> bool:
    """Whether a value's words are worth looking for.

    Not when they are only no-answer words and roles, nor when they are only
    such words and digits with fewer than five digits in all (``ei 1``, ``1 234``).
    """
    if not words or all(w in _NOT_PERSONAL for w in words):
        return False
    if all(w in _NOT_PERSONAL or w.isdigit() for w in words):
        return sum(len(w) for w in words if w.isdigit()) >= 5
    return True


class PersonalValues:
    """Personal values prepared for fast whole-word lookup.

    Build once (it may hold many thousands of values) and pass to
    :func:`find_in_text` / :func:`scan_path` instead of the raw values.
    """

    def __init__(self, values: Iterable[str] = ()):
        # first word -> phrase length -> phrases: a lookup costs one set probe per
        # distinct length, however many values share the first word ("Matti ...")
        index: dict[str, dict[int, set[tuple[str, ...]]]] = {}
        for value in values:
            if value is None:
                continue
            value = str(value)
            if len(value.strip()) < MIN_VALUE_LENGTH:
                continue
            words = tuple(norm_words(value))
            if not lookable(words):
                continue
            index.setdefault(words[0], {}).setdefault(len(words), set()).add(words)
        self._index = {w: sorted(by_len.items(), reverse=True) for w, by_len in index.items()}

    def __len__(self) -> int:
        return sum(len(p) for by_len in self._index.values() for _, p in by_len)

    def __bool__(self) -> bool:
        return bool(self._index)

    def find(self, text: str) -> list[tuple[int, int]]:
        """Spans of ``text`` that hold a personal value (longest match first)."""
        if not self._index:
            return []
        tokens = [(m.start(), m.end(), unicodedata.normalize("NFKC", m.group()).casefold())
                  for m in _WORD.finditer(text)]
        words = [t[2] for t in tokens]
        spans = []
        i = 0
        while i < len(tokens):
            found = 0
            for n, phrases in self._index.get(words[i], ()):
                if tuple(words[i:i + n]) in phrases:
                    found = n
                    break
            if found:
                spans.append((tokens[i][0], tokens[i + found - 1][1]))
                i += found
            else:
                i += 1
        return spans


def compile_personal_values(values: Iterable[str] | PersonalValues) -> PersonalValues:
    """Prepare personal values once for many calls of :func:`find_in_text`."""
    return values if isinstance(values, PersonalValues) else PersonalValues(values)


def _hetu_ok(m: re.Match) -> bool:
    day, month, yy, _sep, serial, check = m.groups()
    number = int(day + month + yy + serial)
    return _HETU_CHECK[number % 31] == check.upper()


def _squash(text: str) -> str:
    return re.sub(r"[\s\-()]", "", text).casefold()


def find_spans(text: str, values: PersonalValues,
                allowed: frozenset[str]) -> list[tuple[int, int, str, str]]:
    hits: list[tuple[int, int, str, str]] = []
    for m in _EMAIL.finditer(text):
        if m.group().rsplit(".", 1)[-1].casefold() not in _FILE_TYPES:  # logo@2x.png
            hits.append((m.start(), m.end(), "sahkoposti", m.group()))
    for m in _PHONE.finditer(text):
        if not _LAST_SINGLE.search(m.group()):  # 0145678-9 is a business id
            hits.append((m.start(), m.end(), "puhelin", m.group()))
    for m in _HETU.finditer(text):
        if _hetu_ok(m):
            hits.append((m.start(), m.end(), "henkilotunnus", m.group()))
    if allowed:
        hits = [h for h in hits if _squash(h[3]) not in allowed]
    taken = [(s, e) for s, e, _, _ in hits]
    if values:
        found = list(values.find(text))
        if "\n" in text and ("-" in text or "\u00ad" in text):
            joined = _HYPHEN_BREAK.sub(r"\1\2", text)
            if joined != text:
                known = {text[s:e] for s, e in found}
                for s, e in values.find(joined):
                    if joined[s:e] not in known:
                        hits.append((len(text), len(text), "henkilotieto", joined[s:e]))
        for s, e in found:
            if any(ts <= s and e <= te for ts, te in taken):
                continue
            hits.append((s, e, "henkilotieto", text[s:e]))
    hits.sort(key=lambda h: (h[0], h[1]))
    return hits


def allowed_set(allowed: Iterable[str]) -> frozenset[str]:
    return frozenset(_squash(a) for a in allowed)


def find_in_text(text: str, personal_values: Iterable[str] | PersonalValues = (), *,
                 allowed: Iterable[str] = ()) -> list[tuple[str, str]]:
    """E-mail addresses, phone numbers, identity codes and personal values in ``text``.

    Returns ``(kind, match)`` pairs in the order they occur (see the module doc for
    the rules). ``personal_values`` may be a :class:`PersonalValues` built once.
    """
    if not text:
        return []
    values = compile_personal_values(personal_values)
    return [(kind, match) for _, _, kind, match in find_spans(text, values, allowed_set(allowed))]
