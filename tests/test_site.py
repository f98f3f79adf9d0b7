"""The static website of the newest of the three small waves, opened in a real browser.

The site is built once per session (``site``) from the ``waves`` fixture's publication
with the build's own jobs. Debian's chromium is driven headless by playwright from
disk (``file://``): links, the offline search, overflow at 390 px, console errors
and every request the pages make; the files are scanned for external addresses and
for the respondents' personal values.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kartoitus.build.jobs import run_jobs
from kartoitus.build.site import site_folder, site_jobs

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def site(waves):
    """The site as ``kartoitus site`` makes it from the processed waves."""
    from typer.testing import CliRunner

    from kartoitus.cli import app

    result = CliRunner().invoke(app, ["site", "--processed", str(waves / "processed"),
                                      "--reports", str(waves / "reports")])
    assert result.exit_code == 0, result.output
    assert "sivusto/index.html" in result.output
    return site_folder(waves / "reports" / "2025")


def test_the_build_makes_the_same_site(site, waves_pub, tmp_path):
    """build-report's site jobs give the same pages as the command alone."""
    jobs = site_jobs(waves_pub, tmp_path)
    for job in jobs:
        job.fingerprint = job.id
    jobs = [j for j in jobs if j.id == "sivusto/etusivu"]
    run_jobs(jobs, tmp_path / ".valimuisti.json", workers=1, force=True)
    for name in ("index.html", "taulukot.html", "haku.js"):
        assert (site_folder(tmp_path) / name).read_bytes() == (site / name).read_bytes(), name


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (.ci/run installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _page(browser, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("request", lambda r: page.problems.append(f"pyyntö {r.url}") if not r.url.startswith(("file:", "data:")) else None)
    return page


def test_front_page_leads_to_a_municipality_and_a_sector(site, browser):
    page = _page(browser, 1280)
    page.goto((site / "index.html").as_uri())
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.locator("h1").count() == 1
    assert "Kehitys aalloittain 2021–2025" in page.locator("main").inner_text()
    page.get_by_role("link", name="Jyväskylä", exact=True).click()
    page.wait_for_url(re.compile(r"kunta-179-jyvaskyla\.html$"))
    text = page.locator("main").inner_text()
    assert "Kuntatutka ja järjestöpositiivinen kunta" in text and "Kehitys aalloittain" in text
    page.go_back()
    page.locator("#h-toimialat ~ ul a").first.click()
    page.wait_for_url(re.compile(r"toimiala-[a-z-]+\.html$"))
    assert page.locator("h1").count() == 1
    page.go_back()
    page.get_by_role("link", name="Taulukot ja lataukset").first.click()
    page.wait_for_url(re.compile(r"taulukot\.html$"))
    hrefs = page.eval_on_selector_all("a[download]", "els => els.map(e => e.getAttribute('href'))")
    assert any(h.endswith(".xlsx") for h in hrefs) and any(h.endswith(".csv") for h in hrefs)
    for h in hrefs:
        assert (site / h).is_file(), h
    assert page.problems == []


def test_search_box_finds_a_municipality_offline(site, browser):
    page = _page(browser, 390)
    page.goto((site / "index.html").as_uri())
    page.get_by_label("Hae kuntaa tai toimialaa").fill("äänekos")
    result = page.locator("#haku-tulokset a").first
    assert "Äänekoski" in result.inner_text()
    page.keyboard.press("ArrowDown")         # keyboard: into the results, then open
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"kunta-992-aanekoski\.html$"))
    page.get_by_label("Hae kuntaa tai toimialaa").fill("Laukaa")
    page.keyboard.press("Enter")             # Enter in the box opens the first hit
    page.wait_for_url(re.compile(r"kunta-410-laukaa\.html$"))
    assert page.problems == []


def test_no_horizontal_overflow_at_390_px_and_images_have_alt_texts(site, browser):
    page = _page(browser, 390)
    pages = ["index.html", "taulukot.html", "kunta-179-jyvaskyla.html", "kunta-077-hankasalmi.html",
             *sorted(p.name for p in site.glob("toimiala-*.html"))[:3]]
    for name in pages:
        page.goto((site / name).as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name}: {width} px"
        alts = page.eval_on_selector_all("img", "els => els.map(e => e.getAttribute('alt') || '')")
        assert all(a.strip() for a in alts), name
        levels = page.eval_on_selector_all("h1, h2, h3", "els => els.map(e => +e.tagName[1])")
        assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), name
    assert page.problems == []


def test_site_files_hold_no_external_address_and_no_personal_value(site, waves, settings):
    from kartoitus import privacy
    from kartoitus.stages import ingest

    files = [p for p in site.rglob("*") if p.is_file()]
    assert any(p.suffix == ".png" for p in files) and any(p.suffix == ".csv" for p in files)
    for path in files:
        if path.suffix in (".html", ".js", ".css", ".csv"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(?:https?:)?//[a-z0-9]", text, re.I), path.name
    tables = ingest.read_wave(waves / "raw" / "2025", settings.codebook, 2025)
    values = privacy.compile_personal_values(sorted(privacy.personal_values_from_tables(tables, settings.codebook)))
    findings = [f for path in files for f in privacy.scan_path(path, values)]
    assert findings == []
