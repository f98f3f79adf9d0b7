"""Benchmark of the kartoitus pipeline: stage times, peak memory and the issue's ratios.

Run from the repository root::

    python benchmarks/run.py                       # sizes 900, 10000, 100000, 1000000
    python benchmarks/run.py --sizes 900,10000     # chosen sizes
    python benchmarks/run.py --quick               # smoke run: small sizes, one repeat

What it measures (every ratio is measured in the same run, against its baseline):

- data stage per size: a demo wave of N association answers (all CSV exports) is
  written by a separate process, then a fresh process runs ``build_data`` and the
  indicators and reports the time of each stage (ingest, clean, classify, audit,
  write, load, indicators) and its peak memory (``ru_maxrss``);
- the main report of the smallest wave: charts (the report model with every chart)
  and render (HTML -> PDF), in a fresh process;
- the full regional build of a shipped-size wave (default 900 answers) through the
  command line: default settings on a fresh folder, ``--jobs 1 --force``, and a
  rebuild with nothing changed;
- ``kartoitus infographic SECTOR`` on the built wave against a bare
  ``python -c "import pandas, matplotlib.pyplot, weasyprint"``;
- ``kartoitus --help`` against a bare ``python -c "import typer"``.

The results go to ``benchmarks/results/<git short sha>.json`` (gitignored) so runs
on different commits can be compared. Timings on a shared machine are noisy:
``--repeat N`` takes the best of N for the short command-line measurements.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
YEAR = 2025
FULL_SIZES = (900, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (900, 10_000)
BUILD_SIZE = 900
SECTOR = "elakelaiset"

#: goals of the issue: (name, description, comparison, limit)
GOALS = [
    ("parallel_speedup", "täysi koonti: --jobs 1 --force / oletus", ">=", 1.8),
    ("rebuild_fraction", "koonti ilman muutoksia / täysi koonti", "<=", 0.10),
    ("infographic_ratio", "kartoitus infographic / pelkät tuonnit", "<=", 1.3),
    ("help_ratio", "kartoitus --help / python -c 'import typer'", "<=", 2.0),
    ("data_scaling_100k_10k", "datavaihe 100 000 / 10 000 vastausta", "<=", 12.0),
    ("peak_memory_1m_mb", "datavaihe 1 000 000 vastausta: muistihuippu (Mt)", "<", 2048.0),
]


# -- child processes ----------------------------------------------------------------

def _peak_mb() -> float:
    """Peak resident memory of this process in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def child_generate(raw_dir: Path, size: int, seed: int) -> dict:
    """Write a demo wave of ``size`` association answers as CSV exports (big waves: no xlsx)."""
    from kartoitus import demo
    from kartoitus.settings import load_settings

    settings = load_settings()
    config = demo.load_demo_config(settings.data_dir)
    t0 = time.perf_counter()
    answers = demo.make_answers(settings, YEAR, size, seed, config=config)
    assoc = answers[demo.ASSOCIATION_SURVEY]
    raw_dir.mkdir(parents=True, exist_ok=True)
    styles = {demo.CHANNEL_FORM: (demo.FILE_FORM, demo.STYLE_FORMS_EN),
              demo.CHANNEL_PAPER: (demo.FILE_PAPER, demo.STYLE_EXCEL_FI),
              demo.CHANNEL_LATE: ("jarjestokysely_myohastyneet.csv", demo.STYLE_FORMS_EN)}
    for channel, (name, style) in styles.items():
        part = assoc[assoc["_kanava"] == channel]
        demo.write_association_csv(part, raw_dir / name, settings, config, style)
    demo.write_municipality_csv(answers[demo.MUNICIPALITY_SURVEY], raw_dir / demo.FILE_MUNICIPALITY, settings, config)
    demo.write_survey_window(raw_dir, YEAR, config)
    size_bytes = sum(p.stat().st_size for p in raw_dir.iterdir())
    return {"seconds": time.perf_counter() - t0, "raw_bytes": size_bytes, "rows": int(len(assoc))}


