"""The main report: indicator tables -> plain report model -> HTML and PDF.

``build_report_model(tables, year, meta)`` turns the wave's indicator tables
(``kartoitus.publication.indicators.compute_all``) into plain data (dicts, lists, strings;
charts already as PNG data URIs), and ``write_report(model, out_dir)`` renders it
with ``templates/report.html`` to ``jarjestokartoitus-<year>.html`` and ``.pdf``.
Every number in the report comes from a Table; the builder only selects and
formats. A chapter section whose table is missing is left out; a table with
``asked=False`` is shown as "not asked this year" instead of zeros.

Model (what the template reads)::

    {"title", "lang": "fi", "year",
     "cover": {"kicker", "subtitle", "facts": [{"label", "value"}], "colophon": [str]},
     "chapters": [{"id", "title", "cls", "intro": [str], "findings": [str],
                   "facts": [{"label", "value"}], "facts_caption",
                   "sections": [{"id", "heading", "text": [str], "not_asked": str | None,
                                 "figure": {"src", "alt", "caption", "width"} | None,
                                 "tables": [TABLE]}],
                   "tables": [TABLE]}]}          # tables: the appendix
    TABLE = {"id", "title", "caption", "size": "normal" | "small" | "wide",
             "headers": [{"text", "numeric"}],
             "rows": [[{"text", "numeric", "suppressed", "header"}]], "note"}

``meta`` (every key optional; what the data and methods chapter needs)::

    raw_rows          int   data rows read from the association survey files
    kept              int   responses in the analysis
    replaced          int   earlier answers replaced by a later one (same association)
    rejected          int   rows rejected (no name, empty row ...)
    rejected_reasons  dict[str, int]   Finnish reason -> rows
    survey_open       date | ISO str   first day the survey was open
    survey_close      date | ISO str   last day
    files             list[str | {"name": str, "rows": int}]   input files of the wave
    municipalities_answered  int   municipalities that answered the municipality survey
    municipalities_total     int   municipalities of the region that year (default: codebook)
    flags             dict[str, int]   flag code (``lippu``) -> count
    codebook_version  str
    published         date | ISO str   date shown on the cover (default: none)
    organisation      str   publisher shown on the cover

Run ``python -m kartoitus.outputs.report --preview OUT_DIR`` to build a preview
from random processed data (``tests/processed_factory.py``).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from kartoitus.errors import KartoitusError
from kartoitus.fmt import (
    fi_date,
    fi_date_range,
    fi_integer,
    fi_percent,
    format_cell,
    format_value,
)
from kartoitus.tables import SUPPRESSED_MARK, Table

REPORT_TEMPLATE = "report.html"
#: Columns a table may have before it is printed small / on a landscape page.
SMALL_COLUMNS = 6
WIDE_COLUMNS = 10
#: Most value columns printed side by side; wider tables are split into parts.
MAX_VALUE_COLUMNS = 10
#: The same for text columns (answers as words need more room than numbers).
MAX_TEXT_COLUMNS = 6
#: Tables longer than this are printed only in the appendix.
LONG_ROWS = 40

SUPPRESSION_TEXT = (
    "Tietosuojan vuoksi luvut, jotka perustuvat alle viiteen vastaajaan tai joista "
    "sellaisen voisi päätellä summista, on peitetty merkinnällä "
    f"{SUPPRESSED_MARK}; kuvioissa niitä ei piirretä."
)

def flag_texts() -> dict[str, str]:
    """Finnish text of each flag code (``kartoitus/data/liput.yaml``)."""
    import yaml

    from kartoitus.settings.codebook import data_dir

    return yaml.safe_load((data_dir() / "liput.yaml").read_text(encoding="utf-8")) or {}


def _flag_text(code: str, texts: dict[str, str]) -> str:
    """A flag's text; classification flags (``luokiteltu_<rule>``) share one."""
    if code.startswith("luokiteltu_"):
        code = "luokiteltu"
    return texts.get(code, code)


@dataclass(frozen=True)
class Section:
    """One table in a chapter: how to draw it and whether to print the table."""
    table: str
    chart: str | None = "bar"      # "bar", "stacked", "stacked_seq" or None (table only)
    sort: bool = True              # bars largest first (False for ordered scales)
    unit: str | None = None        # axis unit override
    show_table: bool = False       # print the table under the chart too
    value: str | None = None       # value column to draw (default: first percent/count)
    xmax: float | None = None
    stack: str | None = None       # stacked charts: prefix of the segment columns ("p_")


