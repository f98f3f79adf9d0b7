"""Generated Finnish that reads as written: the report's sentence builders.

Pure functions from plain values to Finnish text, pinned by golden strings in
``tests/test_sentences.py``. They know singular and plural ("1 yhdistys", "2
yhdistystä"), a single item (no "seuraavina"), ties ("yhtä usein"), and what is
counted (associations, municipalities, respondents; municipalities vs sub-regions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kartoitus.fmt import fi_integer

#: What a table counts: (singular, partitive plural) after a number.
UNITS = {
    "yhdistys": ("yhdistys", "yhdistystä"),
    "kunta": ("kunta", "kuntaa"),
    "vastaaja": ("vastaaja", "vastaajaa"),
    "vastaus": ("vastaus", "vastausta"),
}


@dataclass(frozen=True)
class Item:
    """One ranked row: its label, its value as printed and the value (for ties)."""
    label: str
    text: str
    value: float


def count_phrase(n: int, unit: str = "yhdistys") -> str:
    """``1 yhdistys``, ``2 yhdistystä``, ``1 kunta``, ``21 kuntaa``."""
    one, many = UNITS[unit]
    return f"{fi_integer(n)} {one if n == 1 else many}"


def fi_list(parts: list[str]) -> str:
    """``A``; ``A ja B``; ``A, B ja C``."""
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " ja " + parts[-1]


def label_text(label: str) -> str:
    """A row label fit for a sentence: a trailing parenthesis becomes a comma clause, so
    the value's own parenthesis does not nest (``Paikallinen (yksi kunta)`` ->
    ``Paikallinen, yksi kunta``)."""
    label = str(label).strip()
    m = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", label)
    return f"{m.group(1)}, {m.group(2)}" if m else label


def _with_value(item: Item) -> str:
    return f"{label_text(item.label)} ({item.text})"


def _groups(items: list[Item]) -> list[list[Item]]:
    """Consecutive items with equal values grouped (ties)."""
    out: list[list[Item]] = []
    for it in items:
        if out and out[-1][0].text == it.text:
            out[-1].append(it)
        else:
            out.append([it])
    return out


def _group_text(group: list[Item]) -> str:
    if len(group) == 1:
        return _with_value(group[0])
    each = "kumpikin" if len(group) == 2 else "kukin"
    return f"{fi_list([label_text(g.label) for g in group])} ({each} {group[0].text})"


def ranking_sentence(items: list[Item], *, subject: str = "vastaus", top: int = 3) -> str:
    """The most common answers, ties said as ties.

    ``subject`` picks the wording: ``vastaus`` (options), ``kunta`` (home
    municipalities), ``seutukunta`` (sub-regions), ``arvo`` (means and numbers)."""
    if not items:
        raise ValueError("no items")
    shown = items[:top]
    # a tie at the cut: keep every item of the last value, up to five
    while len(shown) < min(len(items), 5) and items[len(shown)].text == shown[-1].text:
        shown.append(items[len(shown)])
    groups = _groups(shown)
    first, rest = groups[0], groups[1:]
    lead = {
        "vastaus": ("Yleisin vastaus oli", "Yleisimmät vastaukset olivat yhtä usein"),
        "kunta": ("Yleisin kotikunta oli", "Yleisimmät kotikunnat olivat yhtä usein"),
        "seutukunta": ("Yleisin seutukunta oli", "Yleisimmät seutukunnat olivat yhtä usein"),
        "arvo": ("Suurin arvo oli", "Suurimmat arvot olivat yhtä suuret:"),
    }[subject]
    if len(first) == 1:
        text = f"{lead[0]} {_with_value(first[0])}"
    else:
        text = f"{lead[1]} {_group_text(first)}"
    if rest:
        n_rest = sum(len(g) for g in rest)
        word = "seuraavana" if n_rest == 1 else "seuraavina"
        text += f", {word} {fi_list([_group_text(g) for g in rest])}"
    return text + "."


def answered_sentence(n: int, unit: str = "yhdistys") -> str:
    """``Kysymykseen vastasi 1 yhdistys.`` / ``... 870 yhdistystä.``"""
    return f"Kysymykseen vastasi {count_phrase(n, unit)}."


def about(x: float) -> str:
    """An estimated total as a whole number: ``noin 10 063``."""
    return f"noin {fi_integer(x)}"


def respondents_sentence(n: int, municipalities: int | None = None) -> str:
    """``Kyselyyn vastasi 870 yhdistystä 22 kunnasta.`` (``1 kunnasta`` reads the same)."""
    text = f"Kyselyyn vastasi {count_phrase(n)}"
    if municipalities is not None:
        text += f" {fi_integer(municipalities)} kunnasta"
    return text + "."


def municipalities_answered_sentence(answered: int, total: int | None) -> str:
    """``Kuntakyselyyn vastasi 21 alueen 22 kunnasta.`` / ``... vastasi 1 kunta.``"""
    if total:
        return f"Kuntakyselyyn vastasi {fi_integer(answered)} alueen {fi_integer(total)} kunnasta."
    return f"Kuntakyselyyn vastasi {count_phrase(answered, 'kunta')}."