#: progress labels of build.build_data -> benchmark stage
def _stage_of(label: str) -> str:
    if label == "luku":
        return "ingest"
    if label.startswith("siivous") or label == "korjaukset":
        return "clean"
    if label == "luokittelu":
        return "classify"
    if label == "auditointi":
        return "audit"
    if label == "tallennus":
        return "write"
    return "other"


def child_data(raw_root: Path, processed_root: Path) -> dict:
    """Time the data stage and the indicators of one wave in this (fresh) process."""
    t_import = time.perf_counter()
    from kartoitus.stages import bank
    from kartoitus.build import pipeline as build
    from kartoitus.publication import indicators
    from kartoitus.settings import load_settings
    from kartoitus.stages.wave import resolve_wave

    settings = load_settings()
    cb = settings.codebook
    wave = resolve_wave(raw_root, processed_root, None, YEAR)
    imports = time.perf_counter() - t_import
    marks: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    build.build_data(wave, settings, progress=lambda label: marks.append((_stage_of(label), time.perf_counter())))
    t_end = time.perf_counter()
    stages = {k: 0.0 for k in ("ingest", "clean", "classify", "audit", "write")}
    for (stage, start), (_, stop) in zip(marks, marks[1:] + [("end", t_end)]):
        stages[stage] = stages.get(stage, 0.0) + (stop - start)
    data_seconds = t_end - t0
    t1 = time.perf_counter()
    processed = bank.load_wave(wave.processed, wave.year, cb)
    t2 = time.perf_counter()
    from kartoitus.settings import load_settings
    tables = indicators.compute_all(processed.association, processed.municipality, wave.year, load_settings(),
                                    None, 5)
    t3 = time.perf_counter()
    stages.update({"load": t2 - t1, "indicators": t3 - t2})
    return {"imports": imports, "data_stage": data_seconds, "stages": stages,
            "tables": len(tables), "rows": int(len(processed.association)), "peak_mb": _peak_mb()}


def child_report(processed_root: Path, out_dir: Path) -> dict:
    """Charts (report model) and render (HTML -> PDF) of the main report, in this process."""
    from kartoitus.stages import bank
    from kartoitus.publication import indicators
    from kartoitus.outputs.report import report_model
    from kartoitus.publication import Publication
    from kartoitus.render.report import drawn, write_report
    from kartoitus.settings import load_settings

    settings = load_settings()
    processed = bank.load_wave(processed_root / str(YEAR), YEAR, settings.codebook)
    tables = indicators.compute_all(processed.association, processed.municipality, YEAR, settings, None, 5)
    pub = Publication(settings=settings, year=YEAR, threshold=5, meta={}, tables=tables)
    t0 = time.perf_counter()
    model = drawn(report_model(pub))      # the model with its charts drawn
    t1 = time.perf_counter()
    paths = write_report(model, out_dir)
    t2 = time.perf_counter()
    return {"charts": t1 - t0, "render": t2 - t1, "outputs": [str(p) for p in paths], "peak_mb": _peak_mb()}


# -- the parent -------------------------------------------------------------------------

def _run_child(*args: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed: {' '.join(args)}\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _kartoitus() -> list[str]:
    exe = shutil.which("kartoitus")
    return [exe] if exe else [sys.executable, "-m", "kartoitus.cli"]


def _timed(cmd: list[str], cwd: Path, repeat: int = 1) -> float:
    """Best wall time of ``repeat`` runs of a command (which must succeed)."""
    best = float("inf")
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-4000:]}"
                             f"\n{proc.stdout[-2000:]}")
        best = min(best, elapsed)
    return best


def bench_data(sizes: list[int], work: Path, seed: int, log) -> dict:
    out = {}
    for size in sizes:
        raw_root, processed_root = work / f"data-{size}" / "raw", work / f"data-{size}" / "processed"
        gen = _run_child("--child-generate", str(raw_root / str(YEAR)), str(size), str(seed))
        log(f"  {size:>9,} vastausta: esimerkkiaineisto {gen['seconds']:.1f} s, "
            f"{gen['raw_bytes'] / 1e6:.1f} Mt")
        res = _run_child("--child-data", str(raw_root), str(processed_root))
        res["generate"] = gen
        out[str(size)] = res
        log(f"  {size:>9,} vastausta: datavaihe {res['data_stage']:.2f} s, indikaattorit "
            f"{res['stages']['indicators']:.2f} s, muistihuippu {res['peak_mb']:.0f} Mt")
        if size != min(sizes):
            shutil.rmtree(work / f"data-{size}", ignore_errors=True)
    return out