CHAPTERS: list[tuple[str, str, list[str], list[Section]]] = [
    ("toimialat", "Yhdistysten toimialat", [
        "Luku kuvaa, keitä kyselyyn vastanneet yhdistykset ovat: päätoimiala, sen ryhmä "
        "(sosiaali- ja terveysala tai muut), kotikunta ja toiminnan ulottuvuus."],
     [Section("vastaajat_toimiala", show_table=True), Section("vastaajat_ryhma"),
      Section("toimialat_kattavuus"), Section("vastaajat_seutukunta"),
      Section("vastaajat_kunta", show_table=False), Section("ulottuvuus", sort=False),
      Section("paatoimiala_lahde", chart=None)]),
    ("henkilot", "Jäsenet, vapaaehtoiset ja henkilöstö", [
        "Jäsenmäärät, aktiivisten vapaaehtoisten määrä ja palkattu henkilöstö "
        "(henkilötyövuosina) päätoimialoittain, sekä yhdistysten kokoluokat jäsenmäärän mukaan."],
     [Section("henkilot_toimiala", chart=None), Section("kokoluokka", sort=False)]),
    ("talous", "Talous ja rahoitus", [
        "Yhdistysten vuosibudjetti, rahoituslähteet ja kotikunnan avustukset."],
     [Section("budjetti", sort=False, show_table=True), Section("rahoitus"),
      Section("kunta_avustus", sort=False)]),
    ("tilat", "Tilat", ["Missä yhdistykset toimivat ja käyttävätkö ne kunnan tiloja."],
     [Section("toimitilat"), Section("kunta_tilat", sort=False)]),
    ("toiminta", "Toiminta ja kohderyhmät", [
        "Mitä yhdistykset tekevät ja kenelle. Yhdistys saattoi valita useita vaihtoehtoja, "
        "joten osuudet eivät summaudu sataan prosenttiin."],
     [Section("toimintamuodot"), Section("kohderyhmat"),
      Section("toimintamuodot_toimiala", chart=None), Section("kohderyhmat_toimiala", chart=None)]),
    ("kulttuuri", "Kulttuuri", [
        "Kulttuurin ja taiteen alalla toimivien yhdistysten taidelajit sekä ammatti- ja "
        "harrastajatoiminnan osuudet."],
     [Section("taidelajit"), Section("ammattilaisuus", sort=False)]),
    ("yhteistyo", "Yhteistyö kuntien kanssa", [
        "Yhdistykset arvioivat yhteistyötä kotikuntansa kanssa asteikolla täysin eri mieltä – "
        "täysin samaa mieltä. ”En osaa sanoa” -vastauksia ei ole mukana osuuksissa."],
     [Section("yhteistyo", chart="stacked", show_table=True, stack="p_"), Section("kumppanit"),
      Section("yhteistyo_toimiala", chart=None), Section("yhteistyo_kunta", chart=None),
      Section("yhteistyotoiveet")]),
    ("tulevaisuus", "Tulevaisuus ja haasteet", [
        "Miten yhdistykset arvioivat toimintansa muuttuvan seuraavan kolmen vuoden aikana ja "
        "mitkä ovat niiden suurimmat haasteet."],
     [Section("tulevaisuus", sort=False), Section("haasteet"), Section("vapaa_sana", chart=None)]),
    ("hyvinvointialue", "Hyvinvointialue", [
        "Vuodesta 2023 sosiaali- ja terveyspalvelut ovat Keski-Suomen hyvinvointialueen "
        "vastuulla. Kysymys hyvinvointialueen avustuksista ja ostopalveluista on mukana "
        "vuoden 2023 kyselystä alkaen."],
     [Section("hva_avustus", sort=False, show_table=True)]),
    ("kuntakysely", "Kuntakysely: alueen yhteenveto", [
        "Kuntakyselyyn vastasivat kuntien järjestöyhteistyöstä vastaavat viranhaltijat. "
        "Luvut kuvaavat alueen kuntia yhteensä; kuntakohtainen kuntatutka julkaistaan erikseen."],
     [Section("kunnat_vastaukset", chart=None), Section("kunnat_yhteenveto", chart=None),
      Section("kunnat_toimialayhteistyo", chart="stacked_seq", show_table=True, stack="p_"),
      Section("kunnat_tukipalvelut")]),
]


class _Missing(LookupError):
    """A table, row or column a generated sentence needs is not there."""


# -- reading tables ------------------------------------------------------------------

