"""Charts, HTML rendering and the PDF writer on the smallest documents."""

from __future__ import annotations

import logging
import subprocess
import sys

import jinja2
import pandas as pd
import pytest
from matplotlib.figure import Figure

from kartoitus.render.charts import (
    ChartError,
    bar_chart,
    describe_bars,
    describe_stacked,
    figure_to_png,
    figure_to_svg,
    png_data_uri,
    stacked_chart,
)
from kartoitus.errors import KartoitusError
from kartoitus.render.document import TEMPLATES, environment, pdf_date, render_html, render_pdf, write_pdf
from kartoitus.tables import Table

NBSP = "\u00a0"


def bar_table() -> Table:
    f = pd.DataFrame({"key": ["a", "b", "c"],
                      "toimiala": ["Eläkeläistoiminta", "Kylä-, asukas- ja kaupunginosatoiminta "
                                   "sekä muu hyvin pitkä nimi", "Päihdetyö"],
                      "n": [1200, 40, 3], "osuus": [96.5, 3.2, 0.2]})
    m = pd.DataFrame(False, index=f.index, columns=f.columns)
    m.loc[2, ["n", "osuus"]] = True
    return Table("vastaajat_toimiala", "Vastaajat päätoimialan mukaan", f, 1243,
                 {"toimiala": "Päätoimiala", "n": "Vastaajia", "osuus": "Osuus"},
                 {"n": "count", "osuus": "percent"}, m)


def likert_table() -> Table:
    cols = ["p1", "p2", "p3", "p4", "p5"]
    f = pd.DataFrame({"vaite": ["Kunta tuntee yhdistyksemme", "Yhteistyö on sujuvaa"],
                      "p1": [10.0, 2.0], "p2": [20.0, 18.0], "p3": [30.0, 30.0],
                      "p4": [25.0, 30.0], "p5": [15.0, 20.0]})
    m = pd.DataFrame(False, index=f.index, columns=f.columns)
    m.loc[1, "p1"] = True
    heads = ["Täysin eri mieltä", "Jokseenkin eri mieltä", "Ei samaa eikä eri mieltä",
             "Jokseenkin samaa mieltä", "Täysin samaa mieltä"]
    return Table("yhteistyo", "Yhteistyö kotikunnan kanssa", f, 200, dict(zip(cols, heads)),
                 {c: "percent" for c in cols}, m)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


# -- charts -----------------------------------------------------------------------------

def test_bar_chart_title_units_labels_and_suppression():
    fig = bar_chart(bar_table())
    assert isinstance(fig, Figure)
    assert fig._suptitle.get_text() == f"Vastaajat päätoimialan mukaan (n = 1{NBSP}243)"
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Osuus (%)"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "Eläkeläistoiminta"
    assert "\n" in labels[1]                       # long label wrapped
    texts = _texts(fig)
    assert f"96,5{NBSP}%" in texts and ".." in texts   # a hidden percentage is "..", never "<5"
    assert "0,2" not in " ".join(texts)            # a suppressed value is never drawn
    visible = [p for p in ax.patches if p.get_visible()]
    assert len(visible) == 2
    fig.canvas.draw() if hasattr(fig.canvas, "draw") else None
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert f"0{NBSP}%" in ticks


def test_bar_chart_counts_and_unit_override():
    fig = bar_chart(bar_table(), "n", unit="kpl")
    assert fig.axes[0].get_xlabel() == "Vastaajia (kpl)"
    assert f"1{NBSP}200" in _texts(fig)
    fig = bar_chart(bar_table(), "n", unit="henkilöä")
    assert fig.axes[0].get_xlabel() == "Vastaajia (henkilöä)"


def test_stacked_chart_diverging_and_legend():
    fig = stacked_chart(likert_table())
    assert fig._suptitle.get_text().startswith("Yhteistyö kotikunnan kanssa (n = 200)")
    assert fig.axes[0].get_xlabel() == "Osuus vastaajista (%)"
    legend = [t.get_text().replace("\n", " ") for t in fig.legends[0].get_texts()]
    assert legend[0] == "Täysin eri mieltä" and legend[-1] == "Täysin samaa mieltä"
    assert ".." in _texts(fig)
    assert describe_stacked(likert_table()).startswith(
        "Pinottu pylväskuvio (100 %): Yhteistyö kotikunnan kanssa, n = 200. Kunta tuntee "
        f"yhdistyksemme: Täysin eri mieltä 10,0{NBSP}%")


def test_alt_text_lists_every_value():
    alt = describe_bars(bar_table())
    assert alt == (f"Vaakapylväskuvio: Vastaajat päätoimialan mukaan, n = 1{NBSP}243. Osuus: "
                   f"Eläkeläistoiminta 96,5{NBSP}%; Kylä-, asukas- ja kaupunginosatoiminta sekä "
                   f"muu hyvin pitkä nimi 3,2{NBSP}%; Päihdetyö peitetty. "
                   "Osa luvuista on peitetty tietosuojan vuoksi.")


def test_chart_errors_on_unsuitable_tables():
    t = Table("x", "X", pd.DataFrame({"a": ["x"]}), 1, {}, {})
    with pytest.raises(ChartError):
        bar_chart(t)
    with pytest.raises(ChartError):
        stacked_chart(bar_table())          # only one percent column


