"""The ``kartoitus`` command line: parse arguments, call the library, print.

No logic lives here. Heavy libraries (pandas, matplotlib, WeasyPrint) are
imported inside the commands that need them, so ``kartoitus --help`` starts fast.
Errors of the toolkit's own kind are printed as one line and exit with code 1.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from kartoitus import __version__

app = typer.Typer(
    name="kartoitus",
    help="Keski-Suomen järjestökartoitus: kyselyaineistosta tietopankiksi ja raporteiksi.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # plain help text: rich's help formatter imports markdown and syntax highlighting
    # (~0.1 s), which doubled the time of `kartoitus --help`
    rich_markup_mode=None,
)

RAW_HELP = "Raakadatan juurikansio: <juuri>/<vuosi>/ sisältää aallon tiedostot."
PROCESSED_HELP = "Käsitellyn datan juurikansio (<juuri>/<vuosi>/ ja tietopankki)."
REPORTS_HELP = "Raporttien juurikansio (<juuri>/<vuosi>/)."
YEAR_HELP = "Aalto (vuosi); oletus on raakadatan uusin vuosikansio."


def _console():
    """Console for results. Markup is off: file names, column titles and answers are
    printed as they are (a title like ``[/x]`` is text, not rich markup)."""
    from rich.console import Console
    return Console(stderr=False, highlight=False, log_path=False, markup=False)


def _fail(message: str, code: int = 1) -> None:
    from rich.console import Console
    from rich.text import Text
    Console(stderr=True, highlight=False).print(Text.assemble(("virhe:", "bold red"), " ", message),
                                                 soft_wrap=True)
    raise typer.Exit(code)


def handle_errors(func):
    """Turn the toolkit's errors into one readable line and a non-zero exit."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from kartoitus.errors import KartoitusError
        try:
            return func(*args, **kwargs)
        except KartoitusError as exc:
            _fail(str(exc))
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence for the user
            if os.environ.get("KARTOITUS_DEBUG"):
                raise
            _fail(f"odottamaton virhe ({type(exc).__name__}: {exc}). Aja uudelleen ympäristömuuttujalla "
                  "KARTOITUS_DEBUG=1 nähdäksesi jäljityksen, ja ilmoita siitä kehittäjille.", code=2)
    return wrapper


def _version(value: bool):
    if value:
        typer.echo(f"kartoitus {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Näytä versio ja lopeta.")):
    """Keski-Suomen järjestökartoitus: kyselyaineistosta tietopankiksi ja raporteiksi."""


class _Steps:
    """Progress of a build: the data steps as a status line, the outputs as a bar.

    The library reports steps as text (``build.Progress``): ``"tuotokset: N"``
    starts the bar of N outputs, ``"välimuisti: K"`` advances it by the K outputs
    that were up to date and ``"valmis: <label>"`` by one built output (the pool's
    results arrive in the parent through ``as_completed``); any other text is the
    current data step.
    """

    def __init__(self, console, title: str):
        self.console = console
        self.title = title
        self.progress = None
        self.status_task = None
        self.outputs_task = None

    def __enter__(self):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, \
            TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=self.console,
                                 transient=True)
        self.progress.__enter__()
        self.status_task = self.progress.add_task(self.title, total=None)
        return self

    def __call__(self, step: str) -> None:
        name, _, rest = step.partition(": ")
        if name == "tuotokset" and rest.isdigit():
            self.outputs_task = self.progress.add_task(f"{self.title}: tuotokset", total=int(rest))
            self.progress.update(self.status_task, description=f"{self.title}: tuotokset")
        elif name == "välimuisti" and rest.isdigit() and self.outputs_task is not None:
            self.progress.advance(self.outputs_task, int(rest))
        elif name == "valmis" and self.outputs_task is not None:
            self.progress.advance(self.outputs_task, 1)
            self.progress.update(self.outputs_task, description=f"{self.title}: {rest}")
        else:
            self.progress.update(self.status_task, description=f"{self.title}: {step}")

    def __exit__(self, *exc):
        self.progress.__exit__(*exc)


