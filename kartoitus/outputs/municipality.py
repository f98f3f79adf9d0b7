"""Municipality PDFs: one 2-4 page profile per municipality of the wave.

``reports/<year>/kunnat/<kuntanumero>-<nimi>.pdf`` (``179-jyvaskyla.pdf``): the
kuntatutka radar against the region median and the "järjestöpositiivinen kunta"
checklist as the headline, then the municipality's associations (by main sector,
by reach, members and volunteers), the two views of cooperation side by side and
the change since the previous wave.

Privacy: only counts, sums, medians and shares are printed, never an
association's name or free text; every cell describing fewer than ``threshold``
associations is hidden (``<5``) by :mod:`kartoitus.publication.suppression`, with secondary
suppression where a hidden cell could be recovered from a published total. The
municipality's number of respondents and its counts by sector and by reach are
hidden exactly where :func:`kartoitus.publication.disclosure.home_hidden` hides them (one
suppression over the wave, shared with the main report, the workshop packs and
the sector infographics), the member and volunteer totals over all
municipalities at once (:func:`people_mask`), and the two views of cooperation
hide what the report's ``yhteistyo_kunta`` hides; so that combining the figures
of several outputs recovers nothing. A
municipality that did not answer the municipality survey is shown as such
("Kunta ei vastannut kuntakyselyyn"), never with zeros.

Layering: ``build_municipality_model`` is pure (tables in, plain dict out, chart
PNGs as data URIs); ``municipality_jobs`` cuts one small picklable payload per
municipality; ``render_job`` (run in a worker of :mod:`kartoitus.build.jobs`) renders
and writes one PDF atomically. The section builders here (``sector_table`` ...)
are shared with the workshop pack (:mod:`kartoitus.outputs.workshop`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from kartoitus.settings import default_settings
from kartoitus.publication import disclosure
from kartoitus.publication import kuntatutka as kt
from kartoitus.publication import suppression as sup
from kartoitus.settings.codebook import Codebook, Municipality, default_codebook
from kartoitus.errors import KartoitusError
from kartoitus.fmt import fi_integer, fi_number, fi_percent, format_cell
from kartoitus.tables import SUPPRESSED_MARK, Table

#: Sub-folder of ``reports/<year>/`` for the municipality PDFs.
SUBFOLDER = "kunnat"
TEMPLATE = "municipality.html"
REGION = "Keski-Suomi"
TITLE = "{name} \u2013 Keski-Suomen järjestökartoitus {year}"

#: Association-survey question ids this output reads (grid rows come from the YAML pairs).
SECTOR_Q = "paatoimiala"
REACH_COLUMN = "ulottuvuus"     # derived: the toiminta_alue key (or from toimintakunnat)
REACH_Q = "toiminta_alue"
PEOPLE_QS = ("jasenmaara", "vapaaehtoiset", "palkatut_htv")
PEOPLE_LABELS = {"jasenmaara": "Jäsenet", "vapaaehtoiset": "Aktiiviset vapaaehtoiset",
                 "palkatut_htv": "Palkattu henkilöstö (htv)"}
OTHER_SECTOR = "muu"
OUTSIDE = "ulkopuolella"
OTHER_SECTOR_LABEL = "Muu toimiala"
UNKNOWN = default_settings().names.no_answer  # TRANSITION: settings passed in
UNKNOWN_LABEL = "Ei tiedossa"

NOT_ANSWERED_TEXT = "Kunta ei vastannut kuntakyselyyn"
NO_PREVIOUS_TEXT = "Edellistä aaltoa ei ole tietopankissa."
CHECK_SYMBOLS = {kt.MET: "\u2713", kt.NOT_MET: "\u2717", kt.NO_INFO: "?", kt.NOT_ANSWERED: "\u2013"}
CHECK_CLASSES = {kt.MET: "met", kt.NOT_MET: "not-met", kt.NO_INFO: "no-info",
                 kt.NOT_ANSWERED: "not-answered"}
SAYS_CLASSES = {kt.SAYS_YES: "says-yes", kt.SAYS_PARTLY: "says-partly", kt.SAYS_NO: "says-no",
                kt.NO_INFO: "says-none", kt.NOT_ANSWERED: "says-none"}


# -- names and paths --------------------------------------------------------------

_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "Ä": "a", "Ö": "o", "Å": "a"})


def slugify(text: str) -> str:
    """``Jyväskylä`` -> ``jyvaskyla``; ascii lowercase words joined with ``-``."""
    folded = unicodedata.normalize("NFKD", str(text).translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug or "nimeton"


def output_path(out_dir: Path | str, code: str, name: str) -> Path:
    """``<out_dir>/kunnat/<code>-<slug>.pdf``; ``out_dir`` is the wave's reports folder
    (``reports/<year>``)."""
    code = str(code).strip()
    if not re.fullmatch(r"\d{3}", code):
        raise KartoitusError(f"kuntanumero {code!r} ei ole kolminumeroinen (esim. 077)")
    return Path(out_dir) / SUBFOLDER / f"{code}-{slugify(name)}.pdf"


def municipality_of(code: str, year: int, codebook: Codebook | None = None) -> Municipality:
    cb = codebook or default_codebook()
    for m in cb.municipalities.for_year(year):
        if m.code == code:
            return m
    valid = ", ".join(f"{m.code} {m.name}" for m in cb.municipalities.for_year(year))
    raise KartoitusError(f"kunta {code!r} ei kuulu vuoden {year} Keski-Suomen kuntiin ({valid})")


# -- small model pieces -----------------------------------------------------------

def cell(text: Any, *, numeric: bool = False, suppressed: bool = False, header: bool = False,
         cls: str = "") -> dict:
    return {"text": "" if text is None else str(text), "numeric": numeric,
            "suppressed": suppressed, "header": header, "cls": cls}


def table_model(id: str, caption: str, headers: list[tuple[str, bool]], rows: list[list[dict]],
                note: str = "", size: str = "") -> dict:
    """The table shape of ``macros.html``'s ``table`` macro."""
    return {"id": id, "caption": caption, "note": note, "size": size,
            "headers": [{"text": h, "numeric": num} for h, num in headers], "rows": rows}


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def _codes(series: pd.Series) -> pd.Series:
    return kt.normalize_codes(series)