def bench_build(work: Path, size: int, seed: int, repeat: int, log) -> dict:
    kart = _kartoitus()
    root = work / "build"
    raw = root / "raw" / str(YEAR)
    subprocess.run(kart + ["demo-data", "--year", str(YEAR), "--size", str(size), "--seed", str(seed),
                           "--raw", str(root / "raw")], check=True, capture_output=True, cwd=REPO)
    assert raw.is_dir()
    args = ["build-report", "--raw", "raw", "--processed", "processed", "--reports", "reports"]
    res: dict = {"size": size, "cpus": os.cpu_count()}
    res["full_default"] = _timed(kart + args, root)
    log(f"  täysi koonti (oletus, {os.cpu_count()} ydintä): {res['full_default']:.1f} s")
    res["full_jobs1_force"] = _timed(kart + args + ["--jobs", "1", "--force"], root)
    log(f"  täysi koonti (--jobs 1 --force): {res['full_jobs1_force']:.1f} s")
    res["rebuild_unchanged"] = _timed(kart + args, root, repeat)
    log(f"  koonti ilman muutoksia: {res['rebuild_unchanged']:.2f} s")
    res["infographic"] = _timed(kart + ["infographic", SECTOR, "--processed", "processed",
                                        "--reports", "reports"], root, repeat)
    res["bare_imports"] = _timed([sys.executable, "-c", "import pandas, matplotlib.pyplot, weasyprint"],
                                 root, repeat)
    log(f"  infografiikka {res['infographic']:.2f} s, pelkät tuonnit {res['bare_imports']:.2f} s")
    res["help"] = _timed(kart + ["--help"], root, max(repeat, 3))
    res["bare_typer"] = _timed([sys.executable, "-c", "import typer"], root, max(repeat, 3))
    log(f"  --help {res['help']:.2f} s, pelkkä typer {res['bare_typer']:.2f} s")
    res["report_stages"] = _run_child("--child-report", str(root / "processed"), str(work / "report-stages"))
    log(f"  pääraportti: kaaviot {res['report_stages']['charts']:.1f} s, "
        f"taitto {res['report_stages']['render']:.1f} s")
    return res


def ratios(data: dict, build: dict | None) -> dict:
    out: dict[str, float | None] = {name: None for name, *_ in GOALS}
    if build:
        out["parallel_speedup"] = build["full_jobs1_force"] / build["full_default"]
        out["rebuild_fraction"] = build["rebuild_unchanged"] / build["full_default"]
        out["infographic_ratio"] = build["infographic"] / build["bare_imports"]
        out["help_ratio"] = build["help"] / build["bare_typer"]
    if "100000" in data and "10000" in data:
        out["data_scaling_100k_10k"] = data["100000"]["data_stage"] / data["10000"]["data_stage"]
    if "1000000" in data:
        out["peak_memory_1m_mb"] = data["1000000"]["peak_mb"]
    return out


def _met(value, op: str, limit: float) -> bool | None:
    if value is None:
        return None
    return {">=": value >= limit, "<=": value <= limit, "<": value < limit}[op]