def _table(tables: dict[str, Table], tid: str) -> Table:
    t = tables.get(tid)
    if t is None or not t.asked or t.frame.empty:
        raise _Missing(tid)
    return t


def _visible_label_columns(t: Table) -> list[str]:
    """Label columns with a Finnish header (internal key columns are hidden)."""
    labels = t.label_columns
    shown = [c for c in labels if c in t.columns]
    return shown or labels[-1:]


def _label_of_row(t: Table, i) -> str:
    cols = _visible_label_columns(t)
    return str(t.frame.at[i, cols[-1]]) if cols else str(i)


def _find_row(t: Table, *keys: str):
    """Index of the first row whose label cell equals one of ``keys`` (case-insensitive)."""
    wanted = {k.casefold() for k in keys}
    for col in t.label_columns:
        hits = t.frame.index[t.frame[col].astype(str).str.casefold().isin(wanted)]
        if len(hits):
            return hits[0]
    raise _Missing(f"{t.id}: no row {keys}")


def _col(t: Table, kind: str, nth: int = 0) -> str:
    cols = [c for c in t.value_columns if t.kinds[c] == kind]
    if len(cols) <= nth:
        raise _Missing(f"{t.id}: no {kind} column")
    return cols[nth]


def _visible(t: Table, i, col) -> float:
    if t.is_suppressed(i, col):
        raise _Missing(f"{t.id}: suppressed")
    v = t.frame.at[i, col]
    if v is None or (isinstance(v, float) and math.isnan(v)):
        raise _Missing(f"{t.id}: missing value")
    return float(v)


def _ranked(t: Table, col: str) -> list:
    """Row indexes by ``col`` descending, suppressed and missing rows left out."""
    s = t.frame[col].astype("float64")
    ok = ~t.mask()[col].astype(bool) & s.notna()
    return list(s[ok].sort_values(ascending=False, kind="stable").index)


def _main_value(t: Table) -> str:
    for kind in ("percent", "count", "mean", "number"):
        try:
            return _col(t, kind)
        except _Missing:
            continue
    raise _Missing(f"{t.id}: no numeric column")


def _count_word(t: Table) -> str:
    return "yhdistystä" if t.id.startswith(("vastaajat", "toimialat")) else "vastaajaa"


# -- sentences ------------------------------------------------------------------------

def _top_sentence(t: Table) -> str:
    col = _main_value(t)
    order = _ranked(t, col)
    if not order:
        raise _Missing(t.id)
    kind = t.kinds[col]
    parts = [f"{_label_of_row(t, i)} ({format_value(t.frame.at[i, col], kind)})" for i in order[:3]]
    if kind in ("mean", "number"):
        return f"Suurin arvo: {parts[0]}." + (f" Seuraavina {', '.join(parts[1:])}." if len(parts) > 1 else "")
    if len(parts) == 1:
        return f"Yleisin vastaus oli {parts[0]}."
    rest = " ja ".join(parts[1:]) if len(parts) == 3 else parts[1]
    if len(parts) == 3:
        rest = f"{parts[1]} ja {parts[2]}"
    return f"Yleisin vastaus oli {parts[0]}, seuraavina {rest}."


def _agree_sentence(t: Table) -> str:
    """Agreement statements: where agreement was highest and lowest."""
    cols = _agree_columns(t)
    mask = t.mask()[cols].to_numpy().any(axis=1)
    share = t.frame[cols].astype("float64").sum(axis=1, min_count=len(cols))
    share = share[~mask].dropna()
    if len(share) < 2:
        raise _Missing(t.id)
    hi, lo = share.idxmax(), share.idxmin()
    return (f"Samaa mieltä (täysin tai jokseenkin) oltiin useimmin väitteestä ”{_label_of_row(t, hi)}” "
            f"({fi_percent(share[hi])}) ja harvimmin väitteestä ”{_label_of_row(t, lo)}” "
            f"({fi_percent(share[lo])}).")


def _safe(fn, *args) -> str | None:
    try:
        return fn(*args)
    except _Missing:
        return None


def _respondent_count(tables: dict[str, Table], meta: dict) -> int | None:
    for tid in ("vastaajat_toimiala", "vastaajat_ryhma", "vastaajat_kunta"):
        if tid in tables:
            return int(tables[tid].n)
    return meta.get("kept")