def home_column(codebook: Codebook | None = None) -> str:
    return (codebook or default_codebook()).home_column


def activity_prefix(codebook: Codebook | None = None) -> str | None:
    """``toimintakunnat__``: the prefix of the "where do you operate" 0/1 columns."""
    cb = codebook or default_codebook()
    for q in cb.association.of_type("multi"):
        if q.options_from == "municipalities":
            return q.id + "__"
    return None


def own_associations(assoc: pd.DataFrame, code: str, codebook: Codebook | None = None) -> pd.DataFrame:
    """The associations whose home municipality (kotikunta) is ``code``."""
    home = home_column(codebook)
    if home not in assoc.columns:
        raise KartoitusError(f"association survey data has no {home!r} column; pass the processed "
                             "jarjestokysely data")
    return assoc.loc[(_codes(assoc[home]) == code).to_numpy()]


def _suppressed(table: Table, threshold: int, plan: sup.SuppressionPlan) -> Table:
    return sup.apply(table, plan, threshold)


def distribution_table(values: pd.Series, labels: dict[str, str], id: str, title: str,
                       threshold: int, source: str, *, keep_zero: bool = False,
                       count_header: str = "Yhdistyksiä", hidden: Iterable[str] | None = None,
                       n_hidden: bool = False) -> Table:
    """Counts and shares of ``values`` (option keys) with primary and secondary
    suppression: the rows add up to the published n, so a lone hidden row hides
    the next smallest one too. Rows are ``labels`` order (+ ``Ei tiedossa``); zero
    rows are left out unless ``keep_zero``.

    ``hidden``: the rows a wider suppression hides (the counts then follow it
    alone, so every output printing them hides the same cells); ``n_hidden``: the
    base n is hidden there too, so every share is hidden (a share next to its
    count would give the n away)."""
    keys = values.astype(object).where(values.notna(), UNKNOWN)
    counts = keys.value_counts(sort=False)
    forced = set(hidden or ())
    # a row hidden by a wider suppression is shown as "<5" even when it is 0 here
    order = [k for k in labels if k in counts.index or keep_zero or k in forced]
    order += [k for k in counts.index if k not in labels and k != UNKNOWN]
    if UNKNOWN in counts.index or UNKNOWN in forced:
        order.append(UNKNOWN)
    n = int(len(values))
    count = counts.reindex(order).fillna(0).astype("int64")
    frame = pd.DataFrame({
        "avain": order,
        "luokka": [labels.get(k, UNKNOWN_LABEL if k == UNKNOWN else str(k)) for k in order],
        "yhdistyksia": count.to_numpy().astype("float64"),
        "osuus": (count.to_numpy() / n * 100) if n else np.full(len(order), np.nan),
    }, index=pd.Index(order, name="avain"))
    table = Table(id=id, title=title, frame=frame, n=n,
                  columns={"luokka": "Luokka", "yhdistyksia": count_header, "osuus": "Osuus (%)"},
                  kinds={"yhdistyksia": "count", "osuus": "percent"}, source=source)
    plan = sup.SuppressionPlan(
        values=frame[["yhdistyksia"]], counts=("yhdistyksia",), reveals={"osuus": ("yhdistyksia",)},
        equations=(() if hidden is not None else tuple(sup.column_equations(order, None, ["yhdistyksia"]))),
        hidden=tuple((k, "yhdistyksia") for k in order if k in forced),
    )
    out = _suppressed(table, threshold, plan)
    if n_hidden:
        out = force_hidden(out, set(order), ("osuus",))
    if not keep_zero:
        visible_zero = (frame["yhdistyksia"] == 0) & ~out.mask()["yhdistyksia"]
        keep = ~visible_zero.to_numpy()
        out = out.with_(frame=out.frame.loc[keep], suppressed=out.mask().loc[keep])
    return out


def force_hidden(table: Table, keys: set, columns: tuple[str, ...]) -> Table:
    """``table`` with the cells of rows ``keys`` in ``columns`` hidden and blanked too."""
    rows = table.frame.index.isin(list(keys))
    if not rows.any():
        return table
    mask = table.mask().copy()
    frame = table.frame.copy()
    for c in columns:
        mask[c] = mask[c].to_numpy() | rows
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64").where(~mask[c], np.nan)
    return table.with_(frame=frame, suppressed=mask)


def column_keys(assoc: pd.DataFrame, column: str) -> pd.Series:
    """Key per association in ``column`` (``Ei tiedossa`` for a missing one), as
    :func:`kartoitus.publication.disclosure.grid_keys` counts them."""
    return disclosure.grid_keys(assoc, column, default_settings())


def _grid_mask(hidden: frozenset[str], grid: str, year: int, codebook: Codebook | None = None) -> pd.DataFrame:
    """The ``grid`` (``HS`` or ``HR``) cells of :func:`kartoitus.publication.disclosure.home_hidden`
    as a frame: index keys, columns municipality codes of ``year`` (+ ``ulkopuolella``
    and ``_tuntematon``); True = hide."""
    cb = codebook or default_codebook()
    columns = [m.code for m in cb.municipalities.for_year(year)] + [OUTSIDE, default_settings().names.unknown_home]
    cells = [c[len(grid) + 1:].split("|", 1) for c in hidden if c.startswith(grid + "|")]
    keys = sorted({k for _, k in cells})
    mask = pd.DataFrame(False, index=pd.Index(keys, dtype=object), columns=columns)
    for h, k in cells:
        if h in mask.columns:
            mask.at[k, h] = True
    return mask