def test_png_and_svg_are_reproducible_without_metadata():
    a, b = figure_to_png(bar_chart(bar_table())), figure_to_png(bar_chart(bar_table()))
    assert a == b and a.startswith(b"\x89PNG")
    assert b"Software" not in a and b"tIME" not in a
    assert png_data_uri(a).startswith("data:image/png;base64,iVBOR")
    s1, s2 = figure_to_svg(bar_chart(bar_table())), figure_to_svg(bar_chart(bar_table()))
    assert s1 == s2 and b"<dc:date>" not in s1


# -- HTML -------------------------------------------------------------------------------

def test_templates_live_in_the_package():
    assert TEMPLATES.is_dir() and (TEMPLATES / "style.css").exists()
    assert TEMPLATES.parent.name == "kartoitus"


def test_render_html_autoescape_filters_and_strict():
    env = environment()
    html = env.from_string("{{ x }} {{ 1234.5|fi_number }} {{ 12.5|fi_percent }} "
                           "{{ d|fi_date }}").render(x="<b>Ä</b>", d="2019-09-02")
    assert html == f"&lt;b&gt;Ä&lt;/b&gt; 1{NBSP}234,5 12,5{NBSP}% 2.9.2019"
    with pytest.raises(jinja2.exceptions.UndefinedError):
        render_html("report.html", {"title": "x"})     # missing fields are an error
    with pytest.raises(KartoitusError):
        render_html("no-such.html", {})


def test_cli_imports_stay_light():
    code = ("import sys, kartoitus.render.document, kartoitus.outputs.report, kartoitus.outputs.workbook, "
            "kartoitus.outputs.charttext, kartoitus.fmt; "
            "bad = [m for m in ('weasyprint', 'matplotlib') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


# -- PDF --------------------------------------------------------------------------------

def small_html() -> str:
    body = ("{% extends 'base.html' %}{% block body %}<h1>Äänekoski ja Jyväskylä</h1>"
            "<p>Ömmö åäö ÄÖÅ</p><table><thead><tr><th>Kunta</th></tr></thead><tbody>"
            "{% for i in range(70) %}<tr><td>Rivi {{ i }}</td></tr>{% endfor %}</tbody></table>"
            "{% endblock %}")
    return environment().from_string(body).render(title="Pieni testi", lang="fi")


@pytest.fixture(scope="module")
def small_pdf():
    return render_pdf(small_html(), title="Pieni testi")


def test_pdf_metadata_lang_and_tags(small_pdf, tmp_path):
    from pypdf import PdfReader

    data, warnings = small_pdf
    assert warnings == []
    path = tmp_path / "pieni.pdf"
    path.write_bytes(data)
    reader = PdfReader(path)
    assert reader.metadata.title == "Pieni testi"
    assert reader.trailer["/Root"]["/Lang"] == "fi"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert "/CreationDate" not in reader.metadata and "/ModDate" not in reader.metadata
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Äänekoski ja Jyväskylä" in text and "Ömmö åäö ÄÖÅ" in text
    assert "sivu 2 / 2" in text and "sivu 1 / 2" not in text   # no number on the cover page
    page2 = text.split("\f")[1]
    assert "Kunta" in page2                    # the table header repeats on page 2


def test_pdf_bytes_are_reproducible(small_pdf):
    again, _ = render_pdf(small_html(), title="Pieni testi")
    assert again == small_pdf[0]


def test_pdf_date_from_source_date_epoch(monkeypatch):
    import datetime as dt

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert pdf_date() is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert pdf_date() == "2023-11-14T22:13:20Z"
    assert pdf_date(dt.date(2024, 1, 1)) == "2024-01-01T00:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "eilen")
    with pytest.raises(KartoitusError):
        pdf_date()


def test_write_pdf_atomic_and_warnings_visible(tmp_path, caplog):
    html = small_html().replace("<h1>", "<h1 style='colour: red'>")     # bad CSS property
    with caplog.at_level(logging.WARNING, logger="kartoitus.render.document"):
        out = write_pdf(html, tmp_path / "a.pdf", title="T")
    assert out.read_bytes().startswith(b"%PDF")
    assert any("colour" in r.getMessage() for r in caplog.records)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf"]
    with pytest.raises(KartoitusError, match="WeasyPrint reported"):
        write_pdf(html, tmp_path / "b.pdf", title="T", strict=True)
    assert not (tmp_path / "b.pdf").exists()


# -- the organisation's templates/ folder overrides the package's, file by file ------------------

def test_organisation_templates_override_the_package(tmp_path):
    from kartoitus.build.jobs import Job, _call
    from kartoitus.render.document import TEMPLATES, environment, render_html, template_folders

    own = tmp_path / "templates"
    own.mkdir()
    (own / "custom.css").write_text("h1 { color: #6a1b4d; }", encoding="utf-8")
    model = {"title": "Otsikko", "lang": "fi"}
    with template_folders([own, TEMPLATES]):
        html = render_html("base.html", model)
    assert "#6a1b4d" in html                                  # the organisation's custom.css, last
    assert "#6a1b4d" not in render_html("base.html", model)   # without it: the package's defaults
    assert environment().loader.searchpath == [str(TEMPLATES)]
    # a build job renders with the template folders of its payload
    seen = []
    job = Job("x", "kartoitus.render.document:environment", {"templates": [str(own), str(TEMPLATES)]}, [])
    import kartoitus.render.document as doc
    real = doc.environment
    try:
        doc.environment = lambda *a: seen.append(doc._FOLDERS) or []
        _call(job.func, job.payload)
    finally:
        doc.environment = real
    assert seen and seen[0][0] == own
