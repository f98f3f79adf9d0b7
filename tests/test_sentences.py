"""Golden strings of the report's Finnish sentence builders and of the researcher's text
(placeholders in a sandbox)."""

from __future__ import annotations

import pandas as pd
import pytest

from kartoitus.errors import KartoitusError
from kartoitus.outputs.report.findings import _top_sentence
from kartoitus.outputs.report.methods import files_phrase
from kartoitus.outputs.report.sentences import (
    Item, about, answered_sentence, count_phrase, fi_list, label_text, municipalities_answered_sentence,
    ranking_sentence, respondents_sentence,
)
from kartoitus.outputs.report.text import fill, researcher_text
from kartoitus.tables import Table

NBSP = "\u00a0"


def items(*pairs):
    return [Item(label, f"{v:.1f}".replace(".", ",") + f"{NBSP}%", v) for label, v in pairs]


@pytest.mark.parametrize("args, want", [
    ((items(("Liikunta ja urheilu", 21.6), ("Kulttuuri ja taide", 12.3), ("Nuorisotoiminta", 4.5),
            ("Muu", 1.0)),),
     f"Yleisin vastaus oli Liikunta ja urheilu (21,6{NBSP}%), seuraavina Kulttuuri ja taide "
     f"(12,3{NBSP}%) ja Nuorisotoiminta (4,5{NBSP}%)."),
    # a single item: no "seuraavina"
    ((items(("Paikallinen (yksi kunta)", 67.1)),), f"Yleisin vastaus oli Paikallinen, yksi kunta (67,1{NBSP}%)."),
    # two items: "seuraavana" (singular)
    ((items(("Kyllä", 60.0), ("Ei", 40.0)),), f"Yleisin vastaus oli Kyllä (60,0{NBSP}%), seuraavana Ei (40,0{NBSP}%)."),
    # a tie at the top is said as a tie
    ((items(("Eläkeläistoiminta", 20.0), ("Kulttuuri ja taide", 20.0), ("Liikunta ja urheilu", 16.7)),),
     f"Yleisimmät vastaukset olivat yhtä usein Eläkeläistoiminta ja Kulttuuri ja taide (kumpikin "
     f"20,0{NBSP}%), seuraavana Liikunta ja urheilu (16,7{NBSP}%)."),
    # a tie further down, three alike
    ((items(("A", 30.0), ("B", 10.0), ("C", 10.0), ("D", 10.0)),),
     f"Yleisin vastaus oli A (30,0{NBSP}%), seuraavina B, C ja D (kukin 10,0{NBSP}%)."),
])
def test_ranking_sentence(args, want):
    assert ranking_sentence(*args) == want


def test_municipalities_and_subregions_are_named_as_such():
    munis = items(("Jyväskylä", 46.2), ("Jämsä", 7.2), ("Laukaa", 5.7))
    assert ranking_sentence(munis, subject="kunta") == (
        f"Yleisin kotikunta oli Jyväskylä (46,2{NBSP}%), seuraavina Jämsä (7,2{NBSP}%) ja Laukaa (5,7{NBSP}%).")
    subs = items(("Jyväskylän seutukunta", 63.5), ("Äänekosken seutukunta", 9.0))
    assert ranking_sentence(subs, subject="seutukunta") == (
        f"Yleisin seutukunta oli Jyväskylän seutukunta (63,5{NBSP}%), seuraavana "
        f"Äänekosken seutukunta (9,0{NBSP}%).")
    tie = items(("Jyväskylä", 20.0), ("Jämsä", 20.0))
    assert ranking_sentence(tie, subject="kunta") == (
        f"Yleisimmät kotikunnat olivat yhtä usein Jyväskylä ja Jämsä (kumpikin 20,0{NBSP}%).")


def test_counts_singular_and_plural():
    assert count_phrase(1) == "1 yhdistys"
    assert count_phrase(870) == "870 yhdistystä"
    assert count_phrase(1, "kunta") == "1 kunta" and count_phrase(21, "kunta") == "21 kuntaa"
    assert count_phrase(1234) == f"1{NBSP}234 yhdistystä"
    assert answered_sentence(1) == "Kysymykseen vastasi 1 yhdistys."
    assert answered_sentence(21, "kunta") == "Kysymykseen vastasi 21 kuntaa."
    assert respondents_sentence(870, 22) == "Kyselyyn vastasi 870 yhdistystä 22 kunnasta."
    assert respondents_sentence(1) == "Kyselyyn vastasi 1 yhdistys."
    assert municipalities_answered_sentence(21, 22) == "Kuntakyselyyn vastasi 21 alueen 22 kunnasta."
    assert municipalities_answered_sentence(1, None) == "Kuntakyselyyn vastasi 1 kunta."


def test_estimates_are_whole_numbers_about():
    assert about(10062.5) == f"noin 10{NBSP}063"
    assert about(7) == "noin 7"


def test_lists_labels_and_files():
    assert fi_list([]) == "" and fi_list(["A"]) == "A" and fi_list(["A", "B"]) == "A ja B"
    assert fi_list(["A", "B", "C"]) == "A, B ja C"
    assert label_text("Paikallinen (yksi kunta)") == "Paikallinen, yksi kunta"
    assert label_text("Liikunta ja urheilu") == "Liikunta ja urheilu"
    files = [{"name": "jarjestokysely_vastaukset.csv"}, {"name": "paperi.csv"}, {"name": "myohastyneet.xlsx"}]
    assert files_phrase(files) == "2 CSV-tiedostoa ja 1 Excel-tiedosto"