def home_hidden(assoc: pd.DataFrame, year: int, threshold: int = sup.DEFAULT_THRESHOLD,
                codebook: Codebook | None = None) -> frozenset[str]:
    """:func:`kartoitus.publication.disclosure.home_hidden` (``assoc``: the whole wave)."""
    return disclosure.home_hidden(assoc, year, threshold, default_settings())


def count_hidden(hidden: frozenset[str], code: str) -> bool:
    """Does every output hide municipality ``code``'s number of respondents?"""
    return f"K|{code}" in hidden


def sector_keys(assoc: pd.DataFrame) -> pd.Series:
    return column_keys(assoc, SECTOR_Q)


def sector_mask(assoc: pd.DataFrame, year: int, threshold: int = sup.DEFAULT_THRESHOLD,
                codebook: Codebook | None = None, *, hidden: frozenset[str] | None = None) -> pd.DataFrame:
    """Which (main sector, home municipality) counts every output hides: index
    sector keys, columns municipality codes; True = hide. ``hidden``:
    :func:`home_hidden` when already computed (else computed from ``assoc``, the
    whole wave)."""
    if hidden is None:
        hidden = home_hidden(assoc, year, threshold, codebook)
    return _grid_mask(hidden, "HS", year, codebook)


def reach_mask(assoc: pd.DataFrame, year: int, threshold: int = sup.DEFAULT_THRESHOLD,
               codebook: Codebook | None = None, *, hidden: frozenset[str] | None = None) -> pd.DataFrame:
    """As :func:`sector_mask`, for the reach (ulottuvuus)."""
    if hidden is None:
        hidden = home_hidden(assoc, year, threshold, codebook)
    return _grid_mask(hidden, "HR", year, codebook)


def sector_labels(codebook: Codebook | None = None) -> dict[str, str]:
    cb = codebook or default_codebook()
    labels = {o.key: o.label for o in cb.association.question(SECTOR_Q).options}
    labels[OTHER_SECTOR] = OTHER_SECTOR_LABEL
    return labels


def sector_table(own: pd.DataFrame, threshold: int, codebook: Codebook | None = None,
                 id: str = "kunta_toimialat", *, hidden: Iterable[str] | None = None,
                 keep_zero: bool = False, n_hidden: bool = False) -> Table:
    """The municipality's associations by main sector (counts, shares, ``<5``);
    ``hidden``: the municipality's column of :func:`sector_mask`; ``n_hidden``:
    :func:`count_hidden` (every share hidden)."""
    values = column_keys(own, SECTOR_Q)
    return distribution_table(values.where(values != UNKNOWN), sector_labels(codebook), id,
                              "Yhdistykset päätoimialoittain", threshold, SECTOR_Q, hidden=hidden,
                              keep_zero=keep_zero, n_hidden=n_hidden)


def hidden_sectors(mask: pd.DataFrame, code: str) -> list[str]:
    """The keys a :func:`home_grid_mask` hides for municipality ``code``."""
    if code not in mask.columns:
        return []
    return [str(k) for k in mask.index[mask[code].to_numpy(dtype=bool)]]


def reach_table(own: pd.DataFrame, threshold: int, codebook: Codebook | None = None, *,
                hidden: Iterable[str] | None = None, n_hidden: bool = False) -> Table:
    """The municipality's associations by reach (ulottuvuus); ``hidden``: the
    municipality's column of :func:`reach_mask`; ``n_hidden`` as in :func:`sector_table`."""
    cb = codebook or default_codebook()
    labels = {o.key: o.label for o in cb.association.question(REACH_Q).options}
    values = column_keys(own, REACH_COLUMN)
    return distribution_table(values.where(values != UNKNOWN), labels, "kunta_ulottuvuus",
                              "Yhdistysten toiminta-alue", threshold, REACH_COLUMN, keep_zero=True,
                              hidden=hidden, n_hidden=n_hidden)


def activity_table(assoc: pd.DataFrame, code: str, threshold: int,
                   codebook: Codebook | None = None) -> Table | None:
    """Associations that say they operate in the municipality: home here / elsewhere /
    total (the parts add up to the total, so a lone hidden part hides the other)."""
    prefix = activity_prefix(codebook)
    col = f"{prefix}{code}" if prefix else None
    if col is None or col not in assoc.columns:
        return None
    active = (_num(assoc[col]) == 1).to_numpy()
    home_here = (_codes(assoc[home_column(codebook)]) == code).to_numpy()
    here = int((active & home_here).sum())
    elsewhere = int((active & ~home_here).sum())
    rows = ["kotipaikka_kunnassa", "kotipaikka_muualla", "yhteensa"]
    frame = pd.DataFrame({"kuvaus": ["Kotipaikka kunnassa", "Kotipaikka muualla", "Yhteensä"],
                          "yhdistyksia": [float(here), float(elsewhere), float(here + elsewhere)]},
                         index=pd.Index(rows, name="rivi"))
    table = Table(id="kunta_toiminta", title="Kunnassa toimivat vastanneet yhdistykset", frame=frame,
                  n=here + elsewhere, columns={"kuvaus": "", "yhdistyksia": "Yhdistyksiä"},
                  kinds={"yhdistyksia": "count"}, source=col)
    plan = sup.SuppressionPlan(
        values=frame[["yhdistyksia"]], counts=("yhdistyksia",),
        equations=(sup.Equation((("kotipaikka_kunnassa", "yhdistyksia"), ("kotipaikka_muualla", "yhdistyksia")),
                                ("yhteensa", "yhdistyksia")),),
    )
    return _suppressed(table, threshold, plan)


