"""Typed view of the codebook data files in ``kartoitus/data/``.

The codebook is the project's own copy of the survey instrument (questions,
options, canonical variable names) plus what the toolkit needs on top of it
(title aliases, years a question was asked, de-duplication keys). Everything else
in the package asks this module for column names instead of writing them again.

Processed-data columns follow the conventions of the instrument README:

- ``single``: ``<id>`` holds the option key, ``<id>__muu`` the other-text;
- ``multi``: ``<id>__<option key>`` 0/1 per option, ``<id>__muu`` the other-text
  (for ``options_from: municipalities`` the key is the municipality code);
- ``grid``: one numeric column per row id;
- ``municipality``: ``<id>`` the three-digit code (or ``ulkopuolella``) and
  ``<id>_nimi`` the name.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import yaml

from kartoitus.errors import KartoitusError
from kartoitus.settings.exports import EXPORTS_FILE, ExportTools, load_exports

QUESTION_TYPES = {
    "timestamp",
    "text",
    "number",
    "single",
    "multi",
    "grid",
    "scale",
    "municipality",
}

#: Key of the "outside the region" option of a municipality question.
OUTSIDE_REGION = "ulkopuolella"
#: Suffix of the other-text column of a single or multi question.
OTHER_SUFFIX = "__muu"
#: Name columns that go with a municipality question: ``kotikunta_nimi``.
NAME_SUFFIX = "_nimi"
#: Survey ids, in the order the toolkit processes them.
ASSOCIATION_SURVEY = "jarjestokysely"
MUNICIPALITY_SURVEY = "kuntakysely"


@dataclass(frozen=True)
class Option:
    key: str
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    title: str
    required: bool = False
    personal: bool = False
    identifying: bool = False
    options: tuple[Option, ...] = ()
    allow_other: bool = False
    options_from: str | None = None
    extra_options: tuple[str, ...] = ()
    rows: tuple[Option, ...] = ()
    columns: tuple[tuple[str, float | None], ...] = ()
    ordered: bool = False
    min: float | None = None
    max: float | None = None
    count: bool = False          # number question: a whole count (members, volunteers)
    aliases: tuple[str, ...] = ()
    since: int | None = None
    until: int | None = None
    notes: str = ""

    # -- what the question looks like in an export -------------------------
    def titles(self) -> tuple[str, ...]:
        """The form title and every known alias (locales, earlier years)."""
        return (self.title, *self.aliases)

    def grid_titles(self) -> dict[str, str]:
        """Export column title of each grid row: ``Title [Row]`` -> row id."""
        out = {}
        for title in self.titles():
            for row in self.rows:
                out[f"{title} [{row.label}]"] = row.key
        return out

    def asked_in(self, year: int) -> bool:
        if self.since is not None and year < self.since:
            return False
        if self.until is not None and year > self.until:
            return False
        return True

    # -- options -----------------------------------------------------------
    def option_keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    def label_of(self, key: str) -> str:
        for o in self.options:
            if o.key == key:
                return o.label
        raise KeyError(f"{self.id}: no option {key!r}")

    def grid_values(self) -> dict[str, float | None]:
        return dict(self.columns)

    # -- what the question looks like in processed data ----------------------
    def processed_columns(self, municipalities: "Municipalities | None" = None,
                          year: int | None = None) -> list[str]:
        """Columns this question gives in processed data (personal: none)."""
        if self.personal:
            return []
        if self.type == "grid":
            return [r.key for r in self.rows]
        if self.type == "multi":
            keys = list(self.option_keys())
            if self.options_from == "municipalities":
                if municipalities is None:
                    raise ValueError("municipality options need the municipality list")
                keys = [m.code for m in municipalities.for_year(year)]
            cols = [f"{self.id}__{k}" for k in keys]
            if self.allow_other:
                cols.append(self.id + OTHER_SUFFIX)
            return cols
        if self.type == "municipality":
            return [self.id, self.id + NAME_SUFFIX]
        if self.type == "single" and self.allow_other:
            return [self.id, self.id + OTHER_SUFFIX]
        return [self.id]


@dataclass(frozen=True)
class Survey:
    id: str
    title: str
    unit: str
    key: str
    dedupe: tuple[tuple[str, ...], ...]
    questions: tuple[Question, ...]

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(f"{self.id}: no question {qid!r}")

    def __contains__(self, qid: str) -> bool:
        return any(q.id == qid for q in self.questions)

    def of_type(self, *types: str) -> list[Question]:
        return [q for q in self.questions if q.type in types]

    def required(self) -> list[Question]:
        return [q for q in self.questions if q.required]

    def personal(self) -> list[Question]:
        return [q for q in self.questions if q.personal]

    def identifying(self) -> list[Question]:
        return [q for q in self.questions if q.identifying]

    def asked_in(self, year: int) -> list[Question]:
        return [q for q in self.questions if q.asked_in(year)]

    def processed_columns(self, municipalities: "Municipalities", year: int) -> list[str]:
        cols: list[str] = []
        for q in self.asked_in(year):
            cols.extend(q.processed_columns(municipalities, year))
        return cols


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    subregion_code: str
    subregion: str
    valid_from: int | None
    valid_to: int | None
    other_names: tuple[str, ...] = ()

    def in_region(self, year: int | None) -> bool:
        if year is None:
            return True
        if self.valid_from is not None and year < self.valid_from:
            return False
        if self.valid_to is not None and year > self.valid_to:
            return False
        return True


@dataclass(frozen=True)
class Municipalities:
    items: tuple[Municipality, ...]
    #: known village and district names -> municipality code
    villages: Mapping[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Municipality]:
        return iter(self.items)

    def for_year(self, year: int | None) -> list[Municipality]:
        return [m for m in self.items if m.in_region(year)]

    def by_code(self, code: str) -> Municipality:
        for m in self.items:
            if m.code == code:
                return m
        raise KeyError(f"no municipality with code {code!r}")

    def name_of(self, code: str) -> str:
        return self.by_code(code).name

    def subregions(self, year: int | None = None) -> dict[str, str]:
        """Sub-region code -> name, for the municipalities of ``year``."""
        return {m.subregion_code: m.subregion for m in self.for_year(year)}

    def find(self, text: str, year: int | None = None) -> Municipality | None:
        """A municipality by exact code or name (case-insensitive), else None."""
        t = text.strip().casefold()
        for m in self.for_year(year):
            if t == m.code or t == m.name.casefold():
                return m
        return None


@dataclass(frozen=True)
class Codebook:
    surveys: Mapping[str, Survey]
    municipalities: Municipalities
    #: short hash of the data files: changes when the codebook changes
    version: str
    #: the survey tools whose exports are read, and their own columns (viennit.yaml)
    exports: ExportTools = field(default_factory=ExportTools)

    def survey(self, sid: str) -> Survey:
        try:
            return self.surveys[sid]
        except KeyError:
            raise KeyError(f"no survey {sid!r}; known: {', '.join(self.surveys)}") from None

    @property
    def association(self) -> Survey:
        return self.surveys[ASSOCIATION_SURVEY]

    @property
    def home_column(self) -> str:
        """The association survey's municipality question (``kotikunta``)."""
        qs = self.association.of_type("municipality")
        if not qs:
            raise KartoitusError("codebook: the association survey has no municipality question")
        return qs[0].id

    @property
    def municipality(self) -> Survey:
        return self.surveys[MUNICIPALITY_SURVEY]


