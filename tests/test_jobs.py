from pathlib import Path

import pandas as pd

from kartoitus.build.jobs import Job, fingerprint, run_jobs



def write_text(payload) -> list[Path]:
    path, text = payload
    path.write_text(text, encoding="utf-8")
    with open(path.parent / "calls.log", "a", encoding="utf-8") as fh:
        fh.write(path.name + "\n")
    return [path]


def _jobs(tmp_path, texts):
    jobs = []
    for name, text in texts.items():
        out = tmp_path / name
        jobs.append(Job(id=name, func="test_jobs:write_text", payload=(out, text), outputs=[out],
                        fingerprint=fingerprint(text)))
    return jobs


def _calls(tmp_path):
    log = tmp_path / "calls.log"
    return sorted(log.read_text().split()) if log.exists() else []


def test_cache_skips_unchanged_and_rebuilds_changed_or_missing(tmp_path):
    cache = tmp_path / "cache.json"
    r = run_jobs(_jobs(tmp_path, {"a.txt": "A", "b.txt": "B"}), cache, initializer=None)
    assert sorted(r.built) == ["a.txt", "b.txt"]
    (tmp_path / "calls.log").unlink()
    r = run_jobs(_jobs(tmp_path, {"a.txt": "A", "b.txt": "B2"}), cache, initializer=None)
    assert r.built == ["b.txt"] and r.skipped == ["a.txt"]
    assert _calls(tmp_path) == ["b.txt"]
    # an output edited or deleted by hand is rebuilt
    (tmp_path / "a.txt").write_text("edited")
    r = run_jobs(_jobs(tmp_path, {"a.txt": "A", "b.txt": "B2"}), cache, initializer=None)
    assert r.built == ["a.txt"]
    assert (tmp_path / "a.txt").read_text() == "A"
    r = run_jobs(_jobs(tmp_path, {"a.txt": "A", "b.txt": "B2"}), cache, force=True, initializer=None)
    assert sorted(r.built) == ["a.txt", "b.txt"]


def test_pool_runs_every_job(tmp_path):
    texts = {f"{i}.txt": str(i) for i in range(4)}
    r = run_jobs(_jobs(tmp_path, texts), tmp_path / "cache.json", workers=2, initializer=None)
    assert sorted(r.built) == sorted(texts)
    assert all((tmp_path / n).read_text() == t for n, t in texts.items())


def test_fingerprint_sees_data_not_identity():
    a = pd.DataFrame({"x": [1, 2], "k": ["077", "179"]})
    assert fingerprint(a, {"y": 1}) == fingerprint(a.copy(), {"y": 1})
    assert fingerprint(a) != fingerprint(a.assign(x=[1, 3]))
    assert fingerprint(a) != fingerprint(a.astype({"x": float}))