def people_mask(assoc: pd.DataFrame, year: int, threshold: int = sup.DEFAULT_THRESHOLD,
                codebook: Codebook | None = None) -> pd.DataFrame:
    """Which respondent counts (``vastanneita``) and totals (``yhteensa``) of the
    people table to hide per municipality, solved over all municipalities at once.

    A total computed from fewer than ``threshold`` associations is hidden; the
    municipalities' totals (and respondent counts) add up to the region's, which
    the main report publishes, so a lone hidden one hides the next smallest too.
    Index: municipality codes (+ ``ulkopuolella``); columns ``<question>|vastanneita``
    and ``<question>|yhteensa``; True = hide.
    """
    cb = codebook or default_codebook()
    codes = [m.code for m in cb.municipalities.for_year(year)]
    rows = codes + ["ulkopuolella"]
    home = _codes(assoc[home_column(cb)])
    home = home.where(home.isin(codes), "ulkopuolella").where(home.notna()).to_numpy()
    values, counts, bases, eqs = {}, [], {}, []
    for q in [q for q in PEOPLE_QS if q in assoc.columns]:
        v = _num(assoc[q])
        n = v.notna().groupby(home).sum().reindex(rows, fill_value=0).astype("float64")
        total = v.groupby(home).sum(min_count=1).reindex(rows).astype("float64").fillna(0.0)
        values[f"{q}|vastanneita"], values[f"{q}|yhteensa"] = n.to_numpy(), total.to_numpy()
        counts.append(f"{q}|vastanneita")
        bases[f"{q}|yhteensa"] = f"{q}|vastanneita"
        eqs += sup.column_equations(rows, None, [f"{q}|vastanneita", f"{q}|yhteensa"])
    frame = pd.DataFrame(values, index=pd.Index(rows, dtype=object))
    if frame.empty:
        return frame.astype(bool)
    plan = sup.SuppressionPlan(values=frame, counts=tuple(counts), bases=bases, equations=tuple(eqs))
    return sup.values_mask(plan, threshold)


def hidden_people(mask: pd.DataFrame, code: str) -> list[str]:
    """``<question>|<column>`` cells :func:`people_mask` hides for ``code``."""
    if code not in mask.index:
        return []
    row = mask.loc[code]
    return [str(c) for c in row.index[row.to_numpy(dtype=bool)]]


def people_table(own: pd.DataFrame, threshold: int, codebook: Codebook | None = None, *,
                 hidden: Iterable[str] | None = None) -> Table:
    """Members, volunteers and paid staff: respondents, total and median; hidden
    when fewer than ``threshold`` associations answered the question. ``hidden``:
    the municipality's cells of :func:`people_mask` (``<question>|<column>``)."""
    qids = [q for q in PEOPLE_QS if q in own.columns]  # a question not asked has no column
    rows, ns, sums, meds = [], [], [], []
    for q in qids:
        v = _num(own[q]) if q in own.columns else pd.Series(dtype="float64")
        v = v.dropna()
        rows.append(q)
        ns.append(float(len(v)))
        sums.append(float(v.sum()) if len(v) else np.nan)
        meds.append(float(v.median()) if len(v) else np.nan)
    frame = pd.DataFrame({"kysymys": [PEOPLE_LABELS.get(q, q) for q in rows], "vastanneita": ns,
                          "yhteensa": sums, "mediaani": meds}, index=pd.Index(rows, name="kysymys_id"))
    table = Table(id="kunta_henkilot", title="Jäsenet, vapaaehtoiset ja palkattu henkilöstö", frame=frame,
                  n=int(len(own)),
                  columns={"kysymys": "", "vastanneita": "Vastanneita yhdistyksiä",
                           "yhteensa": "Yhteensä", "mediaani": "Mediaani yhdistystä kohden"},
                  kinds={"vastanneita": "count", "yhteensa": "number", "mediaani": "number"},
                  source=",".join(rows))
    plan = sup.SuppressionPlan(values=frame[["vastanneita"]], counts=("vastanneita",),
                               bases={"yhteensa": "vastanneita", "mediaani": "vastanneita"})
    out = _suppressed(table, threshold, plan)
    for cell_id in hidden or ():
        q, _, col = str(cell_id).partition("|")
        if q in out.frame.index and col in out.frame.columns:
            out = force_hidden(out, {q}, (col,))
    return out


def n_text(n: int, threshold: int = sup.DEFAULT_THRESHOLD, hidden: bool = False) -> str:
    """``n = 178``; a base under the threshold, or one the shared suppression hides
    (``hidden``), is shown as ``n = <5``."""
    return f"n = {SUPPRESSED_MARK}" if hidden or 0 < n < threshold else f"n = {fi_integer(n)}"