def _home_municipalities(tables: dict[str, Table]) -> int:
    t = _table(tables, "vastaajat_kunta")
    col = _col(t, "count")
    vals = t.frame[col].astype("float64")
    present = t.mask()[col].astype(bool) | (vals > 0)
    outside = t.frame[t.label_columns].astype(str).apply(
        lambda s: s.str.contains("ulkopuol", case=False) | (s == "ulkopuolella")).any(axis=1)
    return int((present & ~outside).sum())


def _finding_respondents(tables, meta) -> str:
    n = _respondent_count(tables, meta)
    if n is None:
        raise _Missing("respondents")
    try:
        k = _home_municipalities(tables)
        return f"Kyselyyn vastasi {fi_integer(n)} yhdistystä {fi_integer(k)} kunnasta."
    except _Missing:
        return f"Kyselyyn vastasi {fi_integer(n)} yhdistystä."


def _finding_sector(tables, meta) -> str:
    t = _table(tables, "vastaajat_toimiala")
    col = _main_value(t)
    order = _ranked(t, col)
    if not order:
        raise _Missing(t.id)
    i = order[0]
    text = f"Suurin päätoimiala oli {_label_of_row(t, i)}: {format_value(t.frame.at[i, col], t.kinds[col])}"
    if t.kinds[col] == "percent":
        try:
            text += f" vastaajista ({fi_integer(_visible(t, i, _col(t, 'count')))} yhdistystä)"
        except _Missing:
            text += " vastaajista"
    return text + "."


def _finding_sote(tables, meta) -> str:
    t = _table(tables, "vastaajat_ryhma")
    i = _find_row(t, "sote", "Sosiaali- ja terveysala", "Sote", "Sote-järjestöt")
    v = _visible(t, i, _col(t, "percent"))
    return f"Sosiaali- ja terveysalan (sote) yhdistysten osuus vastaajista oli {fi_percent(v)}."


def _agree_columns(t: Table) -> list[str]:
    """Percent columns that together give the share agreeing (4 or 5 on the scale).

    A combined column (``samaa_mielta``, "Jokseenkin ... tai täysin samaa mieltä")
    is used alone; otherwise the two agreeing levels are summed.
    """
    pct = [c for c in t.value_columns if t.kinds[c] == "percent"]
    combined = [c for c in pct if c == "samaa_mielta" or re.search(
        r"jokseenkin samaa mieltä tai täysin samaa mieltä|^samaa mieltä", t.header(c), re.I)]
    if combined:
        return combined[:1]
    cols = [c for c in pct if re.search(r"^(täysin|jokseenkin) samaa mieltä", t.header(c), re.I)]
    if not cols:
        raise _Missing(f"{t.id}: no agreement columns")
    return cols


def _finding_cooperation(tables, meta) -> str:
    from kartoitus.settings.codebook import default_codebook

    t = _table(tables, "yhteistyo")
    row = default_codebook().association.question("yhteistyo").rows
    label = next(r.label for r in row if r.key == "yhteistyo_sujuvuus")
    i = _find_row(t, "yhteistyo_sujuvuus", label)
    share = sum(_visible(t, i, c) for c in _agree_columns(t))
    return (f"{fi_percent(share)} yhdistyksistä oli täysin tai jokseenkin samaa mieltä "
            f"väitteestä ”{label}”.")


def _finding_future(tables, meta) -> str:
    t = _table(tables, "tulevaisuus")
    col = _col(t, "percent")
    grow = _visible(t, _find_row(t, "laajenee", "Laajenee"), col)
    text = f"{fi_percent(grow)} arvioi toimintansa laajenevan seuraavan kolmen vuoden aikana"
    try:
        shrink = _visible(t, _find_row(t, "supistuu", "Supistuu"), col)
        text += f" ja {fi_percent(shrink)} supistuvan"
    except _Missing:
        pass
    return text + "."


def _finding_challenge(tables, meta) -> str:
    t = _table(tables, "haasteet")
    col = _col(t, "percent")
    order = _ranked(t, col)
    if not order:
        raise _Missing(t.id)
    i = order[0]
    return (f"Yleisin haaste oli {_label_of_row(t, i).lower()} "
            f"({fi_percent(t.frame.at[i, col])} vastaajista).")


def _finding_hva(tables, meta) -> str:
    t = _table(tables, "hva_avustus")
    v = _visible(t, _find_row(t, "kylla", "Kyllä"), _col(t, "percent"))
    return f"Hyvinvointialueelta avustusta tai ostopalvelutuloja sai {fi_percent(v)} vastaajista."