def _print_data_summary(console, result) -> None:
    from rich.table import Table as RichTable

    from kartoitus.stages.bank import AUDIT_FILE, EXTRAS_FILE, FLAGS_FILE

    summary = result.summary()
    table = RichTable(title=f"Aalto {result.wave.year}: mitä jokaiselle riville tapahtui")
    for col in ("kysely", "rivejä sisään", "säilytetty", "korvattu", "hylätty"):
        table.add_column(col, justify="right" if col != "kysely" else "left")
    for survey, s in summary.items():
        table.add_row(survey, str(s.rows_in), str(s.kept), str(s.replaced), str(s.rejected))
    console.print(table)
    total = summary["yhteensä"]
    console.print(f"Rivejä sisään {total.rows_in} = säilytetty {total.kept} + korvattu {total.replaced} "
                  f"+ hylätty {total.rejected}")
    flagged = (result.audit["flags"] != "").sum()
    console.print(f"Liputettuja rivejä {flagged} (rivit: {result.wave.processed / AUDIT_FILE}, liput "
                  f"selityksineen: {FLAGS_FILE})")
    if len(result.extras):
        by_file: dict[str, list[str]] = {}
        for r in result.extras.itertuples():
            by_file.setdefault(r.tiedosto, []).append(f"\u201d{r.sarake}\u201d")
        console.print("Ylimääräiset sarakkeet (eivät kyselyn kysymyksiä, sivuutettu; luettelo: "
                      f"{result.wave.processed / EXTRAS_FILE}):")
        for name, titles in by_file.items():
            console.print(f"  {name}: {', '.join(titles)}")
    fuzzy = result.mapping[result.mapping["tapa"] == "fuzzy"]
    for r in fuzzy.itertuples():
        console.print(f"Sarake tunnistettu sumeasti: {r.tiedosto}: \u201d{r.sarake}\u201d -> {r.tunnus} "
                      f"({r.osuvuus:.0f} %)")
    own = [r.tiedosto for r in result.skipped.itertuples() if str(r.syy).startswith("aallon asetustiedosto")]
    if own:
        console.print("Aallon omat tiedostot (eivät vastauksia, luetaan erikseen): " + ", ".join(own))
    for r in result.skipped.itertuples():
        if r.tiedosto not in own:
            console.print(f"Ei luettu: {r.tiedosto} ({r.syy})")
    for survey in result.absent:
        console.print(f"HUOM: aallossa ei ole kyselyn {survey} vastauksia: sen tiedot puuttuvat "
                      "käsitellystä datasta ja raporteista.")
    if len(result.missing):
        console.print(f"VAROITUS: {len(result.missing)} aallossa kysyttyä kysymystä puuttuu kaikista "
                      "tiedostoista (vastaukset menetetty, ei \u201dei kysytty\u201d); raportin "
                      "menetelmäluku kertoo tämän. Tarkista viennit:")
        for r in result.missing.itertuples():
            console.print(f"  {r.kysely}: {r.kysymys} \u201d{r.otsikko}\u201d")


@app.command("demo-data")
@handle_errors
def demo_data(
    year: int = typer.Option(2025, "--year", help="Aallon vuosi."),
    size: int = typer.Option(900, "--size", min=10, help="Yhdistysvastausten määrä (noin)."),
    seed: int = typer.Option(2025, "--seed", help="Satunnaisluvun siemen: sama siemen, samat tiedostot."),
    raw: Path = typer.Option(Path("data/raw"), "--raw", help=RAW_HELP),
    years: Optional[str] = typer.Option(
        None, "--years", help="Useita aaltoja kerralla, esim. 2021,2023,2025 (uusin saa --size vastausta)."),
):
    """Kirjoita realistiset esimerkkivastaukset molemmista kyselyistä kansioon <raw>/<vuosi>/."""
    from kartoitus.demo import write_demo_wave, write_demo_waves
    from kartoitus.errors import KartoitusError
    from kartoitus.settings import load_settings

    if years:
        try:
            wanted = [int(y) for y in years.replace(" ", "").split(",") if y]
        except ValueError:
            raise KartoitusError(f"--years {years!r}: anna vuodet pilkuin eroteltuina, esim. 2021,2023,2025") from None
        files = write_demo_waves(raw, load_settings(), wanted, n_associations=size, seed=seed)
    else:
        files = write_demo_wave(raw / str(year), load_settings(), year=year, n_associations=size, seed=seed)
    console = _console()
    for f in files:
        console.print(f"kirjoitettu {f}")


@app.command("build-data")
@handle_errors
def build_data(
    raw: Optional[Path] = typer.Option(None, "--raw", help=RAW_HELP),
    processed: Optional[Path] = typer.Option(None, "--processed", help=PROCESSED_HELP),
    year: Optional[int] = typer.Option(None, "--year", help=YEAR_HELP),
):
    """Lue aallon raakatiedostot, siivoa, luokittele ja tallenna tietopankkiin."""
    from kartoitus.build.data import build_data as run
    from kartoitus.settings import load_settings
    from kartoitus.stages.wave import resolve_wave

    wave = resolve_wave(raw, processed, None, year)
    settings = load_settings()
    console = _console()
    with _Steps(console, f"Aalto {wave.year}") as steps:
        result = run(wave, settings, progress=steps)
    _print_data_summary(console, result)
    console.print(f"Käsitelty data: {wave.processed}/  tietopankki: {wave.database}")