def table_to_model(table: Table, *, label: str | None = None, size: str = "",
                   bars: str | None = None, caption: str | None = None, note: str | None = None,
                   threshold: int = sup.DEFAULT_THRESHOLD, n_hidden: bool = False) -> dict:
    """A suppressed ``Table`` as the template's table model (``<5`` for hidden cells).

    ``bars``: a count column drawn as an inline bar next to its number (the width is
    relative to the largest visible value); hidden cells get no bar.
    """
    labels = [c for c in table.label_columns if c != "avain"]
    label_col = label or labels[-1]
    mask = table.mask()
    headers = [(table.header(label_col) if table.header(label_col) != label_col else "", False)]
    headers += [(table.header(c), True) for c in table.value_columns]
    top = 0.0
    if bars:
        visible = pd.to_numeric(table.frame[bars], errors="coerce").where(~mask[bars])
        top = float(visible.max()) if visible.notna().any() else 0.0
    rows = []
    for idx in table.frame.index:
        row = [cell(table.frame.at[idx, label_col], header=True)]
        for c in table.value_columns:
            hidden = bool(mask.at[idx, c])
            text = format_cell(table.frame.at[idx, c], table.kinds[c], suppressed=hidden, missing="\u2013")
            row.append(cell(text, numeric=True, suppressed=hidden))
        if bars:
            v = table.frame.at[idx, bars]
            hidden = bool(mask.at[idx, bars])
            pct = 0.0 if hidden or pd.isna(v) or top <= 0 else float(v) / top * 100
            row.append({"bar": round(pct, 1), "text": "", "numeric": False, "suppressed": hidden,
                        "header": False, "cls": "bar"})
        rows.append(row)
    if bars:
        headers.append(("", False))
    note_text = table.note if note is None else note
    return table_model(table.id, caption if caption is not None else f"{table.title} ({n_text(table.n, threshold, n_hidden)})",
                       headers, rows, note_text, size)


def any_hidden(table: Table) -> bool:
    return bool(table.mask().to_numpy().any())


# -- kuntatutka pieces ----------------------------------------------------------------

def score_row(scores: pd.DataFrame, code: str) -> pd.Series:
    codes = _codes(scores["kunta"])
    rows = scores.loc[(codes == code).to_numpy()]
    if rows.empty:
        raise KartoitusError(f"kuntatutkan pisteissä ei ole kuntaa {code}; laske pisteet koko aallolle "
                             "(kuntatutka.score_municipalities)")
    return rows.iloc[0]


def _answered(row: pd.Series) -> bool:
    v = row.get("vastannut", False)
    return False if v is None or (isinstance(v, float) and math.isnan(v)) else bool(v)


def _score_text(v: Any) -> str:
    return "ei tietoa" if v is None or pd.isna(v) else fi_number(float(v), 0)


def dimension_items(year: int, scoring: kt.Scoring, codebook: Codebook | None = None) -> dict[str, int]:
    cb = codebook or default_codebook()
    return {d.id: len(d.items_in(year, cb.municipality)) for d in scoring.dimensions}


def scores_table(row: pd.Series, region_median: pd.Series, labels: dict[str, str],
                 items: dict[str, int]) -> dict:
    """Dimension, the municipality's score, the region median, items answered."""
    answered = _answered(row)
    rows = []
    for d, label in labels.items():
        own = row.get(d, np.nan) if answered else np.nan
        own_text = _score_text(own) if answered else "ei vastannut"
        got = row.get(d + kt.ANSWERED_SUFFIX, pd.NA)
        if d in items and answered and not pd.isna(got):
            answered_text = f"{fi_integer(got)}/{fi_integer(items[d])}"
        elif d in items:
            answered_text = "\u2013"
        else:
            answered_text = ""
        rows.append([cell(label, header=True, cls="total" if d == kt.TOTAL else ""),
                     cell(own_text, numeric=True, cls="own"),
                     cell(_score_text(region_median.get(d, np.nan)), numeric=True),
                     cell(answered_text, numeric=True)])
    n_med = region_median.attrs.get("n")
    note = ("Pisteet 0–100. Kohta, johon kunta ei vastannut, jätetään pois enimmäispisteistä; "
            "ulottuvuus ilman yhtään vastausta on \u201dei tietoa\u201d.")
    if n_med is not None:
        note += f" Maakunnan mediaani {fi_integer(n_med)} vastanneesta kunnasta."
    return table_model("kuntatutka", "Kuntatutkan pisteet", [("Ulottuvuus", False), ("Kunta", True),
                       ("Maakunnan mediaani", True), ("Vastattuja kohtia", True)], rows, note)


def radar_alt(name: str, row: pd.Series, region_median: pd.Series, labels: dict[str, str]) -> str:
    if not _answered(row):
        parts = [f"{labels[d]}: maakunnan mediaani {_score_text(region_median.get(d))}" for d in labels]
        return (f"Säteittäinen kuvio, kuntatutka: {name}. {NOT_ANSWERED_TEXT}, joten kunnan pisteitä "
                "ei ole. " + "; ".join(parts) + ".")
    parts = [f"{labels[d]} {_score_text(row.get(d))} (maakunnan mediaani {_score_text(region_median.get(d))})"
             for d in labels]
    return f"Säteittäinen kuvio, kuntatutka: {name}, pisteet 0–100. " + "; ".join(parts) + "."


def radar_figure_model(name: str, row: pd.Series, region_median: pd.Series, labels: dict[str, str],
                       title: str, *, size: tuple[float, float] = (4.7, 4.6), width: str = "") -> dict:
    from kartoitus.render.charts.base import figure_to_png, png_data_uri
    from kartoitus.render.charts.radar import radar_figure

    fig = radar_figure(row, region_median, labels, title, size=size)
    return {"src": png_data_uri(figure_to_png(fig)), "alt": radar_alt(name, row, region_median, labels),
            "caption": "Pisteet 0–100; katkoviiva = maakunnan mediaani.", "width": width}


def checklist_items(checks: pd.DataFrame, code: str) -> list[dict]:
    rows = checks.loc[(_codes(checks["kunta"]) == code).to_numpy()]
    return [{"text": t, "state": s, "symbol": CHECK_SYMBOLS.get(s, "?"), "cls": CHECK_CLASSES.get(s, "")}
            for t, s in zip(rows["kohta_teksti"], rows["tila"])]


