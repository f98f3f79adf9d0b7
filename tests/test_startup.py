"""Fast start-up: the light commands never import WeasyPrint or matplotlib.

Each case runs the command in a fresh ``python -c`` subprocess and then looks at
``sys.modules`` (no timings: the machine is shared).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


PROBE = """
import json, sys
from typer.testing import CliRunner
from kartoitus.cli import app
result = CliRunner().invoke(app, {args!r})
heavy = sorted({{name.split('.')[0] for name in sys.modules}} & {{'weasyprint', 'matplotlib', 'pypdf', 'pypdfium2'}})
print(json.dumps({{"exit": result.exit_code, "heavy": heavy, "output": result.output[-2000:]}}))
"""


def _probe(args: list[str], cwd: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def raw_root(tmp_path_factory, settings) -> Path:
    from kartoitus.demo import write_demo_wave

    root = tmp_path_factory.mktemp("startup") / "raw"
    write_demo_wave(root / "2025", settings, year=2025, n_associations=60, seed=5)
    return root


def test_importing_the_cli_loads_nothing_heavy(tmp_path):
    code = ("import sys, kartoitus.cli; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('weasyprint', 'matplotlib', 'pandas', 'numpy', 'pypdf', 'jinja2')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.mark.parametrize("args", [["--help"], ["build-report", "--help"], ["--version"]])
def test_help_and_version_load_nothing_heavy(args, tmp_path):
    out = _probe(args, tmp_path)
    assert out["exit"] == 0, out["output"]
    assert out["heavy"] == []


def test_validate_loads_nothing_heavy(raw_root, tmp_path):
    out = _probe(["validate", str(raw_root / "2025" / "jarjestokysely_vastaukset.csv")], tmp_path)
    assert out["exit"] == 0, out["output"]
    assert "Rivejä" in out["output"]
    assert out["heavy"] == []


def test_build_data_loads_nothing_heavy(raw_root, tmp_path):
    out = _probe(["build-data", "--raw", str(raw_root), "--processed", str(tmp_path / "processed")], tmp_path)
    assert out["exit"] == 0, out["output"]
    assert "Rivejä sisään" in out["output"]
    assert (tmp_path / "processed" / "2025" / "audit.csv").exists()
    assert out["heavy"] == []