def municipality_codes(values):
    """Municipality codes as three-digit text: ``77``, ``77.0``, ``" 077"`` -> ``"077"``.

    Takes a pandas Series of anything a file or a frame may hold (ints, floats,
    text); returns a ``string`` Series with ``<NA>`` for a missing code. Text that
    is not a code (``ulkopuolella``) is kept as it is.
    """
    import pandas as pd

    if pd.api.types.is_numeric_dtype(values):
        values = values.astype("Int64")
    t = values.astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)
    t = t.where(t != "", pd.NA)
    digits = t.str.fullmatch(r"\d{1,3}").fillna(False).astype(bool)
    return t.where(~digits, t.str.zfill(3))


# -- loading -------------------------------------------------------------------

SURVEY_FILES = ("jarjestokysely.yaml", "kuntakysely.yaml")
MUNICIPALITY_FILE = "kunnat.csv"
VILLAGE_FILE = "kylat.csv"


def data_dir() -> Path:
    """The package's data folder (codebook, rules, scoring)."""
    return Path(str(resources.files("kartoitus") / "data"))


def _opt_int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value else None


def _question(raw: Mapping, survey_id: str) -> Question:
    qid = raw.get("id")
    qtype = raw.get("type")
    if not qid or qtype not in QUESTION_TYPES:
        raise KartoitusError(
            f"codebook {survey_id}: question {qid!r} has type {qtype!r}; "
            f"use one of {', '.join(sorted(QUESTION_TYPES))}"
        )
    options = tuple(Option(str(k), str(v)) for k, v in (raw.get("options") or {}).items())
    rows = tuple(Option(str(k), str(v)) for k, v in (raw.get("rows") or {}).items())
    columns = tuple(
        (str(k), None if v is None else float(v)) for k, v in (raw.get("columns") or {}).items()
    )
    return Question(
        id=str(qid),
        type=str(qtype),
        title=str(raw["title"]).strip(),
        required=bool(raw.get("required", False)),
        personal=bool(raw.get("personal", False)),
        identifying=bool(raw.get("identifying", False)),
        options=options,
        allow_other=bool(raw.get("allow_other", False)),
        options_from=raw.get("options_from"),
        extra_options=tuple(raw.get("extra_options") or ()),
        rows=rows,
        columns=columns,
        ordered=bool(raw.get("ordered", False)),
        min=raw.get("min"),
        max=raw.get("max"),
        count=bool(raw.get("count", False)),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
        since=raw.get("since"),
        until=raw.get("until"),
        notes=str(raw.get("notes") or "").strip(),
    )