def _finding_municipalities(tables, meta) -> str:
    answered = meta.get("municipalities_answered")
    if answered is None and "kunnat_vastaukset" in tables:
        answered = tables["kunnat_vastaukset"].n
    if answered is None:
        raise _Missing("municipalities")
    total = meta.get("municipalities_total")
    if total:
        return f"Kuntakyselyyn vastasi {fi_integer(answered)} alueen {fi_integer(total)} kunnasta."
    return f"Kuntakyselyyn vastasi {fi_integer(answered)} kuntaa."


FINDINGS = (_finding_respondents, _finding_sector, _finding_sote, _finding_cooperation,
            _finding_future, _finding_challenge, _finding_hva, _finding_municipalities)


# -- tables and figures as plain data -------------------------------------------------

def table_model(t: Table, anchor: str = "taulukko") -> dict:
    """A Table as printed: visible headers, formatted cells, caption with n, note.

    ``anchor`` prefixes the element id (``taulukko-<id>`` in chapters, ``liite-<id>``
    in the appendix), so a table shown twice has two distinct anchors.
    """
    labels = _visible_label_columns(t)
    cols = labels + t.value_columns
    mask = t.mask()
    headers = [{"text": t.header(c), "numeric": c in t.kinds} for c in cols]
    rows = []
    frame = t.frame
    for i in frame.index:
        row = []
        for j, c in enumerate(cols):
            kind = t.kinds.get(c)
            hidden = bool(mask.at[i, c])
            row.append({
                "text": format_cell(frame.at[i, c], kind, suppressed=hidden),
                "numeric": kind is not None and kind != "text",
                "suppressed": hidden,
                "header": j == 0 and c in labels,
            })
        rows.append(row)
    notes = [t.note] if t.note else []
    if bool(mask.to_numpy().any()):
        notes.append(f"{SUPPRESSED_MARK} = alle viisi vastaajaa, luku peitetty.")
    size = "wide" if len(cols) >= WIDE_COLUMNS else ("small" if len(cols) >= SMALL_COLUMNS else "normal")
    return {
        "id": f"{anchor}-{t.id}",
        "title": t.title,
        "caption": f"{t.title} (n = {fi_integer(t.n)})",
        "size": size,
        "headers": headers,
        "rows": rows,
        "note": " ".join(notes),
    }


def table_models(t: Table, anchor: str = "taulukko") -> list[dict]:
    """``table_model`` of ``t``, split into parts of at most ``MAX_VALUE_COLUMNS`` value
    columns (the label columns repeat in every part)."""
    values = t.value_columns
    texts = sum(t.kinds[c] == "text" for c in values)
    step = MAX_TEXT_COLUMNS if texts > len(values) / 2 else MAX_VALUE_COLUMNS
    if len(values) <= step:
        return [table_model(t, anchor)]
    chunks = [values[i:i + step] for i in range(0, len(values), step)]
    parts = []
    for k, chunk in enumerate(chunks, 1):
        keep = t.label_columns + chunk
        part = t.with_(frame=t.frame[keep], kinds={c: t.kinds[c] for c in chunk},
                       suppressed=None if t.suppressed is None else t.suppressed[keep])
        m = table_model(part, anchor)
        m["id"] += f"-{k}"
        m["caption"] += f", osa {k}/{len(chunks)}"
        parts.append(m)
    return parts


def figure_model(t: Table, sec: Section) -> dict | None:
    """The chart of a section as PNG data URI with alt text, or None if it cannot be drawn."""
    from kartoitus.render.charts import (
        ChartError,
        bar_chart,
        describe_bars,
        describe_stacked,
        figure_to_png,
        png_data_uri,
        stacked_chart,
    )

    if sec.chart is None:
        return None
    try:
        if sec.chart in ("stacked", "stacked_seq"):
            diverging = sec.chart == "stacked"
            cols = None
            if sec.stack:
                cols = [c for c in t.value_columns
                        if c.startswith(sec.stack) and t.kinds[c] == "percent"] or None
            fig = stacked_chart(t, cols, diverging=diverging)
            alt = describe_stacked(t, cols)
        else:
            if len(t.frame) > 30:
                return None
            fig = bar_chart(t, sec.value, unit=sec.unit, sort=sec.sort, xmax=sec.xmax)
            alt = describe_bars(t, sec.value, sort=sec.sort)
    except ChartError:
        return None
    png = figure_to_png(fig)
    caption = f"Kuvio: {t.title}. n = {fi_integer(t.n)}."
    if t.note:
        caption += f" {t.note}"
    return {"src": png_data_uri(png), "alt": alt, "caption": caption, "width": None}