@app.command("validate")
@handle_errors
def validate(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="Tarkistettava vientitiedosto (.csv, .xlsx, .xls tai .ods)."),
    year: Optional[int] = typer.Option(None, "--year", help="Aalto (vuosi); oletus kansion nimestä."),
):
    """Kuivaharjoitus: näytä sarakkeiden tunnistus ja ongelmat, mitään ei kirjoiteta."""
    from rich.table import Table as RichTable

    from kartoitus.build.data import validate_file
    from kartoitus.settings import load_settings

    if year is None:
        parent = file.resolve().parent.name
        year = int(parent) if parent.isdigit() and len(parent) == 4 else None
    if year is None:
        _fail(f"{file}: vuotta ei voi päätellä kansion nimestä; anna --year")
    v = validate_file(file, year, load_settings())
    console = _console()
    console.print(f"{file.name}: kysely {v.survey}, merkistö {v.encoding or 'xlsx'}, "
                  f"erotin {v.delimiter!r}" if v.delimiter else f"{file.name}: kysely {v.survey}")
    table = RichTable(title="Sarakkeet")
    for col in ("sarake", "tunnus", "tapa", "osuvuus"):
        table.add_column(col)
    for r in v.mapping.itertuples():
        table.add_row(str(r.sarake), r.tunnus or "–", r.tapa, f"{r.osuvuus:.0f}")
    console.print(table)
    counts = v.audit["status"].value_counts()
    console.print(f"Rivejä {len(v.audit)}: säilytettäisiin {counts.get('kept', 0)}, "
                  f"korvattaisiin {counts.get('replaced', 0)}, hylättäisiin {counts.get('rejected', 0)}")
    for r in v.audit[v.audit["status"] == "rejected"].itertuples():
        console.print(f"  rivi {r.row}: hylätään: {r.reason}")
    if len(v.flags):
        console.print("Liput:")
        for (col, code), n in v.flags.groupby(["sarake", "lippu"]).size().items():
            console.print(f"  {col}: {code} × {n}")
    for s in v.skipped:
        console.print(f"Välilehteä ei luettu: {s.sheet} ({s.reason})")
    if len(v.corrections):
        console.print(f"Korjaukset (korjaukset.csv), jotka tehtäisiin: {len(v.corrections)}")
        from kartoitus.stages.audit import correction_text

        for _, r in v.corrections.iterrows():
            console.print(f"  {r['tiedosto']} rivi {r['rivi']}: {correction_text(r)}", markup=False)


def _print_findings(console, findings, root: Path) -> None:
    for f in findings[:200]:
        console.print(f"  {f.message(root)}", markup=False)
    if len(findings) > 200:
        console.print(f"  … ja {len(findings) - 200} muuta")


def _print_outputs(console, outputs, reports: Path) -> None:
    """Where the outputs went: files in the wave folder one by one, sub-folders with counts."""
    from collections import Counter

    top, folders = [], Counter()
    for path in outputs:
        try:
            rel = Path(path).relative_to(reports)
        except ValueError:
            top.append(Path(path))
            continue
        if len(rel.parts) > 1:
            folders[(rel.parts[0], Path(path).suffix)] += 1
        else:
            top.append(Path(path))
    for path in sorted(top):
        console.print(f"  {path}")
    for (folder, suffix), n in sorted(folders.items()):
        console.print(f"  {reports / folder}/  {n} × {suffix.lstrip('.').upper()}")