def views_rows(views: pd.DataFrame, code: str) -> list[dict]:
    """The two views of one municipality as template rows: a figure the report's
    ``yhteistyo_kunta`` hides is ``<5`` here too (:func:`kartoitus.publication.kuntatutka.two_views`)."""
    rows = views.loc[(_codes(views["kunta"]) == code).to_numpy()]
    out = []
    for r in rows.itertuples(index=False):
        hidden = bool(r.suojattu)
        mean_hidden = hidden or bool(getattr(r, "keskiarvo_suojattu", False))
        agree_hidden = hidden or bool(getattr(r, "samaa_mielta_suojattu", False))
        n = 0 if pd.isna(r.n) else int(r.n)
        out.append({
            "topic": r.aihe, "statement": r.vaite_teksti,
            "n": SUPPRESSED_MARK if hidden else fi_integer(n),
            "mean": SUPPRESSED_MARK if mean_hidden else (fi_number(r.keskiarvo, 1) if n else "\u2013"),
            "agree": SUPPRESSED_MARK if agree_hidden else (fi_percent(r.samaa_mielta_pct, 0) if n else "\u2013"),
            "suppressed": hidden, "agree_suppressed": agree_hidden, "mean_suppressed": mean_hidden,
            "municipality": r.kunnan_vastaus if r.kunta_sanoo != kt.NOT_ANSWERED else "",
            "says": r.kunta_sanoo, "says_cls": SAYS_CLASSES.get(r.kunta_sanoo, ""),
            "conflict": bool(r.ristiriita), "why": r.ristiriita_selite,
        })
    return out


def _signed(x: float) -> str:
    if pd.isna(x):
        return "\u2013"
    text = fi_number(x, 0)
    return ("+" + text) if x > 0 and text not in ("0",) else text


def change_model(code: str, row: pd.Series, previous_scores: pd.DataFrame | None,
                 labels: dict[str, str], previous_year: int | None) -> dict:
    """The change since the previous wave: a sentence, or a table of scores then and now."""
    if previous_scores is None:
        return {"text": NO_PREVIOUS_TEXT, "table": None}
    when = f"({previous_year})" if previous_year else ""
    change = kt.change_since(previous_scores, row.to_frame().T.reset_index(drop=True))
    ch = change.iloc[0]
    if not bool(ch["vastannut_edellinen"]):
        return {"text": f"Kunta ei vastannut edellisen aallon {when} kuntakyselyyn, joten muutosta ei voi laskea."
                .replace("  ", " ").replace(" ()", ""), "table": None}
    if not _answered(row):
        return {"text": f"{NOT_ANSWERED_TEXT} tänä vuonna, joten muutosta edelliseen aaltoon {when} ei voi laskea."
                .replace("  ", " ").replace(" ()", ""), "table": None}
    prev = previous_scores.loc[(_codes(previous_scores["kunta"]) == code).to_numpy()].iloc[-1]
    rows = []
    for d, label in labels.items():
        before = pd.to_numeric(prev.get(d, np.nan), errors="coerce")
        rows.append([cell(label, header=True, cls="total" if d == kt.TOTAL else ""),
                     cell(_score_text(before), numeric=True),
                     cell(_score_text(row.get(d)), numeric=True),
                     cell(_signed(ch[d]), numeric=True,
                          cls="up" if ch[d] > 0 else "down" if ch[d] < 0 else "")])
    head = f"Edellinen aalto {previous_year}" if previous_year else "Edellinen aalto"
    return {"text": "", "table": table_model("muutos", "Kuntatutkan muutos edellisestä aallosta",
                                             [("Ulottuvuus", False), (head, True), ("Nyt", True),
                                              ("Muutos", True)], rows,
                                             "Muutos pisteinä (0–100-asteikolla); \u2013 = ei verrattavaa tietoa.")}


# -- the model ----------------------------------------------------------------------