def section_model(t: Table, sec: Section, year: int) -> dict:
    model = {"id": f"osio-{t.id}", "heading": t.title, "text": [], "not_asked": None,
             "figure": None, "tables": []}
    if not t.asked:
        model["not_asked"] = (f"Kysymystä ei kysytty vuoden {year} kyselyssä, joten tuloksia ei ole. "
                              "Se ei tarkoita, että vastaus olisi nolla.")
        return model
    if t.frame.empty:
        model["text"].append("Kysymykseen ei tullut vastauksia.")
        return model
    model["text"].append(f"Kysymykseen vastasi {fi_integer(t.n)} {_count_word(t)}.")
    if sec.chart == "stacked":
        top = _safe(_agree_sentence, t)
    elif sec.chart is not None:
        top = _safe(_top_sentence, t)
    else:
        top = None
    if top:
        model["text"].append(top)
    model["figure"] = figure_model(t, sec)
    if model["figure"] is None or sec.show_table:
        if len(t.frame) > LONG_ROWS:
            model["text"].append(f"Taulukossa on {fi_integer(len(t.frame))} riviä; se on "
                                 "kokonaisuudessaan liitetaulukoissa.")
        else:
            model["tables"] = table_models(t)
    return model


# -- chapters --------------------------------------------------------------------------

def _methods_chapter(tables: dict[str, Table], year: int, meta: dict) -> dict:
    facts = []
    text = []
    opened, closed = meta.get("survey_open"), meta.get("survey_close")
    if opened or closed:
        period = fi_date_range(opened, closed)
        facts.append({"label": "Kysely avoinna", "value": period})
        text.append(f"Yhdistyskysely oli avoinna {period}.")
    files = meta.get("files") or []
    names = [f["name"] if isinstance(f, dict) else str(f) for f in files]
    raw = meta.get("raw_rows")
    if raw is not None:
        facts.append({"label": "Vastausrivejä aineistoissa", "value": fi_integer(raw)})
        text.append(f"Yhdistyskyselyn vastausrivejä luettiin {fi_integer(raw)}.")
    if names:
        text.append(f"Aineistotiedostot ({fi_integer(len(names))}): {', '.join(names)}.")
    kept = meta.get("kept", _respondent_count(tables, meta))
    replaced, rejected = meta.get("replaced"), meta.get("rejected")
    if replaced is not None:
        facts.append({"label": "Korvattuja vastauksia", "value": fi_integer(replaced)})
    if rejected is not None:
        facts.append({"label": "Hylättyjä rivejä", "value": fi_integer(rejected)})
    if kept is not None:
        facts.append({"label": "Analyysissä mukana", "value": f"{fi_integer(kept)} yhdistystä"})
    cleaning = []
    if replaced:
        cleaning.append(f"{fi_integer(replaced)} vastausta korvautui saman yhdistyksen "
                        "myöhemmällä vastauksella (sama rekisterinumero tai nimi ja kotikunta)")
    if rejected:
        reasons = meta.get("rejected_reasons") or {}
        why = ", ".join(f"{r.lower()} {fi_integer(c)}" for r, c in sorted(reasons.items()))
        cleaning.append(f"{fi_integer(rejected)} riviä hylättiin" + (f" ({why})" if why else ""))
    if cleaning:
        text.append("Aineiston käsittelyssä " + " ja ".join(cleaning) + ".")
    if kept is not None:
        text.append(f"Raportissa on mukana {fi_integer(kept)} yhdistyksen vastaukset.")
    text.append(
        "Vastaukset siivottiin koodikirjan mukaan: kuntien nimet tunnistettiin (myös "
        "kirjoitusvirheet, ruotsinkieliset ja entisten kuntien nimet), tekstinä annetut luvut "
        "tulkittiin (”n. 120” → 120, ”100–150” → 125) ja puuttuva tai ”Muu”-päätoimiala "
        "luokiteltiin yhdistyksen nimen ja muiden vastausten perusteella. Epävarmat tulkinnat "
        "merkittiin aineistoon tarkistettaviksi; ne eivät poista vastausta.")
    flags = meta.get("flags") or {}
    if flags:
        total = sum(flags.values())
        texts = flag_texts()
        merged: dict[str, int] = {}
        for code, c in flags.items():
            label = _flag_text(code, texts)
            merged[label] = merged.get(label, 0) + int(c)
        listed = "; ".join(f"{label}: {fi_integer(c)}"
                           for label, c in sorted(merged.items(), key=lambda kv: (-kv[1], kv[0])))
        text.append(f"Tarkistusmerkintöjä tehtiin {fi_integer(total)}: {listed}.")
        facts.append({"label": "Tarkistusmerkintöjä", "value": fi_integer(total)})
    answered = meta.get("municipalities_answered")
    total_m = meta.get("municipalities_total")
    if answered is not None:
        text.append(f"Kuntakyselyyn vastasi {fi_integer(answered)}"
                    + (f" alueen {fi_integer(total_m)} kunnasta." if total_m else " kuntaa."))
        facts.append({"label": "Kuntakyselyyn vastanneet kunnat",
                      "value": f"{fi_integer(answered)}" + (f" / {fi_integer(total_m)}" if total_m else "")})
    try:
        k = _home_municipalities(tables)
        text.append(f"Vastanneiden yhdistysten kotikuntia oli {fi_integer(k)}.")
    except _Missing:
        pass
    text.append("Prosenttiosuudet on laskettu kysymykseen vastanneista; vastaajamäärä n "
                "kerrotaan jokaisen kuvion ja taulukon yhteydessä. Monivalintakysymyksissä "
                "osuudet voivat summautua yli sataan prosenttiin.")
    text.append(SUPPRESSION_TEXT)
    if meta.get("codebook_version"):
        text.append(f"Koodikirjan versio: {meta['codebook_version']}.")
    sections = []
    if "paatoimiala_lahde" in tables:
        sections.append(section_model(tables["paatoimiala_lahde"], Section("paatoimiala_lahde", chart=None), year))
    return {"id": "aineisto", "title": "Aineisto ja menetelmät", "cls": "", "intro": text,
            "findings": [], "facts": facts, "facts_caption": "Aineisto lyhyesti",
            "sections": sections, "tables": []}


