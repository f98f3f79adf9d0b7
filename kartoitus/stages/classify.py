"""Derived classifications of the association survey.

Pure: cleaned (and de-duplicated) data in, data with derived columns and a table
of automatic decisions out. The rules and classes live in
``kartoitus/data/luokittelu.yaml``; this module only applies them.

Derived columns:

- ``paatoimiala``: the answered main sector is kept (``paatoimiala_lahde`` =
  ``vastaus``). Where it is missing, ``muu`` or an other-text, the rules of
  ``luokittelu.yaml`` are tried in order over the association name, the
  other-texts and the ``toimialat`` answers; the first match decides
  (``paatoimiala_lahde`` = the rule id); when none matches the sector is
  ``muu`` (``paatoimiala_lahde`` = ``muu``). A row whose ``paatoimiala_lahde``
  is already set (``korjaus``) is left as it is.
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

from kartoitus.settings.codebook import (
    ASSOCIATION_SURVEY,
    OTHER_SUFFIX,
    Municipalities,
    Survey,
    default_codebook,
)
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

ANSWER = "vastaus"
NO_RULE = "muu"
OTHER_KEY = "muu"
DECISION_COLUMNS = ["tiedosto", "rivi", "paatoimiala", "lahde", "selite"]
FIELD_TEXT = {"nimi": "nimessä", "muu": "päätoimialan Muu-tekstissä", "toimialat_muu": "toimialojen Muu-tekstissä"}

def _role(config: Classification, role: str) -> str:
    return config.roles.get(role, role)


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


def classify(data: pd.DataFrame, survey: Survey, rules: list[Rule] | None = None,
             municipalities: Municipalities | None = None,
             config: Classification | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the derived columns; return ``(data, decisions)``.

    ``decisions`` has one row per automatic main-sector decision (rule or
    ``muu``): ``tiedosto, rivi, paatoimiala, lahde, selite``; ``selite`` says,
    in Finnish, which rule matched which text. Data of the municipality
    survey is returned unchanged (no derived columns there).
    """
    decisions_empty = pd.DataFrame(columns=DECISION_COLUMNS)
    if survey.id != ASSOCIATION_SURVEY:
        return data.copy(), decisions_empty
    if config is None:  # TODO(settings): callers pass settings.classification
        from kartoitus.settings.codebook import data_dir
        config = load_classification(data_dir() / RULES_FILE)
    rules = list(config.rules) if rules is None else list(rules)
    municipalities = municipalities or default_codebook().municipalities
    out = data.copy(deep=False)   # copy-on-write: the new columns never touch ``data``

    q_sector = survey.question(_role(config, "paatoimiala"))
    sector_keys = list(q_sector.option_keys())
    labels = {o.key: o.label for o in q_sector.options}
    labels[OTHER_KEY] = "Muu"
    for r in rules:
        if r.kind != SINGLE_SECTOR and r.sector not in labels:
            raise ConfigError(f"{RULES_FILE}: säännön {r.id} toimiala {r.sector!r} ei ole päätoimialan "
                              f"vaihtoehto; käytä jotakin näistä: {', '.join(sector_keys)}")
    bad_sote = [s for s in config.sote if s not in labels]
    if bad_sote:
        raise ConfigError(f"{RULES_FILE}: sote-listan toimialat {bad_sote} eivät ole päätoimialan vaihtoehtoja")

    sid = q_sector.id
    answer = out[sid] if sid in out.columns else pd.Series(None, index=out.index, dtype=object)
    answer = answer.where(answer.notna(), "").astype(str).str.strip()
    source = (out["paatoimiala_lahde"] if "paatoimiala_lahde" in out.columns
              else pd.Series(None, index=out.index, dtype=object))
    preset = source.notna() & (source.astype(str).str.strip() != "")
    answered = answer.isin(sector_keys) & ~preset
    target = ~answered & ~preset

    sector = answer.where(answered | preset, "").to_numpy(dtype=object)
    lahde = np.where(answered, ANSWER, "").astype(object)
    lahde[preset.to_numpy()] = source[preset].astype(str).to_numpy()
    decision_rows = pd.DataFrame(columns=DECISION_COLUMNS)

    if target.any():
        q_sectors = survey.question(_role(config, "toimialat")) if _role(config, "toimialat") in survey else None
        # only the columns the rules read, of the rows they decide (not a copy of the whole frame)
        wanted = {"tiedosto", "rivi", _role(config, "nimi"), sid + OTHER_SUFFIX}
        if q_sectors is not None:
            wanted |= {q_sectors.id + OTHER_SUFFIX} | {f"{q_sectors.id}__{k}" for k in q_sectors.option_keys()}
        t = out.loc[target, [c for c in out.columns if c in wanted]]
        combos_full = pd.DataFrame({
            "nimi": _text_col(t, _role(config, "nimi")),
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
        rule_ids = np.array([r.id for r in rules] + [NO_RULE], dtype=object)
        rule_sectors = np.array([r.sector for r in rules] + [OTHER_KEY], dtype=object)
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
            "tiedosto": t["tiedosto"].to_numpy() if "tiedosto" in t.columns else "",
            "rivi": t["rivi"].to_numpy() if "rivi" in t.columns else t.index.to_numpy(),
            "paatoimiala": chosen,
            "lahde": chosen_lahde,
            "selite": selite,
        }, columns=DECISION_COLUMNS)

    out[sid] = pd.Series(sector, index=out.index, dtype=object).where(pd.Series(sector, index=out.index) != "", None)
    out["paatoimiala_lahde"] = pd.Series(lahde, index=out.index, dtype=object)
    sote = set(config.sote)
    out["toimialaryhma"] = np.where(pd.Series(sector).isin(sote).to_numpy(), "sote", "muut")

    # -- sub-region of the home municipality ---------------------------------
    home = _role(config, "kotikunta")
    subregion = {m.code: m.subregion_code for m in municipalities}
    if home in out.columns:
        out["seutukunta_koodi"] = out[home].map(subregion).astype(object)
        out["seutukunta_koodi"] = out["seutukunta_koodi"].where(out["seutukunta_koodi"].notna(), None)
    else:
        out["seutukunta_koodi"] = None

    # -- size class -------------------------------------------------------------
    members_col = _role(config, "jasenmaara")
    size = pd.Series(None, index=out.index, dtype=object)
    if members_col in out.columns and config.size_classes:
        members = pd.to_numeric(out[members_col], errors="coerce")
        for c in config.size_classes:
            hit = members.ge(c.low) & (members.lt(c.high) if c.high is not None else True) & size.isna()
            size[hit] = c.key
    out["kokoluokka"] = size

    # -- reach --------------------------------------------------------------------
    area_col = _role(config, "toiminta_alue")
    reach = (out[area_col].where(out[area_col].notna(), None).astype(object) if area_col in out.columns
             else pd.Series(None, index=out.index, dtype=object))
    note = pd.Series(None, index=out.index, dtype=object)
    q_where = _role(config, "toimintakunnat")
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
        inferred[need & (count == 1)] = config.reach.get("yksi", "paikallinen")
        inferred[need & (count > 1)] = config.reach.get("useampi", "seudullinen")
        inferred[need & (count >= len(cols))] = config.reach.get("kaikki", "maakunnallinen")
        reach = reach.where(~need, inferred)
        note[need] = ("Ulottuvuus päätelty toimintakuntien määrästä (" + count[need].astype(int).astype(str)
                      + f"/{len(cols)}): " + inferred[need].astype(str))
    out["ulottuvuus"] = reach
    out["_ulottuvuus_selite"] = note
    return out, decision_rows.reset_index(drop=True)
