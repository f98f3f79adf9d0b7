"""The researcher's own text (``data/raw/<year>/raportti.md``, read by the build and
passed here as text): Markdown with figures as placeholders that every build fills
from the wave's tables.

The file's level-1 headings name where each part goes: ``# Johdanto`` (the summary
chapter), ``# Johtopäätökset`` (its own chapter before the methods), or a chapter by
its title or id (``# Yhteistyö kuntien kanssa``): the text opens that chapter.

Placeholders are Jinja expressions, one per line at most spanning that line
(``{{ osuus("paatoimiala", "liikunta") }}``), evaluated in a sandbox
(:class:`jinja2.sandbox.SandboxedEnvironment`: no attribute access to internals, no
file access, only the functions below). An unknown name, question or option stops
the build with the line number. A figure the tables hide prints as its mark
(``<5`` or ``..``), exactly as the tables print it, and is listed in ``hidden``
(the build prints the list).

Functions (``kysymys`` = question id or table id, ``vaihtoehto`` = option key or label):

- ``osuus(kysymys, vaihtoehto)``: the option's share, ``12,3 %``
- ``lukumaara(kysymys, vaihtoehto)``: the option's count, ``107``
- ``vastaajia(kysymys)``: respondents to the question (the table's n)
- ``samaa_mielta(kysymys, vaite)``: share agreeing with a statement, ``45,0 %``
- ``keskiarvo(kysymys, vaite)``: a statement's mean on the 1-5 scale, ``3,4``
- ``yhdistyksia()``: responding associations; ``kuntia_vastasi()``: municipalities
  that answered the municipality survey
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt

from kartoitus.errors import KartoitusError
from kartoitus.fmt import fi_integer, format_value
from kartoitus.outputs.report.findings import _agree_columns, _respondent_count
from kartoitus.tables import Table

INTRO, CONCLUSIONS = "johdanto", "johtopaatokset"
_SPECIAL = {"johdanto": INTRO, "johtopäätökset": CONCLUSIONS, "johtopaatokset": CONCLUSIONS,
            "yhteenveto ja johtopäätökset": CONCLUSIONS}


@dataclass
class ResearcherText:
    """Rendered HTML per part (``johdanto``, ``johtopaatokset`` or a chapter id) and the
    placeholders that printed a mark, as ``rivi N: expression -> mark``."""
    parts: dict[str, str] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)


class _Figures:
    """The placeholder functions over the wave's tables."""

    def __init__(self, tables: dict[str, Table], meta: dict):
        self.tables, self.meta = tables, meta
        self.line = 0
        self.hidden: list[str] = []

    def _table(self, question: str) -> Table:
        q = str(question)
        t = self.tables.get(q)
        if t is None:
            t = next((t for t in self.tables.values()
                      if t.source.split(",")[0] == q and "avain" in t.frame.columns), None)
        if t is None or not t.asked:
            raise KartoitusError(f"tuntematon kysymys {q!r}")
        return t

    def _row(self, t: Table, option: str):
        want = str(option).casefold()
        for col in t.label_columns:
            hits = t.frame.index[t.frame[col].astype(str).str.casefold() == want]
            if len(hits):
                return hits[0]
        raise KartoitusError(f"kysymyksellä {t.id!r} ei ole vaihtoehtoa {option!r}")

    def _value(self, t: Table, row, kind: str, call: str, col: str | None = None) -> str:
        col = col or next((c for c in t.value_columns if t.kinds[c] == kind), None)
        if col is None:
            raise KartoitusError(f"taulukossa {t.id!r} ei ole lukua {kind!r}")
        if t.is_suppressed(row, col):
            mark = t.mark(row, col)
            self.hidden.append(f"rivi {self.line}: {call} -> {mark}")
            return mark
        return format_value(t.frame.at[row, col], t.kinds[col], missing="\u2013")

    def osuus(self, question, option):
        t = self._table(question)
        return self._value(t, self._row(t, option), "percent", f"osuus({question!r}, {option!r})")

    def lukumaara(self, question, option):
        t = self._table(question)
        return self._value(t, self._row(t, option), "count", f"lukumaara({question!r}, {option!r})")

    def vastaajia(self, question):
        return fi_integer(self._table(question).n)

    def samaa_mielta(self, question, statement):
        t = self._table(question)
        row = self._row(t, statement)
        cols = _agree_columns(t)
        call = f"samaa_mielta({question!r}, {statement!r})"
        if len(cols) == 1:
            return self._value(t, row, "percent", call, cols[0])
        if any(t.is_suppressed(row, c) for c in cols):
            self.hidden.append(f"rivi {self.line}: {call} -> ..")
            return ".."
        return format_value(sum(float(t.frame.at[row, c]) for c in cols), "percent")

    def keskiarvo(self, question, statement):
        t = self._table(question)
        return self._value(t, self._row(t, statement), "mean", f"keskiarvo({question!r}, {statement!r})")

    def yhdistyksia(self):
        n = _respondent_count(self.tables, self.meta)
        return "" if n is None else fi_integer(n)

    def kuntia_vastasi(self):
        n = self.meta.get("municipalities_answered")
        return "" if n is None else fi_integer(n)