def _chapter_order() -> list[str]:
    return [s.table for _, _, _, secs in CHAPTERS for s in secs]


def build_report_model(tables: dict[str, Table], year: int, meta: dict | None = None) -> dict:
    """The plain report model (see the module docstring) from the wave's tables."""
    meta = dict(meta or {})
    if "municipalities_total" not in meta:
        from kartoitus.settings.codebook import default_codebook

        meta["municipalities_total"] = len(default_codebook().municipalities.for_year(year))
    title = f"Keski-Suomen järjestökartoitus {year}"
    findings = [f for f in (_safe(fn, tables, meta) for fn in FINDINGS) if f]
    n = _respondent_count(tables, meta)

    cover_facts = []
    if n is not None:
        cover_facts.append({"label": "Vastanneita yhdistyksiä", "value": fi_integer(n)})
    k = _safe(_home_municipalities, tables)
    if k is not None:
        cover_facts.append({"label": "Kotikuntia", "value": fi_integer(k)})
    if meta.get("survey_open") or meta.get("survey_close"):
        cover_facts.append({"label": "Kysely avoinna",
                            "value": fi_date_range(meta.get("survey_open"), meta.get("survey_close"))})
    colophon = []
    if meta.get("organisation"):
        colophon.append(str(meta["organisation"]))
    if meta.get("published"):
        colophon.append(f"Julkaistu {fi_date(meta['published'])}")
    colophon.append("Luvut ja kuviot: kartoitus-työkalu"
                    + (f", koodikirja {meta['codebook_version']}" if meta.get("codebook_version") else ""))

    chapters = [{
        "id": "tiivistelma", "title": "Keskeiset tulokset", "cls": "",
        "intro": [f"Tiivistelmä Keski-Suomen järjestökartoituksen {year} tuloksista. "
                  "Luvut on poimittu raportin taulukoista."],
        "findings": findings, "facts": [], "facts_caption": "", "sections": [], "tables": []},
        _methods_chapter(tables, year, meta)]
    for cid, ctitle, intro, secs in CHAPTERS:
        sections = [section_model(tables[s.table], s, year) for s in secs
                    if s.table in tables and s.table != "paatoimiala_lahde"]
        if not sections:
            continue
        chapters.append({"id": cid, "title": ctitle, "cls": "", "intro": list(intro),
                         "findings": [], "facts": [], "facts_caption": "",
                         "sections": sections, "tables": []})
    order = _chapter_order()
    appendix_ids = sorted(tables, key=lambda tid: (order.index(tid) if tid in order else len(order), tid))
    appendix = [m for tid in appendix_ids if tables[tid].asked
                for m in table_models(tables[tid], "liite")]
    if appendix:
        chapters.append({"id": "liitetaulukot", "title": "Liitetaulukot", "cls": "appendix",
                         "intro": ["Kaikki raportin taulukot. " + SUPPRESSION_TEXT],
                         "findings": [], "facts": [], "facts_caption": "", "sections": [],
                         "tables": appendix})
    return {
        "title": title,
        "lang": "fi",
        "year": year,
        "cover": {"kicker": "Järjestökartoitus", "subtitle":
                  "Yhdistys- ja kuntakyselyn tulokset Keski-Suomesta",
                  "facts": cover_facts, "colophon": colophon},
        "chapters": chapters,
    }


