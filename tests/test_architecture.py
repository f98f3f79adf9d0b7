"""The layering that README.md and docs/design.md describe, enforced.

- the import-linter contracts in pyproject.toml (layers, pure outputs, no cycles);
- outputs/ and publication/ do no file I/O (checked on the source: no call of a
  file-reading or file-writing function or method);
- settings are loaded only at the edge;
- rooms of a human size: no module over 600 lines;
- the package never puts tests/ on ``sys.path``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kartoitus"
MAX_LINES = 600

#: calls that read or write files (function names and method names)
FILE_IO = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "read_csv", "to_csv",
           "read_excel", "to_excel", "mkdir", "exists", "is_file", "is_dir", "glob", "rglob", "iterdir",
           "unlink", "savefig", "write_pdf", "load_wave", "read_processed_csv", "connect",
           "atomic_write_bytes", "atomic_write_text"}
#: where settings may be built from the data files
#: where files of settings may be read. The demo generator is an edge tool of its own (it
#: writes export files); its demo.yaml configures the made-up answers, not a build.
SETTINGS_EDGE = {"kartoitus/settings", "kartoitus/cli.py", "kartoitus/build", "kartoitus/demo/config.py"}


def _modules(folder: Path = PACKAGE):
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def test_import_contracts_hold():
    """`lint-imports` with the contracts of pyproject.toml (layers, pure outputs, no cycles)."""
    proc = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                           "lint_imports_command()"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def _io_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in ("os", "shutil"):
                name = f"{f.value.id}.{f.attr}"   # os.replace, shutil.copy, ...
            if name in FILE_IO or (name or "").startswith(("os.", "shutil.")):
                found.append(f"{_rel(path)}:{node.lineno} {name}()")
    return found


@pytest.mark.parametrize("layer", ["outputs", "publication"])
def test_pure_layers_do_no_file_io(layer):
    found = [c for p in _modules(PACKAGE / layer) for c in _io_calls(p)]
    assert not found, "file I/O in a pure layer:\n" + "\n".join(found)


def test_the_checker_sees_file_io(tmp_path):
    """The AST check is not vacuous: it finds the calls it is meant to find."""
    p = tmp_path / "x.py"
    p.write_text("import pandas as pd\nfrom pathlib import Path\n"
                 "def f(q):\n    Path(q).write_text('x')\n    return pd.read_csv(q)\n", encoding="utf-8")
    assert [c.split(" ")[1] for c in _io_calls(p)] == ["write_text()", "read_csv()"]
    p.write_text("import os\nfrom dataclasses import replace\ndef f(a, b):\n    os.replace(a, b)\n"
                 "    return replace(a, x=1), 'a'.replace('a', 'b')\n", encoding="utf-8")
    assert [c.split(" ")[1] for c in _io_calls(p)] == ["os.replace()"]


def test_settings_are_loaded_only_at_the_edge():
    bad = []
    for p in _modules():
        rel = _rel(p)
        if any(rel == e or rel.startswith(e + "/") for e in SETTINGS_EDGE):
            continue
        text = p.read_text(encoding="utf-8")
        for name in ("default_codebook(", "default_settings(", "load_settings(", "load_codebook(",
                     "load_classification(", "load_scoring(", "yaml.safe_load("):
            if name in text:
                bad.append(f"{rel}: {name}")
    assert not bad, "settings loaded inside a stage or output:\n" + "\n".join(bad)


def test_no_module_over_600_lines():
    long = [f"{_rel(p)}: {n}" for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not long, "split these along their seams:\n" + "\n".join(long)


def test_package_never_imports_from_tests():
    bad = [_rel(p) for p in _modules() if "sys.path" in p.read_text(encoding="utf-8")]
    assert not bad
