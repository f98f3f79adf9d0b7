"""Independent output jobs: a build cache and a worker pool.

Every output (the main report, each municipality PDF, each infographic, the
workbook) is a :class:`Job`: a function named by its import path, a picklable
payload of exactly the data it needs, and the files it writes. A job's
fingerprint hashes the payload together with the templates, the codebook
version and the tool version; a job whose fingerprint and outputs are unchanged
since the last build is skipped. Jobs run in a process pool whose workers import
WeasyPrint and matplotlib once, not once per document.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

CACHE_FILE = ".kartoitus-valimuisti.json"


# -- fingerprints ---------------------------------------------------------------

def _feed(h, obj: Any) -> None:
    """Feed a stable representation of ``obj`` into the hash ``h``."""
    import numpy as np
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        h.update(b"DF")
        h.update(json.dumps([str(c) for c in obj.columns]).encode())
        h.update(json.dumps([str(t) for t in obj.dtypes]).encode())
        h.update(pd.util.hash_pandas_object(obj, index=True).values.tobytes())
    elif isinstance(obj, pd.Series):
        h.update(b"S" + str(obj.name).encode() + str(obj.dtype).encode())
        h.update(pd.util.hash_pandas_object(obj, index=True).values.tobytes())
    elif isinstance(obj, dict):
        h.update(b"D")
        for k in sorted(obj, key=str):
            h.update(str(k).encode())
            _feed(h, obj[k])
    elif isinstance(obj, (list, tuple)):
        h.update(b"L%d" % len(obj))
        for item in obj:
            _feed(h, item)
    elif hasattr(obj, "__dataclass_fields__"):
        h.update(type(obj).__name__.encode())
        for name in obj.__dataclass_fields__:
            h.update(name.encode())
            _feed(h, getattr(obj, name))
    elif isinstance(obj, Path):
        h.update(b"P" + str(obj).encode())
    elif isinstance(obj, np.ndarray):
        h.update(obj.tobytes())
    else:
        h.update(repr(obj).encode())


def fingerprint(*parts: Any) -> str:
    h = hashlib.sha256()
    for p in parts:
        _feed(h, p)
    return h.hexdigest()


def _feed_file(h, path: Path) -> None:
    """Hash a file in 1 MiB blocks (a million-answer export is not held in memory)."""
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)


def folder_digest(folder: Path) -> str:
    """Hash of every file under ``folder`` (names and bytes): templates and styles."""
    h = hashlib.sha256()
    for p in sorted(Path(folder).rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(folder)).encode())
            _feed_file(h, p)
    return h.hexdigest()


def code_digest() -> str:
    """Hash of the package's Python sources: a code change invalidates cached outputs
    even when the version number was not bumped (a developer's checkout)."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for p in sorted(package.rglob("*.py")):
        h.update(str(p.relative_to(package)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def file_digest(path: Path) -> str:
    from kartoitus.build.manifest import file_hash
    return file_hash(path)


# -- jobs -----------------------------------------------------------------------

@dataclass
class Job:
    id: str                     # unique within a build, e.g. "kunta/179"
    func: str                   # "package.module:function", called as func(payload) -> list[Path]
    payload: Any
    outputs: list[Path]
    fingerprint: str = ""
    label: str = ""             # for progress lines

    def run(self) -> list[Path]:
        return _call(self.func, self.payload)


def _call(func: str, payload: Any) -> list[Path]:
    """``func(payload)``; a payload's ``"templates"`` (the settings' template folders)
    is the render's template search path."""
    if isinstance(payload, dict) and payload.get("templates"):
        from kartoitus.render.document import template_folders

        with template_folders(payload["templates"]):
            return _call_plain(func, payload)
    return _call_plain(func, payload)


def _call_plain(func: str, payload: Any) -> list[Path]:
    module, name = func.split(":")
    return list(getattr(importlib.import_module(module), name)(payload))


@dataclass
class OutputCheck:
    """A check of every written output (the privacy scan), run in the worker that wrote it.

    ``func`` ("module:function") is called as ``func(path, prepared)`` and returns a list
    of findings (picklable); ``prepare`` ("module:function") turns ``load()`` into
    ``prepared`` once per worker (e.g. compiling personal values). ``key`` names the
    check's rules and argument: an output whose sha256 was found clean under the same
    key is not checked again. ``load`` is called only when some output needs checking.
    """
    func: str
    key: str
    load: Callable[[], Any]
    prepare: str = ""


@dataclass
class JobsResult:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    hashes: dict[Path, str] = field(default_factory=dict)          # sha256 of every job output
    findings: dict[Path, list] = field(default_factory=dict)       # check results of outputs built now
    seconds: dict[str, float] = field(default_factory=dict)        # wall time of each job built


def _load_cache(path: Path) -> dict:
    try:
        cache = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return cache if isinstance(cache, dict) else {}


def _up_to_date(job: Job, entry: dict | None, hashes: dict[Path, str]) -> bool:
    """Fingerprint unchanged and every output still has the bytes recorded (hashes -> ``hashes``)."""
    if not isinstance(entry, dict) or entry.get("fingerprint") != job.fingerprint:
        return False
    recorded = entry.get("outputs", {})
    seen = {}
    for out in job.outputs:
        if not out.exists():
            return False
        seen[out] = file_digest(out)
        if recorded.get(str(out)) != seen[out]:
            return False
    hashes.update(seen)
    return True


# -- workers ----------------------------------------------------------------------

_CHECK: tuple[str, Any] | None = None   # (func, prepared argument) of this process


def _set_check(func: str | None, prepare: str, arg: Any) -> None:
    global _CHECK
    if func is None:
        _CHECK = None
        return
    _CHECK = (func, _resolve(prepare)(arg) if prepare else arg)


def _resolve(func: str) -> Callable:
    module, name = func.split(":")
    return getattr(importlib.import_module(module), name)


def warm_worker() -> None:
    """Worker start-up: heavy imports and font set-up once per process, not once per document.

    Renders a tiny page with the package stylesheet (WeasyPrint loads fontconfig and
    the fonts the styles name) and draws a tiny chart (matplotlib builds its font
    list).
    """
    import matplotlib
    matplotlib.use("Agg")
    import io

    import matplotlib.figure
    import weasyprint

    from kartoitus.render.document import TEMPLATES

    css = ""
    style = Path(TEMPLATES) / "style.css"
    if style.exists():
        css = style.read_text(encoding="utf-8")
    weasyprint.HTML(string=f"<html lang='fi'><head><style>{css}</style></head><body><h1>Åäö</h1>"
                           "<p>Keski-Suomi <b>1 234</b> <i>%</i></p></body></html>").write_pdf()
    fig = matplotlib.figure.Figure(figsize=(1, 1))
    ax = fig.add_subplot()
    ax.bar([0, 1], [1, 2])
    ax.set_title("Åäö")
    fig.savefig(io.BytesIO(), format="png")


def _init_worker(initializer: Callable[[], None] | None, check_func: str | None, check_prepare: str,
                 check_arg: Any) -> None:
    """Pool initializer: the warm-up, then the output check's argument prepared once."""
    if initializer is not None:
        initializer()
    _set_check(check_func, check_prepare, check_arg)


def _run_one(func: str, payload: Any, outputs: list[Path]) -> tuple[list[Path], dict, dict, float]:
    """Run a job, hash its outputs and check them (in the worker): paths, hashes, findings, seconds."""
    t0 = time.perf_counter()
    paths = _call(func, payload)
    hashes = {p: file_digest(p) for p in outputs if p.exists()}
    findings = {}
    if _CHECK is not None:
        check, arg = _CHECK
        for p in hashes:
            findings[p] = list(_resolve(check)(p, arg))
    return paths, hashes, findings, time.perf_counter() - t0


#: cache key of the outputs found clean by a check: "<check key>:<sha256>"
CLEAN_KEY = "_tarkistettu_puhtaaksi"


def run_jobs(jobs: list[Job], cache_path: Path, *, workers: int = 1, force: bool = False,
             progress: Callable[[str], None] = lambda _: None,
             initializer: Callable[..., None] | None = warm_worker,
             check: OutputCheck | None = None) -> JobsResult:
    """Run the jobs that are not up to date; record what was built in the cache.

    Progress: ``"välimuisti: N"`` once for the jobs skipped, then ``"valmis: <label>"``
    per job built. The longest jobs (by the time recorded at their last build; the
    first job when unknown) are started first so the others fill the other cores.
    With a ``check``, every output built is checked in its worker (findings in
    ``result.findings``); outputs found clean are remembered by sha256 in the cache.
    """
    cache = {} if force else _load_cache(cache_path)
    result = JobsResult()
    todo = []
    for job in jobs:
        if not force and _up_to_date(job, cache.get(job.id), result.hashes):
            result.skipped.append(job.id)
            result.outputs.extend(job.outputs)
        else:
            todo.append(job)
    if result.skipped:
        progress(f"välimuisti: {len(result.skipped)}")
    new_entries: dict[str, dict] = {}
    clean = set() if force else set(cache.get(CLEAN_KEY, []))

    def done(job: Job, ran: tuple[list[Path], dict, dict, float]) -> None:
        paths, hashes, findings, seconds = ran
        result.built.append(job.id)
        result.outputs.extend(paths)
        result.hashes.update(hashes)
        result.findings.update(findings)
        result.seconds[job.id] = seconds
        if check is not None:
            clean.update(f"{check.key}:{hashes[p]}" for p, found in findings.items() if not found)
        new_entries[job.id] = {"fingerprint": job.fingerprint, "seconds": round(seconds, 3),
                               "outputs": {str(p): hashes[p] for p in job.outputs if p in hashes}}
        progress(f"valmis: {job.label or job.id}")

    order = {job.id: i for i, job in enumerate(todo)}
    todo.sort(key=lambda j: (-float((cache.get(j.id) or {}).get("seconds", 0.0) if isinstance(
        cache.get(j.id), dict) else 0.0), order[j.id]))
    check_args = (None, "", None)
    if check is not None and todo:
        check_args = (check.func, check.prepare, check.load())
    if workers <= 1 or len(todo) <= 1:
        previous = _CHECK
        _set_check(*check_args)
        try:
            for job in todo:
                done(job, _run_one(job.func, job.payload, job.outputs))
        finally:
            globals()["_CHECK"] = previous
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(todo)), initializer=_init_worker,
                                 initargs=(initializer, *check_args)) as pool:
            futures = {pool.submit(_run_one, job.func, job.payload, job.outputs): job for job in todo}
            for fut in as_completed(futures):
                done(futures[fut], fut.result())
    ids = {j.id for j in jobs}
    merged = {k: v for k, v in cache.items() if k in ids}
    merged.update(new_entries)
    merged[CLEAN_KEY] = sorted(clean)
    write_cache(cache_path, merged)
    result.outputs = sorted(set(result.outputs))
    return result


def write_cache(cache_path: Path, cache: dict) -> None:
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(cache, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, cache_path)


def read_cache(cache_path: Path) -> dict:
    return _load_cache(cache_path)


def default_workers() -> int:
    return os.cpu_count() or 1