def build_municipality_model(code: str, year: int, assoc: pd.DataFrame, muni: pd.DataFrame,
                             scores: pd.DataFrame, region_median: pd.Series, checklist: pd.DataFrame,
                             previous_scores: pd.DataFrame | None, codebook: Codebook | None = None,
                             threshold: int = sup.DEFAULT_THRESHOLD, *, previous_year: int | None = None,
                             scoring: kt.Scoring | None = None, charts: bool = True,
                             sector_hidden: Iterable[str] | None = None,
                             reach_hidden: Iterable[str] | None = None,
                             people_hidden: Iterable[str] | None = None,
                             n_hidden: bool | None = None,
                             views_hidden: dict | None = None) -> dict:
    """The plain model of one municipality's PDF (pure; ``charts=False`` skips the PNGs).

    ``assoc`` may be the whole association survey or the municipality's slice (its
    own associations and those that say they operate in it); ``muni`` the
    municipality survey (or its one row); ``scores`` the kuntatutka scores (at least
    this municipality's row); ``checklist`` the long checklist; ``previous_scores``
    the previous wave's scores or None when the data bank has no previous wave.
    ``sector_hidden`` / ``reach_hidden`` / ``people_hidden``: the cells to hide for
    this municipality from :func:`sector_mask` / :func:`reach_mask` /
    :func:`people_mask` over the whole wave; ``n_hidden``: :func:`count_hidden` (the
    report hides the municipality's number of respondents, so no caption, intro or
    share prints it); ``views_hidden``: the municipality's cells of the report's
    ``yhteistyo_kunta`` mask (:func:`kartoitus.publication.disclosure.views_mask`). None
    computes them from ``assoc``, which is right only when ``assoc`` is the whole
    association survey (the jobs pass them, since their ``assoc`` is a slice).
    """
    cb = codebook or default_codebook()
    code = str(code).zfill(3)
    m = municipality_of(code, year, cb)
    scoring = scoring or default_settings().scoring
    labels = kt.dimension_labels(scoring, include_total=True)
    dim_labels = kt.dimension_labels(scoring)
    row = score_row(scores, code)
    answered = _answered(row)
    own = own_associations(assoc, code, cb)
    n_own = int(len(own))

    if sector_hidden is None or reach_hidden is None or n_hidden is None:
        hidden = home_hidden(assoc, year, threshold, cb)
        sector_hidden = hidden_sectors(sector_mask(assoc, year, hidden=hidden, codebook=cb), code) \
            if sector_hidden is None else sector_hidden
        reach_hidden = hidden_sectors(reach_mask(assoc, year, hidden=hidden, codebook=cb), code) \
            if reach_hidden is None else reach_hidden
        n_hidden = count_hidden(hidden, code) if n_hidden is None else n_hidden
    n_hidden = bool(n_hidden) or 0 < n_own < threshold
    sectors = sector_table(own, threshold, cb, hidden=sector_hidden, n_hidden=n_hidden)
    reach = reach_table(own, threshold, cb, hidden=reach_hidden, n_hidden=n_hidden)
    activity = activity_table(assoc, code, threshold, cb)
    if people_hidden is None:
        people_hidden = hidden_people(people_mask(assoc, year, threshold, cb), code)
    people = people_table(own, threshold, cb, hidden=people_hidden)
    views = kt.two_views(assoc, muni, year, cb.municipalities, threshold=threshold, scoring=scoring, codebook=cb,
                         hidden=views_hidden)
    view_rows = views_rows(views, code)
    checks = checklist_items(checklist, code)
    items = dimension_items(year, scoring, cb)

    title = TITLE.format(name=m.name, year=year)
    radar = None
    if charts:
        radar = radar_figure_model(m.name, row, region_median, dim_labels,
                                   f"Kuntatutka {year}: {m.name} ja maakunnan mediaani")
    met = sum(1 for c in checks if c["state"] == kt.MET)
    few = n_own < threshold
    where = f"{m.name} kuuluu {m.subregion.replace('seutukunta', 'seutukuntaan')}. "
    if few:
        count_text = (f"Järjestökyselyyn vastasi alle {threshold} yhdistystä, joiden kotikunta on {m.name}, "
                      "joten yhdistysten luvut on peitetty (<5).")
    elif n_hidden:
        count_text = (f"Järjestökyselyyn vastanneiden yhdistysten määrää, joiden kotikunta on {m.name}, ei "
                      "julkaista: siitä ja muiden kuntien julkaistuista luvuista voisi päätellä pienemmän "
                      f"luvun (merkitty {SUPPRESSED_MARK}).")
    else:
        count_text = f"Järjestökyselyyn vastasi {plural_associations(n_own)}, joiden kotikunta on {m.name}."
    intro = [
        where + count_text,
        (f"Kunta vastasi vuoden {year} kuntakyselyyn." if answered else
         f"Kunta ei vastannut vuoden {year} kuntakyselyyn, joten kuntatutkan pisteitä ja "
         "tarkistuslistaa ei ole; kuvassa on vain maakunnan mediaani."),
    ]
    sector_visible = not sectors.mask()["yhdistyksia"].all() if len(sectors.frame) else False
    model = {
        "lang": "fi", "title": title, "code": code, "name": m.name, "year": year,
        "subregion": m.subregion, "answered": answered, "threshold": threshold,
        "not_answered_text": NOT_ANSWERED_TEXT, "intro": intro,
        "n_associations": None if n_hidden else n_own, "few_associations": few,
        "radar": radar,
        "scores": scores_table(row, region_median, labels, items),
        "total_score": None if not answered or pd.isna(row.get(kt.TOTAL)) else float(row[kt.TOTAL]),
        "checklist": {"items": checks if answered else [], "met": met, "of": len(checks),
                      "summary": (f"Täyttyy {fi_integer(met)}/{fi_integer(len(checks))} kohdasta."
                                  if answered else NOT_ANSWERED_TEXT + ".")},
        "sectors": {"table": table_to_model(sectors, bars="yhdistyksia" if sector_visible else None,
                                           threshold=threshold, n_hidden=n_hidden),
                    "counts": _counts(sectors), "hidden": any_hidden(sectors)},
        "reach": {"table": table_to_model(reach, threshold=threshold, n_hidden=n_hidden),
                  "counts": _counts(reach)},
        "activity": None if activity is None else {"table": table_to_model(activity, caption=activity.title),
                                                   "counts": _counts(activity)},
        "people": {"table": table_to_model(people, threshold=threshold, n_hidden=n_hidden),
                   "values": _values(people)},
        "views": {"rows": view_rows, "conflicts": sum(1 for r in view_rows if r["conflict"]),
                  "municipality_answered": answered},
        "change": change_model(code, row, previous_scores, labels, previous_year),
        "notes": notes(threshold),
    }
    return model


def plural_associations(n: int) -> str:
    return f"{fi_integer(n)} yhdistys" if n == 1 else f"{fi_integer(n)} yhdistystä"


def _counts(table: Table) -> dict[str, Any]:
    """Label -> printed count (``<5`` when hidden), for tests and the alt text."""
    mask = table.mask()
    col = "yhdistyksia"
    label = [c for c in table.label_columns if c != "avain"][-1]
    return {str(table.frame.at[i, label]): (SUPPRESSED_MARK if mask.at[i, col] else int(table.frame.at[i, col]))
            for i in table.frame.index}


def _values(table: Table) -> dict[str, dict[str, Any]]:
    mask = table.mask()
    out = {}
    for i in table.frame.index:
        out[str(i)] = {c: (SUPPRESSED_MARK if mask.at[i, c] else table.frame.at[i, c]) for c in table.value_columns}
    return out


