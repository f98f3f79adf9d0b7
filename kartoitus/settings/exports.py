"""Survey tools whose exports the toolkit reads (``data/viennit.yaml``).

A form tool writes its own columns before the form's questions: Microsoft Forms
``Id``, ``Start time``, ``Completion time``, ``Email``, ``Name``; Google Forms
only the timestamp (a question of the codebook). :class:`ExportTools` recognises
a tool from a header row and tells the role of each of its leading columns
(:data:`TIMESTAMP`, :data:`PERSONAL`, :data:`IGNORE`) and how the tool joins the
options of a multi-select answer.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from kartoitus.errors import ConfigError
from kartoitus.settings.files import read_yaml

EXPORTS_FILE = "viennit.yaml"

#: Roles of a tool's own columns.
TIMESTAMP, PERSONAL, IGNORE = "aikaleima", "henkilotieto", "ohita"
ROLES = (TIMESTAMP, PERSONAL, IGNORE)


def _key(title: str) -> str:
    """A title as the tools' column lists compare it: NFC, spaces collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFC", str(title or "")).split()).casefold().strip(" :?.")


@dataclass(frozen=True)
class ExportTool:
    id: str
    name: str
    detect: tuple[tuple[str, ...], ...] = ()          # title sets, one per language of the tool
    columns: Mapping[str, str] = field(default_factory=dict)   # normalised title -> role
    multi_separator: str = ", "
    how_to_export: str = ""

    def role(self, title: str) -> str | None:
        return self.columns.get(_key(title))

    def matches(self, titles: Sequence[str]) -> bool:
        have = {_key(t) for t in titles}
        return any(all(_key(t) in have for t in group) for group in self.detect)

    def titles_of(self, role: str) -> tuple[str, ...]:
        """The normalised titles of the tool's columns with ``role``."""
        return tuple(t for t, r in self.columns.items() if r == role)


@dataclass(frozen=True)
class ExportTools:
    tools: tuple[ExportTool, ...] = ()
    default: str = ""

    def __iter__(self):
        return iter(self.tools)

    def get(self, tool_id: str | None) -> ExportTool:
        for t in self.tools:
            if t.id == tool_id:
                return t
        for t in self.tools:
            if t.id == self.default:
                return t
        return ExportTool(id=tool_id or "", name=tool_id or "")

    def detect(self, titles: Sequence[str]) -> ExportTool:
        """The tool whose own columns the header row has (else the default tool)."""
        for t in self.tools:
            if t.detect and t.matches(titles):
                return t
        return self.get(self.default)

    def leading_roles(self, tool: ExportTool, titles: Sequence[str]) -> list[str | None]:
        """Role of each title: the tool's own columns, as long as they lead the header
        row (blank titles between them allowed); None for the form's own columns."""
        roles: list[str | None] = [None] * len(titles)
        if not tool.columns:
            return roles
        for i, t in enumerate(titles):
            role = tool.role(t)
            if role is None:
                if str(t or "").strip():
                    break
                continue
            roles[i] = role
        return roles

    def personal_titles(self) -> frozenset[str]:
        """Normalised titles of every tool's personal columns (for purge-personal)."""
        return frozenset(t for tool in self.tools for t in tool.titles_of(PERSONAL))


def normalise_tool_title(title: str) -> str:
    return _key(title)


def _strings(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigError(f"{where}: odotettiin luetteloa otsikoista")
    return tuple(str(v) for v in value)


def parse_exports(raw: Mapping, source: str = EXPORTS_FILE) -> ExportTools:
    tools = []
    for tid, spec in (raw.get("tyokalut") or {}).items():
        if not isinstance(spec, Mapping):
            raise ConfigError(f"{source}: työkalun {tid!r} tiedot puuttuvat")
        columns: dict[str, str] = {}
        for role, titles in (spec.get("sarakkeet") or {}).items():
            if role not in ROLES:
                raise ConfigError(f"{source}: {tid}: tuntematon rooli {role!r}; käytä {', '.join(ROLES)}")
            for t in _strings(titles, f"{source}: {tid}.{role}"):
                columns[_key(t)] = role
        detect = tuple(_strings(g, f"{source}: {tid}.tunnistus") for g in spec.get("tunnistus") or ())
        separator = str(spec.get("monivalinta_erotin") or ", ")
        tools.append(ExportTool(id=str(tid), name=str(spec.get("nimi") or tid), detect=detect,
                                columns=columns, multi_separator=separator,
                                how_to_export=" ".join(str(spec.get("vienti") or "").split())))
    default = str(raw.get("oletus") or (tools[0].id if tools else ""))
    if tools and default not in {t.id for t in tools}:
        raise ConfigError(f"{source}: oletus {default!r} ei ole mikään työkaluista")
    return ExportTools(tools=tuple(tools), default=default)


def load_exports(path: Path) -> ExportTools:
    """Read ``viennit.yaml``; a folder without it knows no tool's own columns."""
    path = Path(path)
    if not path.is_file():
        return ExportTools()
    return parse_exports(read_yaml(path, "odotettiin avaimia oletus ja tyokalut"), path.name)