@app.command("build-report")
@handle_errors
def build_report(
    year: Optional[int] = typer.Option(None, "--year", help=YEAR_HELP),
    raw: Optional[Path] = typer.Option(None, "--raw", help=RAW_HELP),
    processed: Optional[Path] = typer.Option(None, "--processed", help=PROCESSED_HELP),
    reports: Optional[Path] = typer.Option(None, "--reports", help=REPORTS_HELP),
    jobs: Optional[int] = typer.Option(None, "--jobs", min=1,
                                       help="Rinnakkaisten työprosessien määrä (oletus: ytimien määrä)."),
    force: bool = typer.Option(False, "--force", help="Tee kaikki tuotokset uudelleen välimuistista välittämättä."),
    reference: Optional[Path] = typer.Option(None, "--reference",
                                             help="Viitetietojen kansio (väestö, yhdistysrekisteri); oletus data/reference."),
):
    """Koko kartoitus: data, pääraportti, kuntien PDF:t, infografiikat, Excel-taulukot."""
    from kartoitus.build.pipeline import build_report as run
    from kartoitus.settings import load_settings
    from kartoitus.stages.wave import resolve_wave

    wave = resolve_wave(raw, processed, reports, year)
    settings = load_settings()
    console = _console()
    with _Steps(console, f"Aalto {wave.year}") as steps:
        result = run(wave, settings, workers=jobs, force=force, reference_dir=reference, progress=steps)
    _print_data_summary(console, result.data)
    console.print(f"Tuotoksia tehty {len(result.built)}, ennallaan (välimuisti) {len(result.skipped)}")
    if result.text_hidden:
        k = len(result.text_hidden)
        console.print(f"raportti.md: {k} {'luku' if k == 1 else 'lukua'} peitetty tietosuojan vuoksi "
                      "(tekstissä merkintä <5 tai ..):", markup=False, highlight=False)
        for line in result.text_hidden:
            console.print(f"  {line}", markup=False, highlight=False)
    if result.findings:
        console.print(f"[bold red]Tietosuojatarkistus löysi {len(result.findings)} osumaa raporteista:[/]",
                      markup=True)
        _print_findings(console, result.findings, wave.reports)
        _fail("koontia ei hyväksytty: raporteissa on henkilötietoja. Korjaa lähde ja aja uudelleen.")
    _print_outputs(console, result.outputs, wave.reports)
    console.print(f"Manifesti: {result.manifest}")


@app.command("infographic")
@handle_errors
def infographic(
    sector: Optional[str] = typer.Argument(None, help="Toimiala: avain tai nimi (esim. elakelaiset tai \"Eläkeläistoiminta\")."),
    all_sectors: bool = typer.Option(False, "--all", help="Kaikki toimialat."),
    year: Optional[int] = typer.Option(None, "--year", help="Aalto; oletus on käsitellyn datan uusin vuosi."),
    processed: Optional[Path] = typer.Option(None, "--processed", help=PROCESSED_HELP),
    reports: Optional[Path] = typer.Option(None, "--reports", help=REPORTS_HELP),
):
    """Tee toimialan infografiikka (PDF ja PNG) kansioon <raportit>/<vuosi>/infograafit/."""
    from kartoitus.stages.wave import resolve_wave

    if bool(sector) == all_sectors:
        _fail("anna joko toimiala (esim. kartoitus infographic elakelaiset) tai --all")
    from kartoitus.build.infographic import make_infographics
    from kartoitus.settings import load_settings

    wave = resolve_wave(None, processed, reports, year, need_raw=False)
    console = _console()
    paths = make_infographics(wave, load_settings(), None if all_sectors else [sector])
    for path in paths:
        console.print(f"kirjoitettu {path}", markup=False)


@app.command("site")
@handle_errors
def site(
    year: Optional[int] = typer.Option(None, "--year", help="Aalto; oletus on käsitellyn datan uusin vuosi."),
    processed: Optional[Path] = typer.Option(None, "--processed", help=PROCESSED_HELP),
    reports: Optional[Path] = typer.Option(None, "--reports", help=REPORTS_HELP),
    force: bool = typer.Option(False, "--force", help="Tee kaikki sivut uudelleen."),
):
    """Tee kartoituksen verkkosivusto kansioon <raportit>/<vuosi>/sivusto/ (avaa index.html)."""
    from kartoitus.build.site import make_site, site_folder
    from kartoitus.settings import load_settings
    from kartoitus.stages.wave import resolve_wave

    wave = resolve_wave(None, processed, reports, year, need_raw=False)
    paths = make_site(wave, load_settings(), force=force)
    _console().print(f"sivusto: {site_folder(wave.reports)}/index.html ({len(paths)} tiedostoa)", markup=False)


