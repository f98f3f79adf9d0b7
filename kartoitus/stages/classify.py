"""Derived classifications of the association survey.

Pure: cleaned (and de-duplicated) data in, data with derived columns and a table
of automatic decisions out. The rules and classes live in
``kartoitus/data/luokittelu.yaml`` (``settings.classification``), the question
roles and derived column names in ``kartoitus/data/sarakkeet.yaml``
(``settings.names``); this module only applies them. The names below are the
package's defaults.

Derived columns:

- ``paatoimiala``: the answered main sector is kept (``paatoimiala_lahde`` =
  ``vastaus``). Where it is missing, ``muu`` or an other-text, the rules of
  ``luokittelu.yaml`` are tried in order over the association name, the
  other-texts and the ``toimialat`` answers; the first match decides
  (``paatoimiala_lahde`` = the rule id); when none matches the sector is
  ``muu`` (``paatoimiala_lahde`` = ``muu``). A row whose ``paatoimiala_lahde``
  is already set (``korjaus``: the researcher corrected the main sector) keeps
  its sector as it is; no rule runs for it and no decision is recorded.
- ``toimialaryhma``: ``sote`` for the sectors listed under ``sote``, else ``muut``.
- ``seutukunta_koodi``: sub-region code of ``kotikunta`` (empty outside the region).
- ``kokoluokka``: size class key by ``jasenmaara`` (empty when missing).
- ``ulottuvuus``: reach from ``toiminta_alue``; when unanswered, inferred from
  the number of ``toimintakunnat`` ticked (one: local, several: sub-regional,
  all: regional). The inferred ones are marked in the helper column
  ``_ulottuvuus_selite`` (dropped before writing).

The rules run once per DISTINCT combination of name, other-texts and single
ticked sector, with vectorised ``str.extract`` over those combinations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kartoitus.settings.codebook import OTHER_SUFFIX, Municipalities, Survey
from kartoitus.errors import ConfigError
from kartoitus.settings.classification import (  # noqa: F401  (re-exported for callers)
    FIELDS,
    RULES_FILE,
    SINGLE_SECTOR,
    Classification,
    Rule,
    SizeClass,
    anchor_word_starts,
    fold_pattern,
    load_classification,
)
from kartoitus.settings.names import Names

#: helper column: how a reach was inferred (dropped before writing)
REACH_NOTE = "_ulottuvuus_selite"
FIELD_TEXT = {"nimi": "nimessä", "muu": "päätoimialan Muu-tekstissä", "toimialat_muu": "toimialojen Muu-tekstissä"}


def decision_columns(names: Names) -> list[str]:
    """Columns of the decisions table (``luokittelu.csv``)."""
    return [names.file, names.row, names.q_sector, "lahde", "selite"]


def _text_col(data: pd.DataFrame, column: str) -> pd.Series:
    if column not in data.columns:
        return pd.Series("", index=data.index, dtype=object)
    s = data[column]
    return s.where(s.notna(), "").astype(str).str.strip()


def _single_ticked(data: pd.DataFrame, qid: str, keys: list[str]) -> pd.Series:
    """The one ticked option key of a multi-select, "" when none or several."""
    cols = [f"{qid}__{k}" for k in keys if f"{qid}__{k}" in data.columns]
    if not cols:
        return pd.Series("", index=data.index, dtype=object)
    count = np.zeros(len(data), dtype=np.int64)
    first = np.zeros(len(data), dtype=np.int64)
    for j, c in enumerate(cols):
        ticked = pd.to_numeric(data[c], errors="coerce").fillna(0).to_numpy(dtype="float64") > 0
        first[ticked & (count == 0)] = j
        count += ticked
    which = np.array([c.split("__", 1)[1] for c in cols], dtype=object)[first]
    return pd.Series(np.where(count == 1, which, ""), index=data.index, dtype=object)


def _run_rules(combos: pd.DataFrame, rules: list[Rule]) -> pd.DataFrame:
    """First matching rule of each distinct combination: rule index, field, matched text."""
    n = len(combos)
    rule_idx = np.full(n, -1)
    field_of = np.full(n, "", dtype=object)
    matched = np.full(n, "", dtype=object)
    open_ = np.ones(n, dtype=bool)
    for i, rule in enumerate(rules):
        if not open_.any():
            break
        if rule.kind == SINGLE_SECTOR:
            hit = open_ & (combos["yksi"].to_numpy() != "")
            rule_idx[hit] = i
            field_of[hit] = "toimialat"
            matched[hit] = combos["yksi"].to_numpy()[hit]
            open_ &= ~hit
            continue
        for f in rule.fields:
            idx = np.flatnonzero(open_)
            if not len(idx):
                break
            texts = combos[f].iloc[idx]
            nonempty = texts != ""
            if not nonempty.any():
                continue
            found = texts[nonempty].str.extract(rule.pattern, expand=False)
            hit_mask = found.notna().to_numpy()
            hit_rows = idx[nonempty.to_numpy()][hit_mask]
            rule_idx[hit_rows] = i
            field_of[hit_rows] = f
            matched[hit_rows] = found.to_numpy()[hit_mask]
            open_[hit_rows] = False
    return pd.DataFrame({"rule": rule_idx, "field": field_of, "matched": matched})


def _combo_codes(frame: pd.DataFrame) -> np.ndarray:
    """One integer code per distinct row of ``frame`` (factorised column by column)."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for col in frame.columns:
        codes, uniques = pd.factorize(frame[col].to_numpy(dtype=object))
        combined = combined * (len(uniques) + 1) + (codes + 1)
        combined, _ = pd.factorize(combined)
        combined = combined.astype(np.int64)
    return combined