def _table() -> Table:
    frame = pd.DataFrame({"avain": ["179", "182", "410", "992"],
                          "kunta": ["Jyväskylä", "Jämsä", "Laukaa", "Äänekoski"],
                          "seutukunta": ["Jyväskylän seutukunta", "Jämsän seutukunta",
                                         "Jyväskylän seutukunta", "Äänekosken seutukunta"],
                          "lkm": [402.0, 63.0, 50.0, None], "osuus": [46.2, 7.2, 5.7, None]})
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    small = mask.copy()
    mask.loc[3, ["lkm", "osuus"]] = True
    small.loc[3, "lkm"] = True
    return Table("vastaajat_kunta", "Vastaajat kotikunnittain", frame, 515,
                 {"kunta": "Kunta", "seutukunta": "Seutukunta", "lkm": "Lkm", "osuus": "Osuus (%)"},
                 {"lkm": "count", "osuus": "percent"}, mask, source="kotikunta", small=small)


def test_kotikunnittain_names_municipalities_not_subregions():
    assert _top_sentence(_table(), "kunta") == (
        f"Yleisin kotikunta oli Jyväskylä (46,2{NBSP}%), seuraavina Jämsä (7,2{NBSP}%) ja Laukaa (5,7{NBSP}%).")


# -- the researcher's text ----------------------------------------------------------------------

TABLES = {"vastaajat_kunta": _table()}


def test_placeholders_are_filled_and_hidden_ones_listed():
    text, hidden = fill('Jyväskylä: {{ osuus("kotikunta", "179") }}, {{ lukumaara("vastaajat_kunta", "Jyväskylä") }}.\n'
                        'Äänekoski: {{ lukumaara("kotikunta", "992") }} ja {{ osuus("kotikunta", "992") }}.',
                        TABLES, {})
    assert text == f"Jyväskylä: 46,2{NBSP}%, 402.\nÄänekoski: <5 ja ..."
    assert hidden == ["rivi 2: lukumaara('kotikunta', '992') -> <5", "rivi 2: osuus('kotikunta', '992') -> .."]


@pytest.mark.parametrize("source, message", [
    ("ok\n\n{{ tuntematon() }}", "raportti.md, rivi 3: tuntematon nimi"),
    ("{{ osuus('ei_ole', 'x') }}", "raportti.md, rivi 1: tuntematon kysymys 'ei_ole'"),
    ("a\n{{ osuus('kotikunta', 'Helsinki') }}", "rivi 2: kysymyksellä 'vastaajat_kunta' ei ole vaihtoehtoa 'Helsinki'"),
    ("{{ osuus.__globals__ }}", "rivi 1:"),                                 # no attribute access
    ("{{ ''.__class__.__mro__ }}", "rivi 1:"),
    ("{% include '/etc/passwd' %}", "rivi 1:"),                            # no file access
    ("{{ osuus( }}", "rivi 1: virheellinen paikkamerkki"),
])
def test_sandbox_stops_with_the_line_number(source, message):
    with pytest.raises(KartoitusError, match=message.replace("(", r"\(").replace(")", r"\)")):
        fill(source, TABLES, {})


def test_parts_by_heading_and_html_stays_text():
    own = researcher_text("Alku <script>x</script>\n\n# Yhteistyö kuntien kanssa\n\nTulkinta **tärkeä**.\n\n"
                          "## Alaotsikko\n\n# Johtopäätökset\n\nLopuksi.", TABLES, {},
                          {"yhteistyo": "Yhteistyö kuntien kanssa"})
    assert set(own.parts) == {"johdanto", "yhteistyo", "johtopaatokset"}
    assert "&lt;script&gt;" in own.parts["johdanto"] and "<script>" not in own.parts["johdanto"]
    assert "<strong>tärkeä</strong>" in own.parts["yhteistyo"] and "<h3>Alaotsikko</h3>" in own.parts["yhteistyo"]
    with pytest.raises(KartoitusError, match="rivi 1: tuntematon luku 'Ei tällaista'"):
        researcher_text("# Ei tällaista\n", TABLES, {}, {})
    assert researcher_text(None, TABLES, {}, {}).parts == {}


def test_a_chart_caption_gives_the_question_asked_not_the_title_again():
    from kartoitus.outputs.report.sections import figure_caption

    t = Table(id="budjetti", title="Yhdistyksen vuosibudjetti", frame=pd.DataFrame({"n": [3]}), n=1234)
    assert figure_caption(t, ["Yhdistyksen vuosibudjetti"]) == \
        "Kuvio: kysymys \u201dYhdistyksen vuosibudjetti\u201d; n = 1\u00a0234."
    assert figure_caption(t, ["A?", "B"]) == "Kuvio: kysymykset \u201dA?\u201d, \u201dB\u201d; n = 1\u00a0234."
    assert figure_caption(t, []) == "Kuvio: Yhdistyksen vuosibudjetti. n = 1\u00a0234."   # a derived table
