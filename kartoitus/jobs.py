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


def folder_digest(folder: Path) -> str:
    """Hash of every file under ``folder`` (names and bytes): templates and styles."""
    h = hashlib.sha256()
    for p in sorted(Path(folder).rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


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
    module, name = func.split(":")
    return list(getattr(importlib.import_module(module), name)(payload))


@dataclass
class JobsResult:
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)


def _load_cache(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return {}


def _up_to_date(job: Job, entry: dict | None) -> bool:
    if not entry or entry.get("fingerprint") != job.fingerprint:
        return False
    hashes = entry.get("outputs", {})
    for out in job.outputs:
        if not out.exists() or hashes.get(str(out)) != file_digest(out):
            return False
    return True


def warm_worker() -> None:
    """Worker start-up: heavy imports and font set-up once per process."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.figure  # noqa: F401
    import weasyprint  # noqa: F401


def run_jobs(jobs: list[Job], cache_path: Path, *, workers: int = 1, force: bool = False,
             progress: Callable[[str], None] = lambda _: None,
             initializer: Callable[[], None] | None = warm_worker) -> JobsResult:
    """Run the jobs that are not up to date; record what was built in the cache."""
    cache = {} if force else _load_cache(cache_path)
    result = JobsResult()
    todo = []
    for job in jobs:
        if not force and _up_to_date(job, cache.get(job.id)):
            result.skipped.append(job.id)
            result.outputs.extend(job.outputs)
        else:
            todo.append(job)
    new_entries: dict[str, dict] = {}

    def done(job: Job, paths: list[Path]) -> None:
        result.built.append(job.id)
        result.outputs.extend(paths)
        new_entries[job.id] = {"fingerprint": job.fingerprint,
                               "outputs": {str(p): file_digest(p) for p in job.outputs if p.exists()}}
        progress(f"valmis: {job.label or job.id}")

    if workers <= 1 or len(todo) <= 1:
        for job in todo:
            done(job, job.run())
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(todo)), initializer=initializer) as pool:
            futures = {pool.submit(_call, job.func, job.payload): job for job in todo}
            for fut in as_completed(futures):
                done(futures[fut], fut.result())
    merged = {k: v for k, v in cache.items() if k in {j.id for j in jobs}}
    merged.update(new_entries)
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(merged, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, cache_path)
    result.outputs = sorted(set(result.outputs))
    return result


def default_workers() -> int:
    return os.cpu_count() or 1