def load_survey(path: Path) -> Survey:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    sid = raw["survey"]
    questions = tuple(_question(q, sid) for q in raw["questions"])
    ids = [q.id for q in questions]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise KartoitusError(f"codebook {path.name}: question ids used twice: {sorted(dupes)}")
    return Survey(
        id=sid,
        title=raw.get("title", sid),
        unit=raw.get("unit", ""),
        key=raw.get("key", ""),
        dedupe=tuple(tuple(k) for k in raw.get("dedupe") or ()),
        questions=questions,
    )


def load_municipalities(path: Path, villages_path: Path | None = None) -> Municipalities:
    with path.open(encoding="utf-8", newline="") as fh:
        items = tuple(
            Municipality(
                code=row["kuntanumero"].strip().zfill(3),
                name=row["nimi"].strip(),
                subregion_code=row["seutukunta_koodi"].strip(),
                subregion=row["seutukunta"].strip(),
                valid_from=_opt_int(row.get("maakunnassa_alkaen")),
                valid_to=_opt_int(row.get("maakunnassa_asti")),
                other_names=tuple(n.strip() for n in (row.get("muut_nimet") or "").split("|") if n.strip()),
            )
            for row in csv.DictReader(fh)
        )
    villages: dict[str, str] = {}
    if villages_path is not None and villages_path.exists():
        with villages_path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                villages[row["nimi"].strip()] = row["kuntanumero"].strip().zfill(3)
    return Municipalities(items=items, villages=villages)


def _hash_files(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        if p.exists():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:12]


def load_codebook(folder: Path | None = None) -> Codebook:
    """Read the codebook from ``folder`` (default: the package data)."""
    folder = Path(folder) if folder is not None else data_dir()
    surveys = {}
    for name in SURVEY_FILES:
        s = load_survey(folder / name)
        surveys[s.id] = s
    munis = load_municipalities(folder / MUNICIPALITY_FILE, folder / VILLAGE_FILE)
    version = _hash_files(folder / n for n in (*SURVEY_FILES, MUNICIPALITY_FILE, VILLAGE_FILE, EXPORTS_FILE))
    return Codebook(surveys=surveys, municipalities=munis, version=version,
                    exports=load_exports(folder / EXPORTS_FILE))


@lru_cache(maxsize=1)
def default_codebook() -> Codebook:
    """The package's codebook, loaded once per process."""
    return load_codebook()
