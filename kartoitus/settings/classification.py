"""Classification settings: ``luokittelu.yaml`` read and checked into frozen objects.

The data stage's ``classify`` applies these; this module only parses the file
(rules in order, the sote group, size classes, reach keys). The questions the
rules read are named by their roles in ``sarakkeet.yaml`` (``settings.names``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kartoitus.errors import ConfigError
from kartoitus.settings.files import read_yaml

RULES_FILE = "luokittelu.yaml"
#: ``tyyppi`` of the rule that takes the single ticked sector of ``toimialat``.
SINGLE_SECTOR = "toimialat_yksi"
#: Fields a rule can read.
FIELDS = ("nimi", "muu", "toimialat_muu")

_FOLD = {"ä": "äa", "ö": "öo", "å": "åa", "Ä": "ÄA", "Ö": "ÖO", "Å": "ÅA"}


@dataclass(frozen=True)
class Rule:
    id: str
    sector: str                      # paatoimiala key the rule gives
    pattern: re.Pattern | None       # None for the single-sector rule
    fields: tuple[str, ...] = FIELDS
    kind: str = "kuvio"              # "kuvio" | "toimialat_yksi"
    source: str = ""                 # the pattern as written in the yaml


@dataclass(frozen=True)
class SizeClass:
    key: str
    label: str
    low: float
    high: float | None


@dataclass(frozen=True)
class Classification:
    rules: tuple[Rule, ...]
    sote: tuple[str, ...]
    size_classes: tuple[SizeClass, ...]
    reach: dict = field(default_factory=dict)
    path: Path | None = None


def fold_pattern(pattern: str) -> str:
    """A regex where ä/ö/å also match a/o/a (also inside character classes)."""
    out = []
    in_class = False
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            out.append(ch)
            escaped = True
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            continue
        if ch == "]" and in_class:
            in_class = False
            out.append(ch)
            continue
        if ch in _FOLD:
            out.append(_FOLD[ch] if in_class else f"[{_FOLD[ch]}]")
        else:
            out.append(ch)
    return "".join(out)


def _top_level_alternatives(pattern: str) -> list[str]:
    """Split a regex at its top-level ``|`` (not inside groups, classes or escapes)."""
    parts, depth, in_class, escaped, start = [], 0, False, False, 0
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def anchor_word_starts(pattern: str) -> str:
    """Anchor alternatives that begin with ``\\w*`` at the start of a word.

    ``\\w*eläke\\w*`` tried at every position of a long text backtracks over the
    rest of the word each time (quadratic in the text's length: a 2 000-character
    name took seconds). The leftmost match of such an alternative always begins at
    the start of a word, so ``(?<!\\w)`` in front finds the same match in linear time.
    """
    return "|".join(("(?<!\\w)" + alt) if alt.startswith("\\w*") else alt
                    for alt in _top_level_alternatives(pattern))


def load_classification(path: Path) -> Classification:
    """Everything in ``luokittelu.yaml``: rules, sote sectors, size classes, reach keys."""
    p = Path(path)
    raw = read_yaml(p, "odotettiin luokittelusääntöjä (säännöt, sote, kokoluokat)")
    rules = []
    seen = set()
    for i, r in enumerate(raw.get("saannot") or [], start=1):
        rid = str(r.get("id") or "").strip()
        if not rid:
            raise ConfigError(f"{p.name}: säännöltä {i} puuttuu id")
        if rid in seen:
            raise ConfigError(f"{p.name}: säännön id {rid!r} on kahdesti")
        seen.add(rid)
        kind = str(r.get("tyyppi") or "kuvio")
        if kind == SINGLE_SECTOR:
            rules.append(Rule(id=rid, sector="", pattern=None, fields=(), kind=kind))
            continue
        if kind != "kuvio":
            raise ConfigError(f"{p.name}: säännön {rid} tyyppi {kind!r} on tuntematon (kuvio tai {SINGLE_SECTOR})")
        sector = str(r.get("toimiala") or "").strip()
        source = str(r.get("kuvio") or "")
        if not sector or not source:
            raise ConfigError(f"{p.name}: säännöltä {rid} puuttuu toimiala tai kuvio")
        fields = tuple(r.get("kentat") or FIELDS)
        bad = [f for f in fields if f not in FIELDS]
        if bad:
            raise ConfigError(f"{p.name}: säännön {rid} kentät {bad} ovat tuntemattomia; käytä {', '.join(FIELDS)}")
        try:
            pattern = re.compile(f"({fold_pattern(anchor_word_starts(source))})", re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"{p.name}: säännön {rid} kuvio ei ole kelvollinen säännöllinen lauseke: {exc}") from None
        rules.append(Rule(id=rid, sector=sector, pattern=pattern, fields=fields, kind=kind, source=source))
    classes = []
    for c in raw.get("kokoluokat") or []:
        high = c.get("ylaraja")
        classes.append(SizeClass(key=str(c["key"]), label=str(c.get("nimi", c["key"])), low=float(c.get("alaraja") or 0),
                                 high=None if high is None else float(high)))
    reach = {k: str(v) for k, v in (raw.get("ulottuvuus") or {}).items()}
    return Classification(rules=tuple(rules), sote=tuple(raw.get("sote") or ()), size_classes=tuple(classes),
                          reach=reach, path=p)
