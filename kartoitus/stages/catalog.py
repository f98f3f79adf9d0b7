"""The data bank describes itself: the codebook, the municipalities and the flags as
tables, and one labelled view per survey and wave.

A person with only ``kartoitus.sqlite`` (Excel, R, DB Browser for SQLite) finds:

- ``taulut``: every table and view, what it holds and whether it may be shared;
- ``kyselyt``, ``kysymykset`` (id, Finnish title, type, waves that asked it,
  comparability), ``vaihtoehdot`` (question, key, Finnish label, order, earlier
  labels), ``muuttujat`` (every column of the answer tables: which question, what it
  holds), ``kunnat`` (code, name, sub-region, valid years), ``liput`` (flag code and
  its Finnish explanation);
- ``<survey>_<year>_nimin``: one row per answer, one column per question, Finnish
  labels as values (multi-selects as the chosen labels joined with ``"; "``); names,
  contact details, free text, file names and row numbers are left out, so these views
  (and the codebook tables) are the ones meant for sharing.

Everything is rebuilt inside the data bank's write transaction whenever a wave is
written, so the description always matches the waves the file holds.
"""

from __future__ import annotations

import sqlite3
from typing import Mapping

import pandas as pd

from kartoitus.settings.codebook import NAME_SUFFIX, OTHER_SUFFIX, Codebook, Question, Survey

#: the audit table in Finnish: column -> Finnish column, and the status values
AUDIT_COLUMNS_FI = {"file": "tiedosto", "row": "rivi", "survey": "kysely", "status": "tila",
                    "reason": "syy", "flags": "liput", "corrections": "korjaukset",
                    "replaced_by": "korvaava_rivi"}
AUDIT_STATUS_FI = {"kept": "mukana", "replaced": "korvattu", "rejected": "hylätty"}
#: the audit's table name in the data bank (``auditointi_<year>``)
AUDIT_TABLE = "auditointi"
#: suffix of a labelled view (``jarjestokysely_2025_nimin``)
VIEW_SUFFIX = "_nimin"

TYPE_FI = {"timestamp": "aikaleima", "text": "teksti", "number": "luku", "single": "yksi valinta",
           "multi": "monivalinta", "grid": "asteikko (ruudukko)", "scale": "asteikko",
           "municipality": "kunta"}
#: derived columns of processed data and what they hold (Finnish)
DERIVED_FI = {
    "paatoimiala_lahde": "Mistä päätoimiala tuli: vastaus, luokittelusääntö, korjaus tai muu",
    "toimialaryhma": "Toimialaryhmä: sote (sosiaali- ja terveysala) tai muut",
    "seutukunta_koodi": "Kotikunnan seutukunnan koodi",
    "kokoluokka": "Kokoluokka jäsenmäärän mukaan",
    "ulottuvuus": "Toiminnan ulottuvuus (paikallinen, seudullinen ...)",
    "liput": "Rivin tarkistusmerkinnät (lippukoodit, ;-eroteltu; selitykset taulussa liput)",
    "tiedosto": "Raakatiedosto, josta vastaus luettiin",
    "rivi": "Rivinumero raakatiedostossa",
}

SHARE_YES = "kyllä"
SHARE_NO = "ei"


def audit_in_finnish(audit: pd.DataFrame) -> pd.DataFrame:
    """The audit table as the researcher reads it (``audit.csv``, the data bank's
    ``auditointi_<year>``): Finnish columns and statuses."""
    out = audit.rename(columns=AUDIT_COLUMNS_FI)
    if "tila" in out:
        out["tila"] = out["tila"].map(lambda s: AUDIT_STATUS_FI.get(s, s))
    return out