@app.command("workshop-pack")
@handle_errors
def workshop_pack(
    kunnat: Optional[List[str]] = typer.Argument(None, help="Kuntien nimet tai koodit (esim. Äänekoski Hankasalmi 275)."),
    seutukunta: Optional[str] = typer.Option(None, "--seutukunta", help="Seutukunnan nimi tai koodi (esim. 135)."),
    year: Optional[int] = typer.Option(None, "--year", help="Aalto; oletus on käsitellyn datan uusin vuosi."),
    processed: Optional[Path] = typer.Option(None, "--processed", help=PROCESSED_HELP),
    reports: Optional[Path] = typer.Option(None, "--reports", help=REPORTS_HELP),
):
    """Elinvoimapajan aineisto: valittujen kuntien vertailu ja kehityskeskustelun lomakkeet yhdessä PDF:ssä
    sekä diaesitys (.pptx) kansioon <raportit>/<vuosi>/pajat/."""
    from kartoitus.build.workshop import workshop_pack as run
    from kartoitus.settings import load_settings

    if not kunnat and not seutukunta:
        _fail("anna kunnat (esim. kartoitus workshop-pack Äänekoski Hankasalmi Konnevesi) tai --seutukunta")
    path = run(load_settings(), list(kunnat or []), subregion=seutukunta, year=year, processed=processed,
               reports=reports)
    from kartoitus.build.workshop import workshop_deck_path
    _console().print(f"kirjoitettu {path}", markup=False)
    _console().print(f"kirjoitettu {workshop_deck_path(path)}", markup=False)


@app.command("slides")
@handle_errors
def slides(
    kunnat: Optional[List[str]] = typer.Argument(None, help="Työpajan kunnat (nimet tai koodit); ilman kuntia maakunnan esitys."),
    seutukunta: Optional[str] = typer.Option(None, "--seutukunta", help="Seutukunnan nimi tai koodi (esim. 135)."),
    year: Optional[int] = typer.Option(None, "--year", help="Aalto; oletus on käsitellyn datan uusin vuosi."),
    processed: Optional[Path] = typer.Option(None, "--processed", help=PROCESSED_HELP),
    reports: Optional[Path] = typer.Option(None, "--reports", help=REPORTS_HELP),
):
    """Diaesitys puhujan muistiinpanoineen (.pptx): maakunnan esitys kansioon <raportit>/<vuosi>/diat/, tai
    kunnat / --seutukunta antamalla elinvoimapajan esitys kansioon <raportit>/<vuosi>/pajat/."""
    from kartoitus.settings import load_settings

    settings = load_settings()
    if kunnat or seutukunta:
        from kartoitus.build.workshop import workshop_slides
        path = workshop_slides(settings, list(kunnat or []), subregion=seutukunta, year=year,
                               processed=processed, reports=reports)
    else:
        from kartoitus.build.meetings import make_region_deck
        path = make_region_deck(settings, year=year, processed=processed, reports=reports)
    _console().print(f"kirjoitettu {path}", markup=False)


@app.command("check-privacy")
@handle_errors
def check_privacy(
    path: Optional[Path] = typer.Argument(None, help="Tarkistettava kansio tai tiedosto (oletus: reports)."),
    year: Optional[int] = typer.Option(None, "--year", help="Aalto, jonka raakadatan henkilötiedot etsitään."),
    raw: Optional[Path] = typer.Option(None, "--raw", help=RAW_HELP),
):
    """Etsi tuotoksista sähköpostiosoitteet, puhelinnumerot ja vastaajien henkilötiedot."""
    from kartoitus import privacy
    from kartoitus.settings import load_settings
    from kartoitus.stages.wave import DEFAULT_REPORTS

    target = path or DEFAULT_REPORTS
    result = privacy.check_outputs(target, load_settings(), raw or Path("data/raw"), year)
    console = _console()
    if result.findings:
        console.print(f"[bold red]{len(result.findings)} osumaa:[/]", markup=True)
        _print_findings(console, result.findings, target if target.is_dir() else target.parent)
        raise typer.Exit(1)
    console.print(f"{target}: ei henkilötietoja (tarkistettu {result.values} vastaajien henkilötietoa, "
                  "sähköpostit ja puhelinnumerot)")


@app.command("purge-personal")
@handle_errors
def purge_personal(
    year: int = typer.Argument(..., help="Aalto (vuosi), jonka raakatiedostoista henkilötiedot poistetaan."),
    raw: Optional[Path] = typer.Option(None, "--raw", help=RAW_HELP),
    apply: bool = typer.Option(False, "--apply", help="Poista oikeasti (oletus on kuivaharjoitus)."),
):
    """Poista aallon raakatiedostoista henkilötietosarakkeet säilytysajan päätyttyä."""
    from kartoitus import privacy
    from kartoitus.settings import load_settings
    from kartoitus.stages.wave import resolve_wave

    wave = resolve_wave(raw, None, None, year)
    report = privacy.purge_personal(wave.raw, load_settings().codebook, dry_run=not apply)
    console = _console()
    for line in report.lines():
        console.print(line, markup=False)
    if not apply:
        console.print("Kuivaharjoitus: mitään ei muutettu. Aja --apply poistaaksesi sarakkeet.")


def main_entry():  # pragma: no cover - console script convenience
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
