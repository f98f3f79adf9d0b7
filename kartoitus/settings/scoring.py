"""Kuntatutka scoring settings: ``kuntatutka.yaml`` read and checked into frozen objects.

``publication.kuntatutka`` computes the scores; this module only parses the rules
(dimensions and their items, the checklist, the two-views pairs) and checks them
against the codebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from kartoitus.errors import ConfigError
from kartoitus.settings.codebook import Codebook, Survey
from kartoitus.settings.files import read_yaml

SCORING_FILE = "kuntatutka.yaml"
ITEM_KINDS = ("option", "number", "count", "grid_mean")
CHECK_KINDS = ("option", "number")
#: Column of the total score (mean of the dimension scores).
TOTAL = "kokonaispisteet"
TOTAL_LABEL = "Kokonaispisteet"


@dataclass(frozen=True)
class Threshold:
    min: float
    points: float


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    kind: str
    question: str
    max_points: float
    points: Mapping[str, float] = None  # type: ignore[assignment]  # option: key -> points
    thresholds: tuple[Threshold, ...] = ()  # number/count: highest min first
    per_inhabitant: bool = False
    include_other: bool = False
    unit: str = ""
    since: int | None = None
    until: int | None = None
    note: str = ""

    def in_year(self, year: int, survey: Survey) -> bool:
        if self.since is not None and year < self.since:
            return False
        if self.until is not None and year > self.until:
            return False
        return survey.question(self.question).asked_in(year)


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    items: tuple[Item, ...]
    label_en: str = ""
    since: int | None = None
    until: int | None = None

    def items_in(self, year: int, survey: Survey) -> list[Item]:
        if self.since is not None and year < self.since:
            return []
        if self.until is not None and year > self.until:
            return []
        return [i for i in self.items if i.in_year(year, survey)]


@dataclass(frozen=True)
class CheckItem:
    id: str
    text: str
    kind: str
    question: str
    met: tuple[str, ...] = ()
    min: float | None = None


@dataclass(frozen=True)
class ViewPart:
    question: str
    label: str
    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()
    yes_min: float | None = None
    no_max: float | None = None


@dataclass(frozen=True)
class ViewPair:
    statement: str
    topic: str
    combine: str
    parts: tuple[ViewPart, ...]


@dataclass(frozen=True)
class TwoViewRules:
    agree_from: float
    yes_below_pct: float
    no_from_pct: float
    pairs: tuple[ViewPair, ...]


@dataclass(frozen=True)
class Scoring:
    dimensions: tuple[Dimension, ...]
    checklist: tuple[CheckItem, ...]
    two_views: TwoViewRules
    no_answer_keys: tuple[str, ...]
    source: str = SCORING_FILE
    version: int = 1

    @property
    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.dimensions]

    def labels(self, include_total: bool = False) -> dict[str, str]:
        out = {d.id: d.label for d in self.dimensions}
        if include_total:
            out[TOTAL] = TOTAL_LABEL
        return out


def _need(raw: Mapping, key: str, where: str, source: str) -> Any:
    if not isinstance(raw, Mapping) or raw.get(key) in (None, ""):
        raise ConfigError(f"{source}: {where} has no {key!r}; add it (see the comments at the top of the file)")
    return raw[key]


def _thresholds(raw: Any, where: str, source: str) -> tuple[Threshold, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{source}: {where} needs 'thresholds', a list of {{min, points}}")
    out = []
    for t in raw:
        try:
            out.append(Threshold(float(t["min"]), float(t["points"])))
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"{source}: {where}: threshold {t!r} must be {{min: <number>, points: <number>}}") from None
    mins = [t.min for t in out]
    if len(set(mins)) != len(mins):
        raise ConfigError(f"{source}: {where}: two thresholds have the same min")
    return tuple(sorted(out, key=lambda t: -t.min))


def _item(raw: Mapping, dim_id: str, source: str, survey: Survey, no_answer: tuple[str, ...]) -> Item:
    iid = str(_need(raw, "id", f"an item of dimension {dim_id!r}", source))
    where = f"item {dim_id}.{iid}"
    kind = _need(raw, "kind", where, source)
    if kind not in ITEM_KINDS:
        raise ConfigError(f"{source}: {where} has kind {kind!r}; use one of {', '.join(ITEM_KINDS)}")
    qid = str(_need(raw, "question", where, source))
    if qid not in survey:
        raise ConfigError(f"{source}: {where} names question {qid!r}, which is not in the municipality survey codebook")
    q = survey.question(qid)
    expected = {"option": ("single",), "number": ("number", "scale"), "count": ("multi",), "grid_mean": ("grid",)}[kind]
    if q.type not in expected:
        raise ConfigError(f"{source}: {where}: kind {kind} needs a {'/'.join(expected)} question, {qid} is {q.type}")
    common = dict(
        id=iid, label=str(raw.get("label") or q.title), kind=kind, question=qid,
        per_inhabitant=bool(raw.get("per_inhabitant", False)),
        include_other=bool(raw.get("include_other", False)),
        unit=str(raw.get("unit") or ""), since=raw.get("since"), until=raw.get("until"),
        note=" ".join(str(raw.get("note") or "").split()),
    )
    if kind == "option":
        pts = _need(raw, "points", where, source)
        if not isinstance(pts, Mapping):
            raise ConfigError(f"{source}: {where}: points must map option keys to points")
        keys = set(q.option_keys())
        unknown = set(map(str, pts)) - keys
        if unknown:
            raise ConfigError(f"{source}: {where}: {sorted(unknown)} are not options of {qid} ({', '.join(sorted(keys))})")
        missing = keys - set(map(str, pts)) - set(no_answer)
        if missing:
            raise ConfigError(f"{source}: {where}: give points for options {sorted(missing)} of {qid} "
                              f"(or list them in no_answer_keys)")
        points = {str(k): float(v) for k, v in pts.items()}
        return Item(max_points=max(points.values()), points=points, **common)
    if kind in ("number", "count"):
        th = _thresholds(raw.get("thresholds"), where, source)
        return Item(max_points=max(t.points for t in th), thresholds=th, **common)
    mp = float(_need(raw, "max_points", where, source))
    return Item(max_points=mp, **common)


def _view_part(raw: Mapping, where: str, source: str, survey: Survey) -> ViewPart:
    qid = str(_need(raw, "question", where, source))
    if qid not in survey:
        raise ConfigError(f"{source}: {where} names question {qid!r}, which is not in the municipality survey codebook")
    q = survey.question(qid)
    part = ViewPart(
        question=qid, label=str(raw.get("label") or q.title),
        yes=tuple(map(str, raw.get("yes_keys") or ())), no=tuple(map(str, raw.get("no_keys") or ())),
        yes_min=None if raw.get("yes_min") is None else float(raw["yes_min"]),
        no_max=None if raw.get("no_max") is None else float(raw["no_max"]),
    )
    if q.type == "single":
        bad = (set(part.yes) | set(part.no)) - set(q.option_keys())
        if bad or not part.yes:
            raise ConfigError(f"{source}: {where}: yes_keys/no_keys must be option keys of {qid} "
                              f"({', '.join(q.option_keys())}); wrong: {sorted(bad) or 'yes_keys is empty'}")
    elif q.type in ("number", "scale"):
        if part.yes_min is None:
            raise ConfigError(f"{source}: {where}: number question {qid} needs yes_min (and optionally no_max)")
    else:
        raise ConfigError(f"{source}: {where}: question {qid} is {q.type}; use a single, number or scale question")
    return part


def load_scoring(path: Path | str, codebook: Codebook) -> Scoring:
    """Read and check the kuntatutka scoring rules against the codebook."""
    path = Path(path)
    source = path.name
    raw = read_yaml(path, "odotettiin osioita dimensions, checklist ja two_views")
    cb = codebook
    survey = cb.municipality
    no_answer = tuple(map(str, raw.get("no_answer_keys") or ()))

    dims = []
    for d in _need(raw, "dimensions", "the file", source):
        did = str(_need(d, "id", "a dimension", source))
        items = tuple(_item(i, did, source, survey, no_answer) for i in _need(d, "items", f"dimension {did!r}", source))
        dims.append(Dimension(id=did, label=str(_need(d, "label", f"dimension {did!r}", source)), items=items,
                              label_en=str(d.get("label_en") or ""), since=d.get("since"), until=d.get("until")))
    ids = [d.id for d in dims]
    if len(set(ids)) != len(ids) or TOTAL in ids:
        raise ConfigError(f"{source}: dimension ids must be unique and not {TOTAL!r}: {ids}")

    checks = []
    for c in raw.get("checklist") or ():
        cid = str(_need(c, "id", "a checklist item", source))
        where = f"checklist item {cid!r}"
        kind = _need(c, "kind", where, source)
        qid = str(_need(c, "question", where, source))
        if kind not in CHECK_KINDS or qid not in survey:
            raise ConfigError(f"{source}: {where}: kind must be one of {CHECK_KINDS} and question a "
                              f"municipality survey question (got {kind!r}, {qid!r})")
        q = survey.question(qid)
        if kind == "option":
            met = tuple(map(str, _need(c, "met", where, source)))
            bad = set(met) - set(q.option_keys())
            if bad:
                raise ConfigError(f"{source}: {where}: {sorted(bad)} are not options of {qid}")
            checks.append(CheckItem(cid, str(_need(c, "text", where, source)), kind, qid, met=met))
        else:
            checks.append(CheckItem(cid, str(_need(c, "text", where, source)), kind, qid,
                                    min=float(_need(c, "min", where, source))))

    tv = raw.get("two_views") or {}
    grid_rows = {r.key: r for q in cb.association.of_type("grid") for r in q.rows}
    pairs = []
    for p in tv.get("pairs") or ():
        st = str(_need(p, "statement", "a two_views pair", source))
        if st not in grid_rows:
            raise ConfigError(f"{source}: two_views statement {st!r} is not a grid row of the association survey")
        combine = str(p.get("combine") or "any")
        if combine not in ("any", "all"):
            raise ConfigError(f"{source}: two_views {st}: combine must be 'any' or 'all'")
        parts = tuple(_view_part(x, f"two_views {st}", source, survey)
                      for x in _need(p, "municipality", f"two_views {st}", source))
        pairs.append(ViewPair(st, str(p.get("topic") or grid_rows[st].label), combine, parts))
    conflict = tv.get("conflict") or {}
    rules = TwoViewRules(agree_from=float(tv.get("agree_from", 4)),
                         yes_below_pct=float(conflict.get("yes_below_pct", 50)),
                         no_from_pct=float(conflict.get("no_from_pct", 70)),
                         pairs=tuple(pairs))
    return Scoring(dimensions=tuple(dims), checklist=tuple(checks), two_views=rules,
                   no_answer_keys=no_answer, source=source, version=int(raw.get("version", 1)))
