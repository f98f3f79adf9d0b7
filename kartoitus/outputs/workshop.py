"""Workshop packs: several municipalities side by side for a regional workshop.

``reports/<year>/pajat/<slug>.pdf`` (``aanekoski-hankasalmi-konnevesi.pdf``, or
``seutukunta-135.pdf`` for a whole sub-region): one landscape PDF for an
elinvoimapaja with the municipalities' kuntatutka scores in one table and a radar
per municipality (the region median as the reference), the "järjestöpositiivinen
kunta" checklists side by side, the associations by main sector per municipality,
members and volunteers, and the two views of cooperation per municipality.

The same privacy rules as the municipality PDFs apply (the section builders are
shared with :mod:`kartoitus.outputs.municipality`): counts under the threshold
are ``<5``, and every figure another output prints too is hidden exactly where
that output hides it: the number of respondents and the counts by sector per
municipality follow :func:`kartoitus.publication.disclosure.home_hidden`, the region column
is the report's ``vastaajat_toimiala`` (shares of all respondents) and the two
views follow the report's ``yhteistyo_kunta`` (:func:`workshop_masks`, computed
once over the wave). A municipality that did not answer the municipality survey
is "ei vastannut", never zeros, and no association name or free text is printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kartoitus.settings import default_settings
from kartoitus.publication import disclosure
from kartoitus.publication import kuntatutka as kt
from kartoitus.publication import suppression as sup
from kartoitus.settings.codebook import Codebook, Municipalities, Municipality, default_codebook
from kartoitus.errors import KartoitusError
from kartoitus.fmt import fi_integer, format_cell
from kartoitus.outputs import municipality as mu
from kartoitus.tables import SUPPRESSED_MARK, Table

SUBFOLDER = "pajat"
TEMPLATE = "workshop.html"
#: Longest file-name slug built from municipality names; longer packs use codes.
MAX_SLUG = 80
STATE_TEXT = {kt.MET: "\u2713 täyttyy", kt.NOT_MET: "\u2717 ei täyty", kt.NO_INFO: "? ei tietoa",
              kt.NOT_ANSWERED: "\u2013 ei vastannut"}


@dataclass(frozen=True)
class Subregion:
    code: str
    name: str
    municipalities: tuple[Municipality, ...]

    @property
    def codes(self) -> list[str]:
        return [m.code for m in self.municipalities]


# -- which municipalities -------------------------------------------------------------

def _valid_names(year: int, municipalities: Municipalities) -> str:
    return ", ".join(f"{m.name} ({m.code})" for m in municipalities.for_year(year))


def resolve_municipalities(names_or_codes: list[str], year: int,
                           municipalities: Municipalities | None = None) -> list[Municipality]:
    """Municipalities of ``year`` by name or code, with the tolerance of the data
    cleaning (case, missing diacritics, other names, clear typos); in the order
    given, each once. Anything unknown is a ``KartoitusError`` listing the valid names."""
    from kartoitus.stages.clean import match_municipalities

    munis = municipalities or default_codebook().municipalities
    wanted = [str(x).strip() for x in names_or_codes if str(x).strip()]
    if not wanted:
        raise KartoitusError("anna vähintään yksi kunta (nimi tai kuntanumero); kunnat: "
                             + _valid_names(year, munis))
    found = match_municipalities(pd.Series(wanted, dtype=object), munis, year)
    valid = {m.code: m for m in munis.for_year(year)}
    bad = [w for w, code in zip(wanted, found["code"]) if not isinstance(code, str) or code not in valid]
    if bad:
        raise KartoitusError(
            f"tuntematon kunta: {', '.join(repr(b) for b in bad)}; vuoden {year} kunnat ovat: "
            + _valid_names(year, munis))
    out: list[Municipality] = []
    for code in found["code"]:
        if valid[code] not in out:
            out.append(valid[code])
    return out


def _subregion_keys(code: str, name: str) -> set[str]:
    base = name.casefold().replace(" seutukunta", "").strip()
    keys = {code, name.casefold(), base, mu.slugify(name), mu.slugify(base)}
    return keys


def resolve_subregion(name_or_code: str, year: int,
                      municipalities: Municipalities | None = None) -> Subregion:
    """A sub-region (seutukunta) by code (``135``) or name (``Äänekosken seutukunta``,
    ``äänekosken``, ``aanekosken``) with its municipalities of ``year``."""
    munis = municipalities or default_codebook().municipalities
    text = str(name_or_code).strip()
    subs = munis.subregions(year)
    key = text.casefold()
    for code, name in subs.items():
        if key in _subregion_keys(code, name) or mu.slugify(text) in _subregion_keys(code, name):
            members = tuple(m for m in munis.for_year(year) if m.subregion_code == code)
            return Subregion(code, name, members)
    listed = ", ".join(f"{name} ({code})" for code, name in sorted(subs.items()))
    raise KartoitusError(f"tuntematon seutukunta {text!r}; vuoden {year} seutukunnat ovat: {listed}")


def pack_slug(members: list[Municipality], subregion: Subregion | None = None) -> str:
    if subregion is not None:
        return f"seutukunta-{subregion.code}"
    slug = "-".join(sorted(mu.slugify(m.name) for m in members))
    if len(slug) > MAX_SLUG:
        slug = "kunnat-" + "-".join(sorted(m.code for m in members))
    return slug


def pack_path(reports_dir: Path | str, members: list[Municipality], subregion: Subregion | None = None) -> Path:
    """``<reports_dir>/pajat/<slug>.pdf``; ``reports_dir`` is ``reports/<year>``."""
    return Path(reports_dir) / SUBFOLDER / f"{pack_slug(members, subregion)}.pdf"


# -- the model ------------------------------------------------------------------------

def _names_text(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " ja " + names[-1]


def _cell(text, *, sub: str = "", cls: str = "", header: bool = False) -> dict:
    return {"text": "" if text is None else str(text), "sub": sub, "cls": cls, "header": header}


def _matrix(id: str, caption: str, headers: list[str], rows: list[list[dict]], note: str = "",
            ref_last: bool = False) -> dict:
    return {"id": id, "caption": caption, "headers": headers, "rows": rows, "note": note, "ref_last": ref_last}


def scores_matrix(rows: dict[str, pd.Series], region_median: pd.Series, labels: dict[str, str],
                  names: dict[str, str], facts: list[dict] | None = None) -> dict:
    out = []
    if facts:
        out.append([_cell("Järjestökyselyyn vastanneita yhdistyksiä", header=True),
                    *[_cell(f["associations"], cls="num") for f in facts], _cell(facts[0]["region_associations"], cls="num ref")])
        out.append([_cell("Kuntakysely", header=True),
                    *[_cell("vastasi" if f["answered"] else "ei vastannut",
                            cls="center" if f["answered"] else "center cell-not-answered") for f in facts],
                    _cell(f"{fi_integer(region_median.attrs.get('n', 0))} kuntaa vastasi", cls="center ref")])
    for d, label in labels.items():
        line = [_cell(label, header=True, cls="total" if d == kt.TOTAL else "")]
        for code, row in rows.items():
            if not mu._answered(row):
                line.append(_cell("ei vastannut", cls="center cell-not-answered"))
            else:
                line.append(_cell(mu._score_text(row.get(d)), cls="num"))
        line.append(_cell(mu._score_text(region_median.get(d)), cls="num ref"))
        out.append(line)
    n_med = region_median.attrs.get("n")
    note = "Pisteet 0–100; \u201dei tietoa\u201d = ulottuvuuden yhteenkään kohtaan ei vastattu."
    if n_med is not None:
        note += f" Maakunnan mediaani {fi_integer(n_med)} vastanneesta kunnasta."
    return _matrix("paja_kuntatutka", "Kunnat ja kuntatutkan pisteet",
                   ["", *names.values(), "Maakunta (mediaani)"],
                   out, note, ref_last=True)


def checklist_matrix(checks: pd.DataFrame, codes: list[str], names: dict[str, str]) -> dict:
    codes_col = mu._codes(checks["kunta"])
    sub = checks.loc[codes_col.isin(codes).to_numpy()]
    items = list(dict.fromkeys(sub["kohta"]))
    texts = dict(zip(sub["kohta"], sub["kohta_teksti"]))
    state = {(c, k): s for c, k, s in zip(mu._codes(sub["kunta"]), sub["kohta"], sub["tila"])}
    rows = []
    for k in items:
        line = [_cell(texts[k], header=True)]
        for code in codes:
            s = state.get((code, k), kt.NO_INFO)
            line.append(_cell(STATE_TEXT.get(s, s), cls="center cell-" + mu.CHECK_CLASSES.get(s, "")))
        rows.append(line)
    met = []
    for code in codes:
        states = [state.get((code, k)) for k in items]
        if all(s == kt.NOT_ANSWERED for s in states):
            met.append(_cell("ei vastannut", cls="center cell-not-answered"))
        else:
            met.append(_cell(f"{fi_integer(sum(s == kt.MET for s in states))}/{fi_integer(len(items))}",
                             cls="center"))
    rows.append([_cell("Täyttyviä kohtia", header=True, cls="total"), *met])
    return _matrix("paja_tarkistuslista", "Järjestöpositiivinen kunta: tarkistuslista",
                   ["Kohta", *names.values()], rows,
                   "\u2713 täyttyy · \u2717 ei täyty · ? ei tietoa (ei vastattu) · \u2013 kunta ei vastannut "
                   "kuntakyselyyn.")


def workshop_masks(assoc: pd.DataFrame, year: int, threshold: int = sup.DEFAULT_THRESHOLD,
                   codebook: Codebook | None = None, codes: list[str] | None = None) -> dict:
    """What the pack hides, computed over the whole wave (``assoc``: every
    association): ``{"home": disclosure.home_hidden (sorted), "views": {(code, statement):
    [hidden columns of yhteistyo_kunta]}}`` (plain, picklable)."""
    from kartoitus.publication import indicators
    masks = indicators.report_masks(assoc, year, threshold, default_settings(), ("yhteistyo_kunta",))
    # a sorted tuple, not a set: the payload's fingerprint must not depend on hash order
    return {"home": tuple(sorted(masks["home"])), "views": disclosure.views_mask(masks, codes)}


def region_sector_table(assoc: pd.DataFrame, hidden: frozenset[str], threshold: int,
                        codebook: Codebook) -> Table:
    """The region column: the report's ``vastaajat_toimiala`` (every respondent by
    main sector, shares of all), hidden where the report hides it."""
    keys = disclosure.report_sector(disclosure.grid_keys(assoc, mu.SECTOR_Q, default_settings()), default_settings())
    labels = mu.sector_labels(codebook)
    forced = [k for k in labels if f"S|{k}" in hidden]
    return mu.distribution_table(keys, labels, "paja_toimialat_maakunta", "Maakunta", threshold, mu.SECTOR_Q,
                                 keep_zero=True, hidden=forced)


def sector_matrix(assoc: pd.DataFrame, year: int, codes: list[str], names: dict[str, str], threshold: int,
                  codebook: Codebook, home: frozenset[str] | None = None) -> dict:
    """Associations by main sector per municipality, with the whole region as the
    reference. ``assoc`` must be the whole association survey; ``home``:
    :func:`kartoitus.publication.disclosure.home_hidden` of the wave (None: computed from
    ``assoc``), so the pack hides the cells the PDFs and the report hide."""
    if home is None:
        home = disclosure.home_hidden(assoc, year, threshold, default_settings())
    mask = mu.sector_mask(assoc, year, hidden=home, codebook=codebook)
    tables = {c: mu.sector_table(mu.own_associations(assoc, c, codebook), threshold, codebook,
                                 f"paja_toimialat_{c}", hidden=mu.hidden_sectors(mask, c), keep_zero=True,
                                 n_hidden=mu.count_hidden(home, c))
              for c in codes}
    region = region_sector_table(assoc, home, threshold, codebook)
    keys = list(region.frame.index)
    for t in tables.values():
        keys += [k for k in t.frame.index if k not in keys]
    rows = []
    for k in keys:
        shown = [t for t in tables.values() if k in t.frame.index]
        nonzero = any(t.mask().at[k, "yhdistyksia"] or t.frame.at[k, "yhdistyksia"] > 0 for t in shown)
        if not nonzero:
            continue
        label = (region.frame.at[k, "luokka"] if k in region.frame.index
                 else next(t.frame.at[k, "luokka"] for t in shown))
        line = [_cell(label, header=True)]
        for c in codes:
            t = tables[c]
            if k not in t.frame.index:
                line.append(_cell("0", cls="num"))
                continue
            hidden = bool(t.mask().at[k, "yhdistyksia"])
            line.append(_cell(format_cell(t.frame.at[k, "yhdistyksia"], "count", suppressed=hidden),
                              cls="num suppressed" if hidden else "num"))
        if k in region.frame.index:
            hidden = bool(region.mask().at[k, "osuus"])
            line.append(_cell(format_cell(region.frame.at[k, "osuus"], "percent", suppressed=hidden),
                              cls="num ref"))
        else:
            line.append(_cell("\u2013", cls="num ref"))
        rows.append(line)
    total = [_cell("Vastanneita yhdistyksiä yhteensä", header=True, cls="total")]
    for c in codes:
        total.append(_cell(mu.n_text(tables[c].n, threshold, mu.count_hidden(home, c)).replace("n = ", ""),
                           cls="num"))
    total.append(_cell(fi_integer(region.n), cls="num ref"))
    rows.append(total)
    return _matrix("paja_toimialat", "Yhdistykset päätoimialoittain (kotikunnan mukaan)",
                   ["Päätoimiala", *names.values(), "Maakunta (%)"], rows,
                   "Kunnan sarakkeissa yhdistysten lukumäärä; maakunnan sarakkeessa osuus kaikista "
                   "järjestökyselyyn vastanneista yhdistyksistä (viimeisellä rivillä lukumäärä).", ref_last=True)


def people_matrix(assoc: pd.DataFrame, year: int, codes: list[str], names: dict[str, str], threshold: int,
                  codebook: Codebook) -> dict:
    mask = mu.people_mask(assoc, year, threshold, codebook)
    tables = {c: mu.people_table(mu.own_associations(assoc, c, codebook), threshold, codebook,
                                 hidden=mu.hidden_people(mask, c)) for c in codes}
    rows = []
    first = next(iter(tables.values()))
    for q in first.frame.index:
        label = first.frame.at[q, "kysymys"]
        for col, what in (("yhteensa", "yhteensä"), ("mediaani", "mediaani")):
            line = [_cell(f"{label}: {what}", header=True)]
            for c in codes:
                t = tables[c]
                hidden = bool(t.mask().at[q, col])
                line.append(_cell(format_cell(t.frame.at[q, col], "number", suppressed=hidden, missing="\u2013"),
                                  cls="num suppressed" if hidden else "num"))
            rows.append(line)
    return _matrix("paja_henkilot", "Jäsenet, vapaaehtoiset ja palkattu henkilöstö",
                   ["", *names.values()], rows,
                   "Yhteensä ja mediaani yhdistystä kohden niistä yhdistyksistä, jotka vastasivat kysymykseen; "
                   f"alle {threshold} vastaajan luvut on peitetty.")


def views_matrix(views: pd.DataFrame, codes: list[str], names: dict[str, str]) -> dict:
    per = {c: mu.views_rows(views, c) for c in codes}
    first = next(iter(per.values()))
    rows = []
    for i, r in enumerate(first):
        line = [_cell(r["topic"], sub=r["statement"], header=True)]
        for c in codes:
            v = per[c][i]
            if v["suppressed"]:
                text = f"{SUPPRESSED_MARK} (n {SUPPRESSED_MARK})"
            elif v["agree"] == "\u2013":
                text = "\u2013 (n 0)"
            else:
                text = f"{v['agree']} (n {v['n']})"
            cls = "center" + (" conflict" if v["conflict"] else "") + (" suppressed" if v["suppressed"] else "")
            line.append(_cell(text, sub=f"kunta: {v['says']}" + (" \u26a0" if v["conflict"] else ""), cls=cls))
        rows.append(line)
    return _matrix("paja_kaksi_nakokulmaa", "Kaksi näkökulmaa: yhdistysten arvio ja kunnan oma vastaus",
                   ["Aihe ja väite", *names.values()], rows,
                   "Ylärivi: samaa mieltä olevien (4–5) osuus kunnan yhdistyksistä ja vastanneiden määrä. "
                   "Alarivi: mitä kunta kertoo itsestään samasta aiheesta. Korostettu solu (\u26a0) = ristiriita: "
                   "kunta vastaa kyllä mutta alle puolet yhdistyksistä on samaa mieltä, tai kunta vastaa ei mutta "
                   "vähintään 70 % on samaa mieltä.")


def build_workshop_model(codes: list[str], year: int, assoc: pd.DataFrame, muni: pd.DataFrame,
                         scores: pd.DataFrame, region_median: pd.Series, checklist: pd.DataFrame,
                         codebook: Codebook | None = None, threshold: int = sup.DEFAULT_THRESHOLD, *,
                         subregion: Subregion | None = None, scoring: kt.Scoring | None = None,
                         charts: bool = True, masks: dict | None = None) -> dict:
    """The plain model of a workshop pack (pure; ``charts=False`` skips the radar PNGs).

    ``codes``: municipality codes of ``year`` in the order of the columns;
    ``assoc``: the association survey (all rows: the region column needs them);
    ``scores``, ``checklist``: kuntatutka outputs of the whole wave; ``masks``:
    :func:`workshop_masks` of the wave (None: computed from ``assoc``).
    """
    cb = codebook or default_codebook()
    scoring = scoring or default_settings().scoring
    members = [mu.municipality_of(str(c).zfill(3), year, cb) for c in codes]
    if not members:
        raise KartoitusError("työpajapaketti tarvitsee vähintään yhden kunnan")
    codes = [m.code for m in members]
    names = {m.code: m.name for m in members}
    labels = kt.dimension_labels(scoring, include_total=True)
    dim_labels = kt.dimension_labels(scoring)
    rows = {c: mu.score_row(scores, c) for c in codes}
    if masks is None:
        masks = workshop_masks(assoc, year, threshold, cb, codes)
    hidden = frozenset(masks["home"])
    views = kt.two_views(assoc, muni, year, cb.municipalities, threshold=threshold, scoring=scoring, codebook=cb,
                         hidden=masks["views"])
    heading = subregion.name if subregion is not None else _names_text([m.name for m in members])
    title = f"Elinvoimapaja: {heading} \u2013 Keski-Suomen järjestökartoitus {year}"
    home = mu._codes(assoc[mu.home_column(cb)])
    n_assoc = home.value_counts()
    facts = []
    for m in members:
        n = int(n_assoc.get(m.code, 0))
        facts.append({"name": m.name, "code": m.code,
                      "associations": (f"alle {threshold}" if 0 < n < threshold
                                       else SUPPRESSED_MARK if mu.count_hidden(hidden, m.code) else fi_integer(n)),
                      "answered": mu._answered(rows[m.code]),
                      "total": (mu._score_text(rows[m.code].get(kt.TOTAL)) if mu._answered(rows[m.code])
                                else "ei vastannut"),
                      "region_associations": fi_integer(len(assoc))})
    radars = []
    if charts:
        for m in members:
            radars.append(mu.radar_figure_model(m.name, rows[m.code], region_median, dim_labels,
                                                f"{m.name}", size=(4.4, 4.3)))
    intro = [
        f"Vertailu kuntien {_names_text([m.name for m in members])} järjestöyhteistyöstä vuoden {year} "
        "järjestökartoituksen pohjalta. Vertailukohtana on maakunnan mediaani (kuntatutka) ja koko "
        "maakunta (yhdistysten toimialat).",
    ]
    missing = [m.name for m in members if not mu._answered(rows[m.code])]
    if missing:
        intro.append(f"Kuntakyselyyn ei vastannut: {_names_text(missing)}. Näiden kuntien kuntatutkaa ja "
                     "tarkistuslistaa ei voi esittää; niitä ei ole merkitty nolliksi.")
    return {
        "lang": "fi", "title": title, "year": year, "heading": heading,
        "subregion": None if subregion is None else {"code": subregion.code, "name": subregion.name},
        "codes": codes, "names": [m.name for m in members], "threshold": threshold,
        "intro": intro, "facts": facts, "radars": radars,
        "radar_cols": 3 if len(members) <= 3 else 4,
        "scores": scores_matrix(rows, region_median, labels, names, facts),
        "checklist": checklist_matrix(checklist, codes, names),
        "sectors": sector_matrix(assoc, year, codes, names, threshold, cb, hidden),
        "people": people_matrix(assoc, year, codes, names, threshold, cb),
        "views": views_matrix(views, codes, names),
        "notes": mu.notes(threshold),
    }


# -- jobs and the command ----------------------------------------------------------------

def workshop_payload(codes: list[str], year: int, out: Path, assoc: pd.DataFrame, muni: pd.DataFrame,
                     scores: pd.DataFrame, region_median: pd.Series | None = None,
                     checklist: pd.DataFrame | None = None, *, subregion: Subregion | None = None,
                     codebook: Codebook | None = None, threshold: int = sup.DEFAULT_THRESHOLD) -> dict:
    """A picklable payload for :func:`render_job` (only the columns the pack reads)."""
    cb = codebook or default_codebook()
    scoring, region_median, checklist = mu.region_context(muni, scores, year, cb, region_median, checklist)
    cols = [c for c in mu.payload_columns(assoc, scoring, cb) if not c.startswith(mu.activity_prefix(cb) or "\0")]
    wanted = set(codes)
    return {
        "codes": list(codes), "year": year, "out": Path(out), "threshold": threshold,
        # what the pack hides, solved over the whole wave (the same cells every output hides)
        "masks": workshop_masks(assoc, year, threshold, cb, list(codes)),
        "assoc": assoc[cols].reset_index(drop=True),
        "muni": muni.loc[mu._codes(muni["kunta"]).isin(wanted).to_numpy()].reset_index(drop=True),
        "scores": scores.reset_index(drop=True), "region_median": region_median.copy(),
        "checklist": checklist.loc[mu._codes(checklist["kunta"]).isin(wanted).to_numpy()].reset_index(drop=True),
        "subregion": subregion,
    }


def render_job(payload: dict) -> list[Path]:
    """Worker entry point (``kartoitus.outputs.workshop:render_job``)."""
    model = build_workshop_model(payload["codes"], payload["year"], payload["assoc"], payload["muni"],
                                 payload["scores"], payload["region_median"], payload["checklist"],
                                 threshold=payload.get("threshold", sup.DEFAULT_THRESHOLD),
                                 subregion=payload.get("subregion"), masks=payload.get("masks"))
    return [mu.render_model(model, payload["out"], TEMPLATE)]


def _population(year: int, reference_dir: Path | None) -> pd.Series | None:
    from kartoitus.stages.reference import load_reference

    ref = load_reference(reference_dir) if reference_dir is not None else None
    if ref is None or ref.population is None:
        return None
    values, _years = ref.population_for(year)
    return values if len(values) else None


def workshop_pack(codes: list[str], year: int, processed_dir: Path, reports_dir: Path,
                  processed_root: Path | None = None, *, subregion: str | None = None,
                  reference_dir: Path | None = None, threshold: int = sup.DEFAULT_THRESHOLD,
                  codebook: Codebook | None = None) -> Path:
    """Load the processed wave and write its workshop pack; returns the PDF path.

    ``codes``: municipality names or codes (any tolerance of the data cleaning);
    ``subregion``: a sub-region name or code instead (or in addition);
    ``processed_dir``: ``data/processed/<year>``; ``reports_dir``: ``reports/<year>``;
    ``reference_dir``: the population file for the grants per inhabitant (default
    ``<processed_root>/../reference`` when it exists).
    """
    from kartoitus.stages.bank import load_wave

    cb = codebook or default_codebook()
    sub = resolve_subregion(subregion, year, cb.municipalities) if subregion else None
    members = list(sub.municipalities) if sub else []
    if codes:
        for m in resolve_municipalities(list(codes), year, cb.municipalities):
            if m not in members:
                members.append(m)
    if not members:
        raise KartoitusError("anna kunnat (nimet tai kuntanumerot) tai --seutukunta")
    if sub is not None and len(members) != len(sub.municipalities):
        sub = None  # extra municipalities: name the file after the municipalities
    if reference_dir is None and processed_root is not None:
        candidate = Path(processed_root).parent / "reference"
        reference_dir = candidate if candidate.is_dir() else None
    wave = load_wave(Path(processed_dir), year, cb)
    scoring = default_settings().scoring
    scores = kt.score_municipalities(wave.municipality, year, cb.municipalities,
                                     population=_population(year, reference_dir), scoring=scoring, codebook=cb)
    payload = workshop_payload([m.code for m in members], year, pack_path(reports_dir, members, sub),
                               wave.association, wave.municipality, scores, subregion=sub, codebook=cb,
                               threshold=threshold)
    return render_job(payload)[0]
