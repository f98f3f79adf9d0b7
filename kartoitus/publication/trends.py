"""Change over the waves: the publication's ``trends`` part.

Every figure of an earlier wave is taken from that wave's own publication, computed
with the same functions and the same threshold as its report was (indicator tables,
kuntatutka, the two views, sector figures), so a trend shows exactly what each wave
published and hides exactly what each wave hid. A figure is compared across two
waves only where its question is the same in both (``Question.comparable``: asked in
both, not changed in between); otherwise the cell is empty. A difference between two
waves is hidden when either figure is hidden.

- ``key_figures``: the region's key figures (``settings.trends.region``, from
  ``kehitys.yaml``), one row per figure, one column per wave (``v<year>``) and the
  change since the previous wave (``muutos``);
- ``municipalities``: per municipality its kuntatutka scores by wave (with the region
  median) and the associations' view (share agreeing) by wave;
- ``sectors``: per sector of the infographics, its figures (``settings.trends.sector``
  and every cooperation statement) in the previous wave, now and the change.

Only built when at least two waves exist (``Trends.years`` has two or more years).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from kartoitus.errors import ConfigError
from kartoitus.settings import Settings
from kartoitus.settings.trends import REGION as REGION_SECTION
from kartoitus.settings.trends import SECTOR as SECTOR_SECTION
from kartoitus.settings.trends import TRENDS_FILE, TrendFigure
from kartoitus.tables import Table

#: key figures of the municipality survey (not suppressed: it describes municipalities)
MUNICIPAL_FIGURES = (
    ("kunnat_vastanneet", "Kuntakyselyyn vastanneita kuntia"),
    ("kuntatutka_md", "Kuntatutkan kokonaispisteiden mediaani (0–100)"),
)
TOTAL = "kokonaispisteet"
#: the sector table whose statements follow the sector's own figures
COOPERATION_TABLE = "yhteistyo"


@dataclass(frozen=True)
class WaveFigures:
    """The published figures of one wave that the trends read."""
    year: int
    tables: dict                     # table id -> Table
    scores: pd.DataFrame | None      # kuntatutka scores
    region_median: pd.Series | None
    views: pd.DataFrame | None       # kuntatutka.two_views with its masks
    sectors: dict = field(default_factory=dict)   # key -> SectorFigures


@dataclass(frozen=True)
class MunicipalityTrend:
    scores: Table    # one row per dimension (+ total, region median): score per wave, change
    views: Table     # one row per statement: share agreeing per wave, change


@dataclass(frozen=True)
class SectorTrend:
    previous_year: int
    table: Table     # one row per figure: previous wave, now, change


@dataclass(frozen=True)
class Trends:
    years: tuple[int, ...]           # oldest first; the publication's wave last
    key_figures: Table | None        # None when only the sectors' trends were asked for
    municipalities: dict             # code -> MunicipalityTrend
    sectors: dict                    # key -> SectorTrend

    @property
    def previous_year(self) -> int:
        return self.years[-2]


def year_column(year: int) -> str:
    return f"v{year}"


def _comparable(settings: Settings, questions: tuple[str, ...], year_a: int, year_b: int) -> bool:
    survey = settings.codebook.association
    return all(q in survey and survey.question(q).comparable(year_a, year_b) for q in questions)


def _figure_cell(tables: dict, fig: TrendFigure, section: str) -> tuple[float, bool]:
    """(value, hidden) of a figure in one wave's tables; NaN when not there or not asked.

    A table or column the publication does not have is a settings error naming the
    figure (a wave that computed no tables at all has none to offer)."""
    if tables and fig.table not in tables:
        raise ConfigError(f"{TRENDS_FILE}: {section}: {fig.id}: taulua {fig.table} ei ole; "
                          f"käytettävissä: {', '.join(sorted(tables))}")
    table = tables.get(fig.table)
    if table is None or not table.asked:
        return np.nan, False
    if fig.row is None:
        return float(table.n), False
    frame = table.frame
    if fig.column not in frame.columns:
        raise ConfigError(f"{TRENDS_FILE}: {section}: {fig.id}: taulussa {table.id} ei ole saraketta "
                          f"{fig.column}; sarakkeet: {', '.join(map(str, frame.columns))}")
    col = "avain" if "avain" in frame.columns else None
    rows = frame.index[frame[col].astype(str) == fig.row] if col else frame.index[frame.index.astype(str) == fig.row]
    if len(rows) == 0:
        return np.nan, False
    i = rows[0]
    hidden = table.is_suppressed(i, fig.column)
    value = frame.at[i, fig.column]
    return (np.nan if hidden or pd.isna(value) else float(value)), hidden


def _table(id: str, title: str, rows: list[dict], years: list[int], label: str, n: int,
           note: str = "", change: bool = True) -> Table:
    """A trend table: ``avain``, the label, ``v<year>`` per wave, ``muutos``; masks from rows."""
    cols = [year_column(y) for y in years] + (["muutos"] if change else [])
    frame = pd.DataFrame([{"avain": r["avain"], "tunnusluku": r["label"], **{c: r["values"].get(c, np.nan)
                           for c in cols}} for r in rows], columns=["avain", "tunnusluku", *cols])
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for i, r in enumerate(rows):
        for c in cols:
            mask.iat[i, frame.columns.get_loc(c)] = bool(r["hidden"].get(c, False))
    headers = {"tunnusluku": label, **{year_column(y): str(y) for y in years}}
    if change:
        headers["muutos"] = f"Muutos {years[-2]}–{years[-1]}"
    return Table(id=id, title=title, frame=frame, n=n, columns=headers, kinds={c: "number" for c in cols},
                 suppressed=mask, source="", note=note)


def _change_row(row: dict, years: list[int], comparable) -> None:
    """Fill ``muutos``: the newest wave minus the previous one, where both are shown and comparable."""
    a, b = year_column(years[-2]), year_column(years[-1])
    va, vb = row["values"].get(a, np.nan), row["values"].get(b, np.nan)
    hidden = row["hidden"].get(a, False) or row["hidden"].get(b, False)
    row["hidden"]["muutos"] = hidden
    row["values"]["muutos"] = np.nan if hidden or not comparable(years[-2], years[-1]) else vb - va


NOTE = ("Viiva (–): kysymystä ei kysytty sinä vuonna tai se ei ole vertailukelpoinen uusimman aallon "
        "kanssa. Muutos on prosenttiyksikköinä (osuudet) tai lukuina.")


def key_figures(waves: list[WaveFigures], settings: Settings) -> Table:
    years = [w.year for w in waves]
    newest = years[-1]
    rows = []
    for fig in settings.trends.region:
        row = {"avain": fig.id, "label": fig.label, "values": {}, "hidden": {}}
        for w in waves:
            if not _comparable(settings, fig.questions, w.year, newest):
                continue
            value, hidden = _figure_cell(w.tables, fig, REGION_SECTION)
            row["values"][year_column(w.year)], row["hidden"][year_column(w.year)] = value, hidden
        _change_row(row, years, lambda a, b, q=fig.questions: _comparable(settings, q, a, b))
        rows.append(row)
    for fid, label in MUNICIPAL_FIGURES:
        row = {"avain": fid, "label": label, "values": {}, "hidden": {}}
        for w in waves:
            if w.scores is None:
                continue
            if fid == "kunnat_vastanneet":
                value = float(w.scores["vastannut"].fillna(False).astype(bool).sum())
            else:
                value = float(w.region_median[TOTAL]) if w.region_median is not None else np.nan
            row["values"][year_column(w.year)] = value
        _change_row(row, years, lambda a, b: True)
        rows.append(row)
    n = int(waves[-1].tables["vastaajat_toimiala"].n) if "vastaajat_toimiala" in waves[-1].tables else 0
    return _table("kehitys_tunnusluvut", f"Keskeiset luvut aalloittain {years[0]}–{newest}", rows, years,
                  "Tunnusluku", n, NOTE)


def _codes(series: pd.Series) -> pd.Series:
    return series.astype(str).str.zfill(3)


def municipality_trend(code: str, waves: list[WaveFigures], settings: Settings) -> MunicipalityTrend:
    from kartoitus.publication.kuntatutka import dimension_labels

    years = [w.year for w in waves]
    dims = dimension_labels(settings.scoring, include_total=True)
    score_rows = [{"avain": d, "label": label, "values": {}, "hidden": {}} for d, label in dims.items()]
    median = {"avain": "alueen_mediaani", "label": "Maakunnan mediaani (kokonaispisteet)", "values": {},
              "hidden": {}}
    for w in waves:
        own = w.scores.loc[_codes(w.scores["kunta"]) == code] if w.scores is not None else pd.DataFrame()
        for r in score_rows:
            d = r["avain"]
            value = own.iloc[0][d] if len(own) and d in own.columns else np.nan
            r["values"][year_column(w.year)] = float(value) if pd.notna(value) else np.nan
        if w.region_median is not None:
            median["values"][year_column(w.year)] = float(w.region_median[TOTAL])
    for r in [*score_rows, median]:
        _change_row(r, years, lambda a, b: True)
    scores = _table("kunta_kehitys_tutka", "Kuntatutkan pisteet aalloittain (0–100)", [*score_rows, median],
                    years, "Ulottuvuus", len(waves),
                    "Pisteet 0–100; viiva (–): kunta ei vastannut kuntakyselyyn sinä vuonna.")
    rows: dict[str, dict] = {}
    n_now = 0
    for w in waves:
        if w.views is None:
            continue
        own = w.views.loc[_codes(w.views["kunta"]) == code]
        if not _comparable(settings, (settings.names.q_cooperation,), w.year, years[-1]):
            continue
        for _, v in own.iterrows():
            r = rows.setdefault(str(v["vaite"]), {"avain": str(v["vaite"]), "label": str(v["aihe"]),
                                                   "values": {}, "hidden": {}})
            hidden = bool(v["suojattu"]) or bool(v["samaa_mielta_suojattu"])
            value = v["samaa_mielta_pct"]
            r["values"][year_column(w.year)] = np.nan if hidden or pd.isna(value) else float(value)
            r["hidden"][year_column(w.year)] = hidden
            if w.year == years[-1] and not bool(v["suojattu"]):
                n_now = max(n_now, int(v["n"]) if pd.notna(v["n"]) else 0)
    ordered = list(rows.values())
    for r in ordered:
        _change_row(r, years, lambda a, b: _comparable(settings, (settings.names.q_cooperation,), a, b))
    views = _table("kunta_kehitys_nakemys", "Yhdistysten näkemys yhteistyöstä aalloittain: samaa mieltä, %",
                   ordered, years, "Väittämä", n_now,
                   "Osuus kunnan yhdistyksistä, jotka ovat väittämän kanssa samaa mieltä. " + NOTE)
    return MunicipalityTrend(scores=scores, views=views)


def sector_trend(key: str, waves: list[WaveFigures], settings: Settings) -> SectorTrend | None:
    now = waves[-1].sectors.get(key)
    if now is None or now.withheld:
        return None
    before = next((w for w in reversed(waves[:-1]) if w.sectors.get(key) is not None
                   and not w.sectors[key].withheld), None)
    if before is None:
        return None
    years = [before.year, waves[-1].year]
    rows = []
    figures = list(settings.trends.sector)
    coop = now.tables.get(COOPERATION_TABLE)
    if coop is not None:
        for k in coop.frame.index:
            figures.append(TrendFigure(f"yhteistyo:{k}", f"{coop.frame.at[k, 'vaite']}: samaa mieltä, %",
                                       COOPERATION_TABLE, str(k), "osuus", (settings.names.q_cooperation,)))
    for fig in figures:
        row = {"avain": fig.id, "label": fig.label, "values": {}, "hidden": {}}
        for year, sf in ((before.year, before.sectors[key]), (years[1], now)):
            if not _comparable(settings, fig.questions, year, years[1]):
                continue
            value, hidden = _figure_cell(sf.tables, fig, SECTOR_SECTION)
            row["values"][year_column(year)], row["hidden"][year_column(year)] = value, hidden
        _change_row(row, years, lambda a, b, q=fig.questions: _comparable(settings, q, a, b))
        rows.append(row)
    return SectorTrend(previous_year=before.year,
                       table=_table("toimiala_muutos", f"Muutos edellisestä aallosta ({before.year})", rows,
                                    years, "Luku", int(now.n_main), NOTE))


def wave_figures(data, settings: Settings, threshold: int, *, tables=None, kuntatutka=None, views=None,
                 sectors=None, sector_keys=None) -> WaveFigures:
    """The figures of one wave (``WaveInput``); parts already computed are reused."""
    from kartoitus.publication import disclosure, indicators
    from kartoitus.publication import kuntatutka as kt
    from kartoitus.publication import sectors as sec

    if tables is None:
        tables = indicators.compute_all(data.association, data.municipality, data.year, settings,
                                        data.reference, threshold)
    if kuntatutka is None:
        kuntatutka = kt.kuntatutka_part(replace(data, previous=()), settings)
    if views is None:
        masks = indicators.report_masks(data.association, data.year, threshold, settings, ("yhteistyo_kunta",))
        views = kt.two_views(data.association, data.municipality, data.year, settings.scoring, settings.codebook,
                             threshold=threshold, hidden=disclosure.views_mask(masks))
    if sectors is None:
        sectors = sec.sector_figures(data, settings, threshold, only=sector_keys)
    return WaveFigures(year=data.year, tables=tables, scores=kuntatutka.scores,
                       region_median=kuntatutka.region_median, views=views, sectors=sectors or {})


def trends_part(data, settings: Settings, threshold: int, *, tables=None, kuntatutka=None,
                municipalities=None, sectors=None, sectors_only: bool = False) -> Trends | None:
    """The trends of the wave ``data`` over its earlier waves (``data.previous``); None
    when no earlier wave holds association answers. ``sectors_only``: only the sectors'
    change (what the ``infographic`` command needs; it reads only the sector columns),
    computed exactly as in the full trends."""
    from kartoitus.publication import WaveInput
    from kartoitus.publication import sectors as sec

    earlier = sorted((p for p in data.previous if p.association is not None
                      and (sectors_only or p.municipality is not None)), key=lambda p: p.year)
    if not earlier:
        return None
    if sectors_only:
        if sectors is None:
            sectors = sec.sector_figures(data, settings, threshold)
        current = WaveFigures(year=data.year, tables={}, scores=None, region_median=None, views=None,
                              sectors=sectors)
    else:
        views = (pd.concat([f.views for f in municipalities.values()], ignore_index=True)
                 if municipalities else None)
        current = wave_figures(data, settings, threshold, tables=tables, kuntatutka=kuntatutka, views=views,
                               sectors=sectors)
    keys = tuple(k for k, f in current.sectors.items() if not f.withheld)
    waves = []
    for p in earlier:
        wi = WaveInput(year=p.year, association=p.association,
                       municipality=p.municipality if p.municipality is not None else pd.DataFrame(),
                       reference=data.reference)
        if sectors_only:
            waves.append(WaveFigures(year=p.year, tables={}, scores=None, region_median=None, views=None,
                                     sectors=sec.sector_figures(wi, settings, threshold, only=keys)))
        else:
            waves.append(wave_figures(wi, settings, threshold, sector_keys=keys))
    waves.append(current)
    secs = {k: t for k in keys if (t := sector_trend(k, waves, settings)) is not None}
    if sectors_only:
        return Trends(years=tuple(w.year for w in waves), key_figures=None, municipalities={}, sectors=secs)
    cb = settings.codebook
    munis = {m.code: municipality_trend(m.code, waves, settings) for m in cb.municipalities.for_year(data.year)}
    return Trends(years=tuple(w.year for w in waves), key_figures=key_figures(waves, settings),
                  municipalities=munis, sectors=secs)