def format_tables(data: dict, build: dict | None, rat: dict) -> str:
    lines = []
    stages = ("ingest", "clean", "classify", "audit", "write", "load", "indicators")
    if data:
        head = f"{'vastauksia':>10} " + " ".join(f"{s:>10}" for s in stages) + f" {'datavaihe':>10} {'huippu Mt':>10}"
        lines += ["Datavaihe (s, tuore prosessi per koko)", head, "-" * len(head)]
        for size, r in data.items():
            lines.append(f"{int(size):>10,} " + " ".join(f"{r['stages'].get(s, 0.0):>10.2f}" for s in stages)
                         + f" {r['data_stage']:>10.2f} {r['peak_mb']:>10.0f}")
        lines.append("")
    if build:
        rs = build["report_stages"]
        lines += [f"Koonti ({build['size']} vastausta, {build['cpus']} ydintä)",
                  f"  täysi koonti, oletus          {build['full_default']:8.2f} s",
                  f"  täysi koonti, --jobs 1 --force {build['full_jobs1_force']:7.2f} s",
                  f"  koonti ilman muutoksia         {build['rebuild_unchanged']:7.2f} s",
                  f"  pääraportti: kaaviot (charts)  {rs['charts']:7.2f} s",
                  f"  pääraportti: taitto (render)   {rs['render']:7.2f} s",
                  f"  kartoitus infographic {SECTOR} {build['infographic']:6.2f} s",
                  f"  python -c 'import pandas, matplotlib.pyplot, weasyprint' {build['bare_imports']:6.2f} s",
                  f"  kartoitus --help               {build['help']:7.2f} s",
                  f"  python -c 'import typer'       {build['bare_typer']:7.2f} s", ""]
    head = f"{'tavoite':<50} {'mitattu':>9} {'raja':>9}  tulos"
    lines += ["Tavoitteet (suhteet mitattu samassa ajossa)", head, "-" * len(head)]
    for name, desc, op, limit in GOALS:
        value = rat.get(name)
        met = _met(value, op, limit)
        shown = "-" if value is None else f"{value:.2f}" if "mb" not in name else f"{value:.0f}"
        verdict = "ei mitattu" if met is None else "OK" if met else "EI"
        lines.append(f"{desc:<50} {shown:>9} {op}{limit:>7g}  {verdict}")
    return "\n".join(lines)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", help="data-stage sizes, comma-separated (default 900,10000,100000,1000000)")
    ap.add_argument("--quick", action="store_true", help="smoke run: sizes 900,10000 and one repeat")
    ap.add_argument("--build-size", type=int, default=BUILD_SIZE, help="answers in the full-build wave (900)")
    ap.add_argument("--no-build", action="store_true", help="data stage only (no report builds)")
    ap.add_argument("--repeat", type=int, default=None, help="best of N for short commands (default 3, quick 1)")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--workdir", type=Path, help="scratch folder (default: a new temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    ap.add_argument("--out", type=Path, help="results file (default benchmarks/results/<git sha>.json)")
    ap.add_argument("--child-generate", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--child-data", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--child-report", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child_generate:
        print(json.dumps(child_generate(Path(args.child_generate[0]), int(args.child_generate[1]),
                                        int(args.child_generate[2]))))
        return 0
    if args.child_data:
        print(json.dumps(child_data(Path(args.child_data[0]), Path(args.child_data[1]))))
        return 0
    if args.child_report:
        print(json.dumps(child_report(Path(args.child_report[0]), Path(args.child_report[1]))))
        return 0

    if args.sizes:
        sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    else:
        sizes = list(QUICK_SIZES if args.quick else FULL_SIZES)
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else 3)
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kartoitus-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = time.time()
    try:
        log(f"Datavaihe: koot {', '.join(f'{s:,}' for s in sizes)}")
        data = bench_data(sizes, work, args.seed, log)
        build = None
        if not args.no_build:
            log(f"Koonti: {args.build_size} vastausta")
            build = bench_build(work, args.build_size, args.seed, repeat, log)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    rat = ratios(data, build)
    sha = _git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no", "--", "kartoitus"))
    result = {
        "commit": sha, "dirty": dirty, "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "seconds": time.time() - started,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "sizes": sizes, "data": data, "build": build, "ratios": rat,
        "goals": {name: {"limit": limit, "op": op, "value": rat.get(name), "met": _met(rat.get(name), op, limit)}
                  for name, _, op, limit in GOALS},
    }
    out = args.out or REPO / "benchmarks" / "results" / f"{sha}{'-dirty' if dirty else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(format_tables(data, build, rat))
    print(f"\nTulokset: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