def notes(threshold: int) -> list[str]:
    return [
        f"Luvut, jotka kuvaavat alle {threshold} yhdistystä, on peitetty merkinnällä <{threshold}. Jos "
        "peitetty luku voitaisiin päätellä yhteissummasta, myös seuraavaksi pienin luku on peitetty.",
        "Yhdistykset on kohdistettu kuntaan kotikunnan mukaan. Yksittäisten yhdistysten nimiä tai "
        "avovastauksia ei julkaista.",
        "Kuntatutkan pisteet lasketaan kuntakyselyn vastauksista (pisteytys: kuntatutka.yaml). Kunta, "
        "joka ei vastannut, näytetään vastaamattomana, ei nollana.",
    ]


# -- jobs --------------------------------------------------------------------------

def payload_columns(assoc: pd.DataFrame, scoring: kt.Scoring, codebook: Codebook | None = None) -> list[str]:
    """Association columns a municipality PDF reads (never names or free text)."""
    cb = codebook or default_codebook()
    wanted = [home_column(cb), SECTOR_Q, REACH_COLUMN, *PEOPLE_QS, *[p.statement for p in scoring.two_views.pairs]]
    prefix = activity_prefix(cb)
    cols = [c for c in wanted if c in assoc.columns]
    if prefix:
        cols += [c for c in assoc.columns if str(c).startswith(prefix) and not str(c).endswith("__muu")]
    return list(dict.fromkeys(cols))


def region_context(muni: pd.DataFrame, scores: pd.DataFrame, year: int, codebook: Codebook,
                   region_median: pd.Series | None = None, checklist: pd.DataFrame | None = None):
    """The scoring, the region median and the checklist, computed where not given."""
    scoring = default_settings().scoring
    if region_median is None:
        region_median = kt.region_summary(scores)
    if checklist is None:
        checklist = kt.checklist(muni, year, codebook.municipalities, scoring=scoring, codebook=codebook)
    return scoring, region_median, checklist


def municipality_jobs(wave_year: int, out_dir: Path, assoc: pd.DataFrame, muni: pd.DataFrame,
                      scores: pd.DataFrame, region_median: pd.Series | None = None,
                      checklist: pd.DataFrame | None = None, *, previous_scores: pd.DataFrame | None = None,
                      previous_year: int | None = None, codebook: Codebook | None = None,
                      threshold: int = sup.DEFAULT_THRESHOLD) -> list[dict]:
    """One picklable payload per municipality of the year: only its slice of the
    data (own associations and those operating in it, its survey row, its scores
    and checklist rows) plus the region median. ``out_dir``: ``reports/<year>``."""
    cb = codebook or default_codebook()
    scoring, region_median, checklist = region_context(muni, scores, wave_year, cb, region_median, checklist)
    cols = payload_columns(assoc, scoring, cb)
    home = _codes(assoc[home_column(cb)]).to_numpy()
    muni_codes = _codes(muni["kunta"]).to_numpy() if "kunta" in muni.columns else np.array([], dtype=object)
    score_codes = _codes(scores["kunta"]).to_numpy()
    check_codes = _codes(checklist["kunta"]).to_numpy()
    prev_codes = _codes(previous_scores["kunta"]).to_numpy() if previous_scores is not None else None
    prefix = activity_prefix(cb)
    # what every output hides, solved once over the whole wave
    hidden = home_hidden(assoc, wave_year, threshold, cb)
    mask = sector_mask(assoc, wave_year, hidden=hidden, codebook=cb)
    rmask = reach_mask(assoc, wave_year, hidden=hidden, codebook=cb)
    pmask = people_mask(assoc, wave_year, threshold, cb)
    from kartoitus.publication import indicators
    views = indicators.cooperation_hidden(assoc, wave_year, threshold, default_settings())
    payloads = []
    for m in cb.municipalities.for_year(wave_year):
        keep = home == m.code
        act = f"{prefix}{m.code}" if prefix else None
        if act and act in assoc.columns:
            keep = keep | (_num(assoc[act]) == 1).to_numpy()
        payloads.append({
            "code": m.code, "name": m.name, "year": wave_year, "threshold": threshold,
            "out": output_path(out_dir, m.code, m.name),
            "assoc": assoc.loc[keep, cols].reset_index(drop=True),
            "muni": muni.loc[muni_codes == m.code].reset_index(drop=True),
            "scores": scores.loc[score_codes == m.code].reset_index(drop=True),
            "region_median": region_median.copy(),
            "checklist": checklist.loc[check_codes == m.code].reset_index(drop=True),
            "previous_scores": (None if previous_scores is None
                                else previous_scores.loc[prev_codes == m.code].reset_index(drop=True)),
            "previous_year": previous_year,
            "sector_hidden": hidden_sectors(mask, m.code),
            "reach_hidden": hidden_sectors(rmask, m.code),
            "people_hidden": hidden_people(pmask, m.code),
            "n_hidden": count_hidden(hidden, m.code),
            "views_hidden": {k: v for k, v in views.items() if k[0] == m.code},
        })
    return payloads


def render_model(model: dict, path: Path, template: str = TEMPLATE) -> Path:
    from kartoitus.render.document import render_html, write_pdf

    html = render_html(template, model)
    return write_pdf(html, Path(path), title=model["title"], lang=model.get("lang", "fi"))


def render_job(payload: dict) -> list[Path]:
    """Worker entry point (``kartoitus.outputs.municipality:render_job``)."""
    model = build_municipality_model(
        payload["code"], payload["year"], payload["assoc"], payload["muni"], payload["scores"],
        payload["region_median"], payload["checklist"], payload.get("previous_scores"),
        threshold=payload.get("threshold", sup.DEFAULT_THRESHOLD), previous_year=payload.get("previous_year"),
        sector_hidden=payload.get("sector_hidden"), reach_hidden=payload.get("reach_hidden"),
        people_hidden=payload.get("people_hidden"), n_hidden=payload.get("n_hidden"),
        views_hidden=payload.get("views_hidden"),
    )
    return [render_model(model, payload["out"])]