def classify(data: pd.DataFrame, survey: Survey, classification: Classification, names: Names,
             municipalities: Municipalities) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the derived columns; return ``(data, decisions)``.

    ``decisions`` has one row per automatic main-sector decision (rule or
    ``muu``): ``tiedosto, rivi, paatoimiala, lahde, selite``; ``selite`` says,
    in Finnish, which rule matched which text. A row that comes with its
    ``paatoimiala_lahde`` set (a correction) is its own source: its sector is
    kept and no decision is recorded for it. Data of a survey without the
    main-sector question (the municipality survey) is returned unchanged.
    """
    columns = decision_columns(names)
    if names.q_sector not in survey:
        return data.copy(), pd.DataFrame(columns=columns)
    rules = list(classification.rules)
    out = data.copy(deep=False)   # copy-on-write: the new columns never touch ``data``
    file_col, row_col = names.file, names.row

    q_sector = survey.question(names.q_sector)
    sector_keys = list(q_sector.option_keys())
    labels = {o.key: o.label for o in q_sector.options}
    labels[names.other] = "Muu"
    for r in rules:
        if r.kind != SINGLE_SECTOR and r.sector not in labels:
            raise ConfigError(f"{RULES_FILE}: säännön {r.id} toimiala {r.sector!r} ei ole päätoimialan "
                              f"vaihtoehto; käytä jotakin näistä: {', '.join(sector_keys)}")
    bad_sote = [s for s in classification.sote if s not in labels]
    if bad_sote:
        raise ConfigError(f"{RULES_FILE}: sote-listan toimialat {bad_sote} eivät ole päätoimialan vaihtoehtoja")

    sid = q_sector.id
    answer = out[sid] if sid in out.columns else pd.Series(None, index=out.index, dtype=object)
    answer = answer.where(answer.notna(), "").astype(str).str.strip()
    source = (out[names.sector_source] if names.sector_source in out.columns
              else pd.Series(None, index=out.index, dtype=object))
    preset = source.notna() & (source.astype(str).str.strip() != "")
    answered = answer.isin(sector_keys) & ~preset
    target = ~answered & ~preset

    sector = answer.where(answered | preset, "").to_numpy(dtype=object)
    lahde = np.where(answered, names.source_answer, "").astype(object)
    lahde[preset.to_numpy()] = source[preset].astype(str).to_numpy()
    decision_rows = pd.DataFrame(columns=columns)

    if target.any():
        q_sectors = survey.question(names.q_sectors) if names.q_sectors in survey else None
        # only the columns the rules read, of the rows they decide (not a copy of the whole frame)
        wanted = {file_col, row_col, names.q_name, sid + OTHER_SUFFIX}
        if q_sectors is not None:
            wanted |= {q_sectors.id + OTHER_SUFFIX} | {f"{q_sectors.id}__{k}" for k in q_sectors.option_keys()}
        t = out.loc[target, [c for c in out.columns if c in wanted]]
        combos_full = pd.DataFrame({
            "nimi": _text_col(t, names.q_name),
            "muu": _text_col(t, sid + OTHER_SUFFIX),
            "toimialat_muu": (_text_col(t, q_sectors.id + OTHER_SUFFIX) if q_sectors is not None
                              else pd.Series("", index=t.index, dtype=object)),
            "yksi": (_single_ticked(t, q_sectors.id, list(q_sectors.option_keys())) if q_sectors is not None
                     else pd.Series("", index=t.index, dtype=object)),
        })
        codes = _combo_codes(combos_full)
        first_of = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
        combos = combos_full.iloc[first_of].reset_index(drop=True)
        per_combo = _run_rules(combos, rules)

        # what each distinct combination decides, and its explanation
        rule_ids = np.array([r.id for r in rules] + [names.source_none], dtype=object)
        rule_sectors = np.array([r.sector for r in rules] + [names.other], dtype=object)
        single_kind = np.array([r.kind == SINGLE_SECTOR for r in rules] + [False])
        c_idx = per_combo["rule"].to_numpy()
        c_idx = np.where(c_idx < 0, len(rules), c_idx)
        c_sector = rule_sectors[c_idx].copy()
        c_single = single_kind[c_idx]
        c_sector[c_single] = per_combo["matched"].to_numpy()[c_single]
        c_lahde = rule_ids[c_idx]
        single_id = next((r.id for r in rules if r.kind == SINGLE_SECTOR), "")
        c_text = []
        for i in range(len(combos)):
            label = labels.get(c_sector[i], c_sector[i])
            if c_idx[i] == len(rules):
                c_text.append("mikään luokittelusääntö ei sopinut, päätoimiala on muu.")
            elif c_single[i]:
                c_text.append(f"toimialoista oli valittu vain {label} (sääntö {single_id}).")
            else:
                c_text.append(f"sääntö {c_lahde[i]}: {FIELD_TEXT[per_combo['field'].iloc[i]]} "
                              f"'{per_combo['matched'].iloc[i]}' -> {label}.")
        c_text = np.array(c_text, dtype=object)

        chosen = c_sector[codes]
        chosen_lahde = c_lahde[codes]
        before = answer[target].to_numpy(dtype=object)
        prefix = np.where(before == "", "Päätoimiala puuttui; ", "Päätoimialaksi oli valittu Muu; ")
        pcodes, puniq = pd.factorize(prefix)
        reason_codes, reason_uniques = pd.factorize(codes * len(puniq) + pcodes)
        explain = np.array([puniq[u % len(puniq)] + c_text[u // len(puniq)] for u in reason_uniques], dtype=object)
        selite = explain[reason_codes]
        tpos = np.flatnonzero(target.to_numpy())
        sector[tpos] = chosen
        lahde[tpos] = chosen_lahde
        decision_rows = pd.DataFrame({
            file_col: t[file_col].to_numpy() if file_col in t.columns else "",
            row_col: t[row_col].to_numpy() if row_col in t.columns else t.index.to_numpy(),
            sid: chosen,
            "lahde": chosen_lahde,
            "selite": selite,
        }, columns=columns)

    out[sid] = pd.Series(sector, index=out.index, dtype=object).where(pd.Series(sector, index=out.index) != "", None)
    out[names.sector_source] = pd.Series(lahde, index=out.index, dtype=object)
    sote = set(classification.sote)
    out[names.group] = np.where(pd.Series(sector).isin(sote).to_numpy(), names.group_sote, names.group_other)

    # -- sub-region of the home municipality ---------------------------------
    home = names.q_home
    subregion = {m.code: m.subregion_code for m in municipalities}
    if home in out.columns:
        out[names.subregion] = out[home].map(subregion).astype(object)
        out[names.subregion] = out[names.subregion].where(out[names.subregion].notna(), None)
    else:
        out[names.subregion] = None

    # -- size class -------------------------------------------------------------
    members_col = names.q_members
    size = pd.Series(None, index=out.index, dtype=object)
    if members_col in out.columns and classification.size_classes:
        members = pd.to_numeric(out[members_col], errors="coerce")
        for c in classification.size_classes:
            hit = members.ge(c.low) & (members.lt(c.high) if c.high is not None else True) & size.isna()
            size[hit] = c.key
    out[names.size] = size

    # -- reach --------------------------------------------------------------------
    area_col = names.q_reach
    reach = (out[area_col].where(out[area_col].notna(), None).astype(object) if area_col in out.columns
             else pd.Series(None, index=out.index, dtype=object))
    note = pd.Series(None, index=out.index, dtype=object)
    q_where = names.q_reach_municipalities
    cols = [c for c in out.columns if str(c).startswith(q_where + "__") and not str(c).endswith(OTHER_SUFFIX)]
    if cols:
        # column by column: no matrix of the whole multi-select
        answered_where = pd.Series(False, index=out.index)
        count = pd.Series(0.0, index=out.index)
        for c in cols:
            tick = pd.to_numeric(out[c], errors="coerce").astype("float64")
            answered_where |= tick.notna()
            count += tick.fillna(0.0)
        need = reach.isna() & answered_where & (count > 0)
        inferred = pd.Series(None, index=out.index, dtype=object)
        reach_of = classification.reach
        inferred[need & (count == 1)] = reach_of.get("yksi", "paikallinen")
        inferred[need & (count > 1)] = reach_of.get("useampi", "seudullinen")
        inferred[need & (count >= len(cols))] = reach_of.get("kaikki", "maakunnallinen")
        reach = reach.where(~need, inferred)
        note[need] = ("Ulottuvuus päätelty toimintakuntien määrästä (" + count[need].astype(int).astype(str)
                      + f"/{len(cols)}): " + inferred[need].astype(str))
    out[names.reach] = reach
    out[REACH_NOTE] = note
    return out, decision_rows.reset_index(drop=True)