def audit_from_finnish(audit: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`audit_in_finnish` (the code's own names); an audit
    written before the file spoke Finnish passes unchanged."""
    out = audit.rename(columns={fi: en for en, fi in AUDIT_COLUMNS_FI.items()})
    if "status" in out:
        back = {fi: en for en, fi in AUDIT_STATUS_FI.items()}
        out["status"] = out["status"].map(lambda s: back.get(s, s))
    return out


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _lit(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _not_shared(q: Question) -> bool:
    """Questions whose answers stay out of the shared views: personal, identifying, free text."""
    return q.personal or q.identifying or q.type in ("text", "timestamp")


def _case(column: str, pairs: list[tuple[object, str]]) -> str:
    whens = " ".join(f"WHEN {_lit(k) if isinstance(k, str) else repr(k)} THEN {_lit(v)}" for k, v in pairs)
    return f"CASE {_q(column)} {whens} ELSE {_q(column)} END"


def derived_labels(codebook: Codebook, classification=None) -> dict[str, list[tuple[str, str]]]:
    """Finnish labels of the derived columns' values (group, size class, reach)."""
    out = {"toimialaryhma": [("sote", "Sosiaali- ja terveysala"), ("muut", "Muut toimialat")]}
    if classification is not None:
        out["kokoluokka"] = [(c.key, c.label) for c in classification.size_classes]
        reach = codebook.association.question("toiminta_alue") if "toiminta_alue" in codebook.association else None
        if reach is not None:
            out["ulottuvuus"] = [(k, reach.label_of(k)) for k in reach.option_keys()]
    return out


def _view_columns(survey: Survey, codebook: Codebook, year: int, present: set[str],
                  derived: Mapping[str, list] | None = None) -> list[str]:
    """SELECT expressions of a labelled view: one column per question (grid: per row)."""
    munis = codebook.municipalities
    out: list[str] = []
    for q in survey.asked_in(year):
        if _not_shared(q):
            continue
        if q.type == "municipality":
            name = q.id + NAME_SUFFIX
            if name in present:
                out.append(f"{_q(name)} AS {_q(q.id)}")
        elif q.type == "single" and q.id in present:
            pairs = [(o.key, q.label_in(o.key, year)) for o in q.options] + [("muu", "Muu")]
            out.append(f"{_case(q.id, pairs)} AS {_q(q.id)}")
        elif q.type == "multi":
            if q.options_from == "municipalities":
                pairs = [(m.code, m.name) for m in munis.for_year(year)]
            else:
                pairs = [(o.key, q.label_in(o.key, year)) for o in q.options]
            parts = [f"CASE WHEN {_q(f'{q.id}__{k}')} = 1 THEN {_lit(label + '; ')} ELSE '' END"
                     for k, label in pairs if f"{q.id}__{k}" in present]
            if q.allow_other and q.id + OTHER_SUFFIX in present:
                parts.append(f"CASE WHEN {_q(q.id + OTHER_SUFFIX)} IS NOT NULL THEN 'Muu; ' ELSE '' END")
            if parts:
                out.append(f"NULLIF(RTRIM({' || '.join(parts)}, '; '), '') AS {_q(q.id)}")
        elif q.type == "grid":
            pairs = [(float(v), text) for text, v in q.columns if v is not None]
            for r in q.rows:
                if r.key in present:
                    out.append(f"{_case(r.key, pairs)} AS {_q(r.key)}")
        elif q.id in present:               # number, scale
            out.append(_q(q.id))
    for col in ("toimialaryhma", "kokoluokka", "ulottuvuus"):
        if col in present:
            pairs = (derived or {}).get(col)
            out.append(f"{_case(col, pairs)} AS {_q(col)}" if pairs else _q(col))
    if "seutukunta_koodi" in present:
        pairs = sorted(munis.subregions(year).items())
        out.append(f"{_case('seutukunta_koodi', pairs)} AS seutukunta")
    return out


def _tables(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]


def _replace(con: sqlite3.Connection, name: str, frame: pd.DataFrame) -> None:
    con.execute(f"DROP TABLE IF EXISTS {_q(name)}")
    types = {c: ("INTEGER" if pd.api.types.is_integer_dtype(frame[c]) else "TEXT") for c in frame.columns}
    con.execute(f"CREATE TABLE {_q(name)} ({', '.join(f'{_q(c)} {t}' for c, t in types.items())})")
    rows = [tuple(None if pd.isna(v) else (int(v) if types[c] == "INTEGER" else str(v))
                  for c, v in zip(frame.columns, row)) for row in frame.itertuples(index=False)]
    con.executemany(f"INSERT INTO {_q(name)} VALUES ({', '.join('?' for _ in frame.columns)})", rows)


def _years_text(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)


def describe(con: sqlite3.Connection, codebook: Codebook, flags: Mapping[str, str],
             classification=None) -> None:
    """(Re)write the description tables and the labelled views (inside the caller's
    transaction): see the module docstring."""
    waves = [r[0] for r in con.execute("SELECT vuosi FROM aallot ORDER BY vuosi")]
    tables = set(_tables(con))
    surveys, questions, options, variables = [], [], [], []
    for survey in codebook.surveys.values():
        surveys.append({"kysely": survey.id, "nimi": survey.title,
                        "vastaaja": {"association": "yhdistys", "municipality": "kunta"}.get(survey.unit, survey.unit)})
        for order, q in enumerate(survey.questions, start=1):
            asked = [y for y in waves if q.asked_in(y) and f"{survey.id}_{y}" in tables]
            questions.append({
                "kysely": survey.id, "kysymys": q.id, "jarjestys": order, "otsikko": q.title,
                "tyyppi": TYPE_FI.get(q.type, q.type), "kysytty_aalloissa": _years_text(asked),
                "kysytty_alkaen": q.since, "kysytty_asti": q.until,
                "vertailukelpoinen_alkaen": q.comparable_since or q.since,
                "henkilotieto": SHARE_YES if q.personal else SHARE_NO,
                "jaetuissa_nakymissa": SHARE_NO if _not_shared(q) else SHARE_YES})
            for i, o in enumerate(q.options, start=1):
                earlier = "; ".join(f"{label} (–{y})" for k, y, label in q.renamed if k == o.key)
                options.append({"kysely": survey.id, "kysymys": q.id, "avain": o.key, "nimi": o.label,
                                "jarjestys": i, "aiemmat_nimet": earlier or None})
            for i, (text, value) in enumerate(q.columns, start=1):
                options.append({"kysely": survey.id, "kysymys": q.id,
                                "avain": "" if value is None else f"{value:g}", "nimi": text,
                                "jarjestys": i, "aiemmat_nimet": None})
            year = waves[-1] if waves else None
            for col in q.processed_columns(codebook.municipalities, year):
                what = q.title
                if q.type == "grid":
                    what = f"{q.title}: {dict((r.key, r.label) for r in q.rows)[col]}"
                elif col.endswith(OTHER_SUFFIX):
                    what = f"{q.title}: Muu, mikä (vapaa teksti)"
                elif q.type == "multi":
                    key = col[len(q.id) + 2:]
                    label = (codebook.municipalities.name_of(key) if q.options_from == "municipalities"
                             else q.label_of(key))
                    what = f"{q.title}: {label} (1 = valittu, 0 = ei)"
                elif col.endswith(NAME_SUFFIX):
                    what = f"{q.title} (nimi)"
                variables.append({"kysely": survey.id, "sarake": col, "kysymys": q.id, "kuvaus": what})
        for col, what in DERIVED_FI.items():
            if survey.id != codebook.association.id and col not in ("liput", "tiedosto", "rivi"):
                continue
            variables.append({"kysely": survey.id, "sarake": col, "kysymys": None, "kuvaus": what})
    munis = pd.DataFrame([{"koodi": m.code, "nimi": m.name, "seutukunta_koodi": m.subregion_code,
                           "seutukunta": m.subregion, "voimassa_alkaen": m.valid_from,
                           "voimassa_asti": m.valid_to} for m in codebook.municipalities])
    for col in ("voimassa_alkaen", "voimassa_asti"):
        munis[col] = munis[col].astype("Int64")
    flag_rows = pd.DataFrame(sorted(flags.items()), columns=["lippu", "selite"])
    qframe = pd.DataFrame(questions)
    for col in ("kysytty_alkaen", "kysytty_asti", "vertailukelpoinen_alkaen"):
        qframe[col] = qframe[col].astype("Int64")
    _replace(con, "kyselyt", pd.DataFrame(surveys))
    _replace(con, "kysymykset", qframe)
    _replace(con, "vaihtoehdot", pd.DataFrame(options))
    _replace(con, "muuttujat", pd.DataFrame(variables))
    _replace(con, "kunnat", munis)
    _replace(con, "liput", flag_rows)

    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='view'").fetchall():
        if name.endswith(VIEW_SUFFIX):
            con.execute(f"DROP VIEW {_q(name)}")
    catalogue = [
        ("taulut", "taulu", "Tämä luettelo: tietopankin taulut ja näkymät", SHARE_YES),
        ("aallot", "taulu", "Kyselyaallot: vuosi, vastausmäärät, koodikirjan versio", SHARE_YES),
        ("kyselyt", "taulu", "Kyselyt (yhdistyskysely, kuntakysely)", SHARE_YES),
        ("kysymykset", "taulu", "Kysymykset: suomenkielinen otsikko, tyyppi, aallot, joissa kysyttiin", SHARE_YES),
        ("vaihtoehdot", "taulu", "Vastausvaihtoehdot: avain, suomenkielinen nimi, järjestys", SHARE_YES),
        ("muuttujat", "taulu", "Vastaustaulujen sarakkeet: mihin kysymykseen sarake kuuluu", SHARE_YES),
        ("kunnat", "taulu", "Kunnat: koodi, nimi, seutukunta, voimassaolovuodet", SHARE_YES),
        ("liput", "taulu", "Tarkistusmerkinnät (lippukoodit) ja niiden selitykset", SHARE_YES),
    ]
    for y in waves:
        for survey in codebook.surveys.values():
            table = f"{survey.id}_{y}"
            if table not in tables:
                continue
            present = {r[1] for r in con.execute(f"PRAGMA table_info({_q(table)})")}
            cols = _view_columns(survey, codebook, y, present, derived_labels(codebook, classification))
            view = f"{table}{VIEW_SUFFIX}"
            con.execute(f"CREATE VIEW {_q(view)} AS SELECT {', '.join(cols)} FROM {_q(table)}")
            catalogue.append((table, "taulu", f"{survey.title} {y}: vastaukset koodeina (sisältää nimet, "
                              "avovastaukset, tiedostot ja rivinumerot)", SHARE_NO))
            catalogue.append((view, "näkymä", f"{survey.title} {y}: vastaukset suomeksi, yksi sarake "
                              "kysymystä kohden (ei nimiä, yhteystietoja eikä avovastauksia)", SHARE_YES))
        if f"{AUDIT_TABLE}_{y}" in tables:
            catalogue.append((f"{AUDIT_TABLE}_{y}", "taulu", f"Auditointi {y}: jokaisen raakarivin käsittely "
                              "(mukana, korvattu, hylätty ja miksi)", SHARE_NO))
    _replace(con, "taulut", pd.DataFrame(catalogue, columns=["nimi", "tyyppi", "sisalto", "jaettavissa"]))


def shared_tables(con: sqlite3.Connection) -> list[str]:
    """Names of the tables and views that may be shared (``taulut.jaettavissa``)."""
    return [r[0] for r in con.execute("SELECT nimi FROM taulut WHERE jaettavissa = ? ORDER BY nimi", (SHARE_YES,))]


__all__ = ["AUDIT_TABLE", "VIEW_SUFFIX", "audit_from_finnish", "audit_in_finnish", "describe", "shared_tables"]
