"""The data and methods chapter: what was read, kept and checked, in words a reader
needs (never a file name, a hash or a question id)."""

from __future__ import annotations

from pathlib import PurePath

from kartoitus.fmt import fi_date_range, fi_integer
from kartoitus.outputs.report.findings import _home_municipalities, _Missing, _respondent_count
from kartoitus.outputs.report.sentences import count_phrase, fi_list
from kartoitus.settings import Settings
from kartoitus.tables import MARK_TEXTS, PROTECTED_MARK, SMALL_MARK, Table

SUPPRESSION_TEXT = (
    "Tietosuojan vuoksi lukuja on peitetty kahdella merkinnällä (Tilastokeskuksen "
    f"symbolit): {SMALL_MARK} tarkoittaa, että yhdistyksiä tai vastaajia on 1–4; "
    f"{PROTECTED_MARK} tarkoittaa lukua, joka on peitetty, koska se perustuu alle viiteen "
    "vastaajaan (osuudet, keskiarvot, mediaanit ja summat) tai koska siitä ja julkaistuista "
    "summista voisi päätellä pienen luvun. Kuvioissa peitettyjä lukuja ei piirretä."
)

#: the kind of an input file, by its suffix (the chapter names kinds, never files)
_FILE_KINDS = {".csv": ("CSV-tiedosto", "CSV-tiedostoa"), ".xlsx": ("Excel-tiedosto", "Excel-tiedostoa"),
               ".xls": ("Excel-tiedosto", "Excel-tiedostoa")}


def files_phrase(files: list) -> str:
    """``kaksi CSV-tiedostoa ja yksi Excel-tiedosto`` style, by kind, never by name."""
    kinds: dict[str, int] = {}
    for f in files:
        name = f["name"] if isinstance(f, dict) else str(f)
        kinds[PurePath(name).suffix.lower()] = kinds.get(PurePath(name).suffix.lower(), 0) + 1
    parts = []
    for suffix, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
        one, many = _FILE_KINDS.get(suffix, ("tiedosto", "tiedostoa"))
        parts.append(f"{fi_integer(n)} {one if n == 1 else many}")
    return fi_list(parts)


def _reason_kind(reason: str) -> str:
    r = reason.lower()
    if "korjauksella" in r:
        return "tutkijan korjauksella"
    if "tyhjä" in r:
        return "tyhjä rivi"
    if "puuttuu" in r:
        return "pakollinen tieto puuttui"
    return "muu syy"


def _flag_text(code: str, texts) -> str:
    """A flag's text; classification flags (``luokiteltu_<rule>``) share one."""
    if code.startswith("luokiteltu_"):
        code = "luokiteltu"
    return texts.get(code, "muu tarkistusmerkintä")


