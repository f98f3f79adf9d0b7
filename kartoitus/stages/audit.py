"""What happened to every raw row: the audit table.

One row per raw data row of every file of a wave, with its status:

- ``kept``: in processed data (possibly with flags and corrections);
- ``replaced``: the same respondent answered again later; ``replaced_by`` names
  the row that stands;
- ``rejected``: not attributable, empty, or rejected by a correction; ``reason``
  says why.

``rows in = kept + replaced + rejected`` holds by construction and is checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kartoitus.errors import KartoitusError

AUDIT_COLUMNS = ["file", "row", "survey", "status", "reason", "flags", "corrections", "replaced_by"]
STATUSES = ("kept", "replaced", "rejected")


@dataclass(frozen=True)
class AuditSummary:
    rows_in: int
    kept: int
    replaced: int
    rejected: int

    @property
    def balanced(self) -> bool:
        return self.rows_in == self.kept + self.replaced + self.rejected


def _per_row(frame: pd.DataFrame, text: pd.Series) -> pd.DataFrame:
    """Join texts per (tiedosto, rivi) with "; ", in the order they were recorded."""
    if frame.empty:
        return pd.DataFrame(columns=["tiedosto", "rivi", "text"])
    out = frame[["tiedosto", "rivi"]].assign(text=text.values)
    out = out.drop_duplicates()
    return out.groupby(["tiedosto", "rivi"], sort=True)["text"].agg("; ".join).reset_index()


def build_audit(raw_rows: pd.DataFrame, rejected: pd.DataFrame, replaced: pd.DataFrame,
                flags: pd.DataFrame, corrections: pd.DataFrame) -> pd.DataFrame:
    """The audit table of a wave.

    ``raw_rows``: ``tiedosto, rivi, survey`` for every raw data row;
    ``rejected``: ``tiedosto, rivi, syy``; ``replaced``: ``tiedosto, rivi,
    replaced_by_tiedosto, replaced_by_rivi``; ``flags``: ``tiedosto, rivi,
    sarake, lippu, selite``; ``corrections``: ``tiedosto, rivi, kentta, vanha,
    uusi, syy``. A row both rejected and replaced counts as rejected.
    """
    audit = raw_rows[["tiedosto", "rivi", "survey"]].copy()
    audit["rivi"] = audit["rivi"].astype(int)
    if audit.duplicated(["tiedosto", "rivi"]).any():
        raise KartoitusError("sama tiedosto ja rivi esiintyy kahdesti: tiedostojen nimien on oltava yksilöllisiä")
    key = ["tiedosto", "rivi"]

    rej = rejected[key + ["syy"]].drop_duplicates(key) if len(rejected) else pd.DataFrame(columns=key + ["syy"])
    rep = replaced.copy() if len(replaced) else pd.DataFrame(
        columns=key + ["replaced_by_tiedosto", "replaced_by_rivi"])
    rep["replaced_by"] = rep["replaced_by_tiedosto"].astype(str) + ":" + rep["replaced_by_rivi"].astype(str)

    for frame in (rej, rep):
        frame["rivi"] = frame["rivi"].astype(int)
    audit = audit.merge(rej, on=key, how="left").merge(rep[key + ["replaced_by"]], on=key, how="left")

    status = pd.Series("kept", index=audit.index)
    status[audit["replaced_by"].notna()] = "replaced"
    status[audit["syy"].notna()] = "rejected"
    audit["status"] = status
    audit["reason"] = audit["syy"].fillna("")
    replaced_mask = audit["status"] == "replaced"
    audit.loc[replaced_mask, "reason"] = "sama vastaaja vastasi myöhemmin uudelleen (" + \
        audit.loc[replaced_mask, "replaced_by"] + ")"
    audit["replaced_by"] = audit["replaced_by"].where(replaced_mask, "")

    if len(flags):
        f = _per_row(flags, flags["sarake"].astype(str) + ": " + flags["lippu"].astype(str))
        f["rivi"] = f["rivi"].astype(int)
        audit = audit.merge(f.rename(columns={"text": "flags"}), on=key, how="left")
    else:
        audit["flags"] = ""
    if len(corrections):
        text = corrections.apply(correction_text, axis=1)
        c = _per_row(corrections, text)
        c["rivi"] = c["rivi"].astype(int)
        audit = audit.merge(c.rename(columns={"text": "corrections"}), on=key, how="left")
    else:
        audit["corrections"] = ""
    audit = audit.rename(columns={"tiedosto": "file", "rivi": "row"})
    audit = audit.fillna({"flags": "", "corrections": ""})
    audit = audit.sort_values(["file", "row"], kind="stable").reset_index(drop=True)
    return audit[AUDIT_COLUMNS]


def correction_text(c) -> str:
    """One applied correction as the audit's reader sees it (Finnish)."""
    action, why = str(c.get("toiminto", "aseta")), f" ({c.get('syy')})"
    if action == "hylkaa":
        return "hylätty korjauksella" + why
    if action == "erota":
        return "eri vastaaja kuin samannimiset" + why
    if action == "yhdista":
        return f"sama vastaaja kuin {c['uusi']}" + why
    old = str(c["vanha"]) if str(c["vanha"]) else "(tyhjä)"
    new = str(c["uusi"]) if str(c["uusi"]) else "(tyhjä)"
    return f"{c['kentta']}: {old} -> {new}" + why


def summarise(audit: pd.DataFrame) -> dict[str, AuditSummary]:
    """Counts per survey (and ``"yhteensä"``), checking rows in = kept + replaced + rejected."""
    out = {}
    groups = list(audit.groupby("survey", sort=True)) + [("yhteensä", audit)]
    for survey, frame in groups:
        counts = frame["status"].value_counts()
        s = AuditSummary(
            rows_in=len(frame),
            kept=int(counts.get("kept", 0)),
            replaced=int(counts.get("replaced", 0)),
            rejected=int(counts.get("rejected", 0)),
        )
        if not s.balanced:
            raise KartoitusError(f"auditin summa ei täsmää kyselylle {survey}: {s}")
        out[survey] = s
    return out


#: Columns of :func:`missing_questions`.
MISSING_COLUMNS = ["kysely", "kysymys", "otsikko"]


def missing_questions(tables, codebook, year: int) -> pd.DataFrame:
    """Questions the codebook says were asked in the wave that no file of their survey
    carries (``kysely, kysymys, otsikko``). Their answers are lost, not "not asked":
    the build says so loudly and the report's methods chapter lists them. Personal
    questions do not count (they are never published); a survey without any file is
    not listed question by question (see :func:`absent_surveys`)."""
    rows = []
    for survey in codebook.surveys.values():
        mine = [t for t in tables if t.survey == survey.id]
        if not mine:
            continue
        present: set[str] = set()
        for t in mine:
            present |= {m.question for m in t.mapping if m.column is not None and m.question}
        for q in survey.asked_in(year):
            if q.personal or q.id in present:
                continue
            rows.append({"kysely": survey.id, "kysymys": q.id, "otsikko": q.title})
    return pd.DataFrame(rows, columns=MISSING_COLUMNS)


def absent_surveys(tables, codebook) -> list[str]:
    """Surveys of the codebook without any table in the wave."""
    have = {t.survey for t in tables}
    return [sid for sid in codebook.surveys if sid not in have]