def report_filename(year: int, suffix: str) -> str:
    return f"jarjestokartoitus-{year}{suffix}"


def write_report(model: dict, out_dir: Path) -> list[Path]:
    """Write ``jarjestokartoitus-<year>.html`` and ``.pdf`` into ``out_dir``; return both paths."""
    from kartoitus.atomic import atomic_write_text
    from kartoitus.render.document import TEMPLATES, render_html, write_pdf

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html = render_html(REPORT_TEMPLATE, model)
    html_path = atomic_write_text(out_dir / report_filename(model["year"], ".html"), html)
    pdf_path = write_pdf(html, out_dir / report_filename(model["year"], ".pdf"),
                         title=model["title"], lang=model.get("lang", "fi"), base_url=TEMPLATES)
    return [pdf_path, html_path]


def render_job(payload: dict) -> list[Path]:
    """Worker entry point (``kartoitus.outputs.report:render_job``): tables -> PDF + HTML."""
    model = build_report_model(payload["tables"], payload["year"], payload.get("meta"))
    return write_report(model, payload["out_dir"])


# -- preview ---------------------------------------------------------------------------

def preview_meta(assoc, muni, year: int) -> dict:
    """A ``meta`` dict for processed frames without an audit (previews, tests)."""
    import pandas as pd

    from kartoitus.settings.codebook import default_codebook

    stamps = pd.to_datetime(assoc["aikaleima"], utc=True, errors="coerce").dt.tz_convert("Europe/Helsinki")
    flags = assoc["liput"].dropna().astype(str).str.split(";").explode()
    flags = flags[flags != ""].value_counts().to_dict()
    files = [{"name": str(name), "rows": int(c)} for name, c in
             pd.concat([assoc["tiedosto"], muni["tiedosto"]]).value_counts(sort=False).items()]
    return {
        "raw_rows": int(len(assoc)),
        "kept": int(len(assoc)),
        "replaced": 0,
        "rejected": 0,
        "survey_open": stamps.min().date() if stamps.notna().any() else None,
        "survey_close": stamps.max().date() if stamps.notna().any() else None,
        "files": files,
        "municipalities_answered": int(muni["kunta"].nunique()),
        "flags": {str(k): int(v) for k, v in flags.items()},
        "codebook_version": default_codebook().version,
    }


def _factory():
    root = Path(__file__).resolve().parents[2] / "tests"
    if not (root / "processed_factory.py").exists():
        raise KartoitusError(
            f"preview needs tests/processed_factory.py (looked in {root}); run it from a source "
            "checkout installed with `pip install -e .`")
    sys.path.insert(0, str(root))
    import processed_factory

    return processed_factory


def preview(out_dir: Path, year: int = 2023, n: int = 600, seed: int = 1) -> list[Path]:
    """Build the report from random processed data (``tests/processed_factory.py``)."""
    try:
        from kartoitus.publication.indicators import compute_all
    except ImportError as exc:
        raise KartoitusError(f"preview needs kartoitus.publication.indicators.compute_all ({exc})") from None
    assoc, muni = _factory().make_processed(year, n, seed)
    tables = compute_all(assoc, muni, year)
    model = build_report_model(tables, year, preview_meta(assoc, muni, year))
    return write_report(model, out_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kartoitus.outputs.report",
                                     description="Esikatselu: raportti satunnaisesta aineistosta.")
    parser.add_argument("--preview", metavar="OUT_DIR", type=Path, required=True)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--n", type=int, default=600, help="yhdistysten määrä")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        paths = preview(args.preview, args.year, args.n, args.seed)
    except KartoitusError as exc:
        print(f"virhe: {exc}", file=sys.stderr)
        return 1
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