def methods_chapter(tables: dict[str, Table], year: int, meta: dict, settings: Settings) -> dict:
    facts, text = [], []
    opened, closed = meta.get("survey_open"), meta.get("survey_close")
    if opened or closed:
        period = fi_date_range(opened, closed)
        facts.append({"label": "Kysely avoinna", "value": period})
        text.append(f"Yhdistyskysely oli avoinna {period}.")
    files = meta.get("files") or []
    raw = meta.get("raw_rows")
    if raw is not None:
        facts.append({"label": "Vastausrivejä aineistoissa", "value": fi_integer(raw)})
        text.append(f"Aineisto koostui kyselyjen vientitiedostoista ({files_phrase(files)}); "
                    f"yhdistyskyselyn vastausrivejä luettiin {fi_integer(raw)}." if files else
                    f"Yhdistyskyselyn vastausrivejä luettiin {fi_integer(raw)}.")
    kept = meta.get("kept", _respondent_count(tables, meta))
    replaced, rejected = meta.get("replaced"), meta.get("rejected")
    if replaced is not None:
        facts.append({"label": "Korvattuja vastauksia", "value": fi_integer(replaced)})
    if rejected is not None:
        facts.append({"label": "Hylättyjä rivejä", "value": fi_integer(rejected)})
    if kept is not None:
        facts.append({"label": "Analyysissä mukana", "value": count_phrase(int(kept))})
    cleaning = []
    if replaced:
        cleaning.append(f"{count_phrase(int(replaced), 'vastaus')} korvautui saman yhdistyksen "
                        "myöhemmällä vastauksella")
    if rejected:
        kinds: dict[str, int] = {}
        for reason, c in (meta.get("rejected_reasons") or {}).items():
            k = _reason_kind(str(reason))
            kinds[k] = kinds.get(k, 0) + int(c)
        ordered = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
        why = (f"syy: {ordered[0][0]}" if len(ordered) == 1 else
               "syyt: " + fi_list([f"{k} {fi_integer(c)}" for k, c in ordered]))
        rows = "rivi hylättiin" if rejected == 1 else "riviä hylättiin"
        cleaning.append(f"{fi_integer(rejected)} {rows}" + (f" ({why})" if ordered else ""))
    if cleaning:
        text.append("Aineiston käsittelyssä " + " ja ".join(cleaning) + ".")
    missing = [m for m in meta.get("missing_questions") or [] if isinstance(m, dict)]
    if missing:
        listed = "; ".join(f"”{m.get('otsikko') or m.get('kysymys')}”" for m in missing)
        text.append(f"HUOM: {fi_integer(len(missing))} kysymystä kysyttiin vuoden {year} kyselyssä, mutta "
                    f"niiden vastaukset puuttuvat kaikista aineistotiedostoista (vientitiedostoissa ei ollut "
                    f"niiden sarakkeita): {listed}. Näistä kysymyksistä ei siksi ole tuloksia; kyse ei ole "
                    "siitä, ettei kysymystä olisi kysytty.")
        facts.append({"label": "Kysymyksiä, joiden vastaukset puuttuvat", "value": fi_integer(len(missing))})
    absent = [str(a) for a in meta.get("absent_surveys") or []]
    if absent:
        text.append("HUOM: aallossa ei ollut kyselyn " + ", ".join(absent) + " vastauksia; sen tiedot "
                    "puuttuvat raportista.")
    if kept is not None:
        text.append(f"Raportissa on mukana {fi_integer(kept)} yhdistyksen vastaukset.")
    text.append(
        "Vastaukset siivottiin yhtenäisiksi: kuntien nimet tunnistettiin (myös kirjoitusvirheet, "
        "ruotsinkieliset ja entisten kuntien nimet), tekstinä annetut luvut tulkittiin (”n. 120” → "
        "120, ”100–150” → 125) ja puuttuva tai ”Muu”-päätoimiala luokiteltiin yhdistyksen nimen ja "
        "muiden vastausten perusteella. Epävarmat tulkinnat merkittiin tarkistettaviksi; ne eivät "
        "poista vastausta.")
    flags = meta.get("flags") or {}
    if flags:
        total = sum(flags.values())
        merged: dict[str, int] = {}
        for code, c in flags.items():
            label = _flag_text(code, settings.flags)
            merged[label] = merged.get(label, 0) + int(c)
        top = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        listed = "; ".join(f"{label.rstrip('.')} ({fi_integer(c)})" for label, c in top)
        text.append(f"Tarkistusmerkintöjä tehtiin {fi_integer(total)}. Yleisimmät: {listed}.")
        facts.append({"label": "Tarkistusmerkintöjä", "value": fi_integer(total)})
    answered, total_m = meta.get("municipalities_answered"), meta.get("municipalities_total")
    if answered is not None:
        text.append(f"Kuntakyselyyn vastasi {fi_integer(answered)}"
                    + (f" alueen {fi_integer(total_m)} kunnasta." if total_m else " kuntaa."))
        facts.append({"label": "Kuntakyselyyn vastanneet kunnat",
                      "value": f"{fi_integer(answered)}" + (f" / {fi_integer(total_m)}" if total_m else "")})
    try:
        text.append(f"Vastanneiden yhdistysten kotikuntia oli {fi_integer(_home_municipalities(tables))}.")
    except _Missing:
        pass
    text.append("Prosenttiosuudet on laskettu kysymykseen vastanneista; vastaajamäärä n "
                "kerrotaan jokaisen kuvion ja taulukon yhteydessä. Monivalintakysymyksissä "
                "osuudet voivat summautua yli sataan prosenttiin. Jäsen- ja vapaaehtoismäärien "
                "summat ovat yhdistysten omia arvioita, ja ne on pyöristetty kokonaisluvuiksi.")
    text.append(SUPPRESSION_TEXT)
    return {"id": "aineisto", "title": "Aineisto ja menetelmät", "cls": "", "intro": text,
            "findings": [], "facts": facts, "facts_caption": "Aineisto lyhyesti", "figures": [],
            "text_html": [], "sections": [], "tables": [], "refs": []}


__all__ = ["methods_chapter", "files_phrase", "SUPPRESSION_TEXT", "MARK_TEXTS"]