def _environment(figures: _Figures) -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
    env.globals.clear()
    env.filters.clear()
    env.tests.clear()
    for name in ("osuus", "lukumaara", "vastaajia", "samaa_mielta", "keskiarvo", "yhdistyksia",
                 "kuntia_vastasi"):
        env.globals[name] = getattr(figures, name)
    return env


def fill(source: str, tables: dict[str, Table], meta: dict, name: str = "raportti.md") -> tuple[str, list[str]]:
    """The Markdown with every placeholder filled, line by line, and the hidden figures."""
    figures = _Figures(tables, meta)
    env = _environment(figures)
    out = []
    for number, line in enumerate(source.splitlines(), start=1):
        if "{{" not in line and "{%" not in line and "{#" not in line:
            out.append(line)
            continue
        figures.line = number
        try:
            out.append(env.from_string(line).render())
        except jinja2.UndefinedError as exc:
            raise KartoitusError(f"{name}, rivi {number}: tuntematon nimi ({exc.message}); "
                                 "käytettävissä: osuus, lukumaara, vastaajia, samaa_mielta, "
                                 "keskiarvo, yhdistyksia, kuntia_vastasi") from None
        except jinja2.TemplateSyntaxError as exc:
            raise KartoitusError(f"{name}, rivi {number}: virheellinen paikkamerkki ({exc.message}); "
                                 "kirjoita luku muodossa {{ osuus(\"kysymys\", \"vaihtoehto\") }}") from None
        except jinja2.exceptions.SecurityError as exc:
            raise KartoitusError(f"{name}, rivi {number}: kielletty lauseke ({exc})") from None
        except KartoitusError as exc:
            raise KartoitusError(f"{name}, rivi {number}: {exc}") from None
        except (TypeError, ValueError) as exc:
            raise KartoitusError(f"{name}, rivi {number}: virheellinen paikkamerkki ({exc})") from None
    return "\n".join(out), figures.hidden


def _part_key(heading: str, chapters: dict[str, str]) -> str | None:
    h = heading.strip().casefold()
    if h in _SPECIAL:
        return _SPECIAL[h]
    for cid, title in chapters.items():
        if h in (cid.casefold(), title.casefold()):
            return cid
    return None


def researcher_text(source: str | None, tables: dict[str, Table], meta: dict,
                    chapters: dict[str, str], name: str = "raportti.md") -> ResearcherText:
    """Split the filled Markdown by its level-1 headings into parts and render each to
    HTML (raw HTML in the file is shown as text, never run). ``chapters``: id -> title."""
    if not source or not source.strip():
        return ResearcherText()
    filled, hidden = fill(source, tables, meta, name)
    parts: dict[str, list[str]] = {}
    key = INTRO
    heading_line = {}
    for number, line in enumerate(filled.splitlines(), start=1):
        if line.startswith("# "):
            key = _part_key(line[2:], chapters)
            if key is None:
                known = ", ".join(["Johdanto", "Johtopäätökset", *chapters.values()])
                raise KartoitusError(f"{name}, rivi {number}: tuntematon luku {line[2:].strip()!r}; "
                                     f"luvut: {known}")
            heading_line[key] = number
            continue
        parts.setdefault(key, []).append(line)
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    rendered = {}
    for key, lines in parts.items():
        text = "\n".join(lines).strip()
        if text:
            # headings inside a part are one level below the chapter's
            html = md.render(text)
            for level in (4, 3, 2):
                html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(f"</h{level}>", f"</h{level + 1}>")
            rendered[key] = html
    return ResearcherText(rendered, hidden)
