"""Statements as Word files and web pages, damaged files, and what the parser keeps beside the body."""

import shutil
from pathlib import Path

import pytest

from qa.documents import CorpusError, iter_corpus, load_corpus, load_document, unsupported_files
from qa.settings import ROOT

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_word_statement_reads_like_its_text_version(tmp_path):
    shutil.copy(FIXTURES / "docx" / "statement.docx", tmp_path)
    doc = load_corpus(tmp_path)[0]
    assert (doc.id, doc.date, doc.delegation, doc.language) == ("PC.DEL/901/24", "2024-03-14", "Canada", "English")
    assert doc.speaker == "Ambassador Jane Morrow"
    assert doc.title == "On the test of local elections in the Republic of Examplia"   # a bold paragraph
    assert doc.meeting.startswith("1466th Meeting of the OSCE Permanent Council")
    assert doc.paragraphs[0] == "Mr. Chairperson,"
    # runs in italics are one paragraph; a soft line break does not split it
    assert doc.paragraph(2).endswith("We note that the elections were well run, and that the count was transparent.")
    assert doc.paragraph(3) == ("We are concerned, however, by the limits placed on observers in three districts, "
                                "contrary to the Copenhagen Document.")
    # list items and table cells are paragraphs, in reading order
    assert doc.paragraphs[3:7] == ["We call on the authorities to:", "publish the results of every polling station;",
                                   "invite observers to the next elections.", "Turnout"]
    assert doc.paragraphs[-1] == "Thank you, Mr. Chairperson." and len(doc.paragraphs) == 9


def test_a_web_page_gives_its_main_text_only(tmp_path):
    shutil.copy(FIXTURES / "html" / "statement.html", tmp_path)
    doc = load_corpus(tmp_path)[0]
    assert (doc.id, doc.date, doc.delegation) == ("PC.DEL/902/24", "2024-03-21", "European Union")
    assert doc.title == "EU Statement on the Local Elections in Examplia"
    assert doc.paragraphs[0] == "Mr. Chair,"
    assert doc.paragraph(2) == ("The European Union welcomes the report of the observers on the local elections held "
                                "in Examplia on 3 March 2024. The elections were competitive and well administered.")
    assert doc.paragraph(3) == "We regret, however, that observers were denied access to the count in two regions."
    assert doc.paragraphs[-1] == "Thank you, Mr. Chair." and len(doc.paragraphs) == 8
    text = " ".join(doc.paragraphs)
    for boilerplate in ("cookies", "News", "Do not index", "Related", "Otherland", "©", "Delegation of the European"):
        assert boilerplate not in text


def test_the_eu_alignment_clause_stays_out_of_the_numbering_but_is_kept():
    """Which countries aligned with the EU? The clause is in `notes` word for word and its
    countries in `aligned`, in canonical delegation names."""
    seed = load_document(ROOT / "corpus" / "eu-2021-02-kazakhstan-parliamentary-elections.txt")
    assert not any("align themselves" in p for p in seed.paragraphs)
    assert any("UKRAINE and GEORGIA align themselves with this statement" in n for n in seed.notes)
    assert seed.aligned == ["North Macedonia", "Montenegro", "Serbia", "Albania", "Iceland", "Liechtenstein",
                            "Ukraine", "Georgia"]
    page = load_document(FIXTURES / "html" / "statement.html")
    assert page.aligned == ["North Macedonia", "Montenegro", "Albania", "Iceland", "Ukraine", "Moldova"]
    assert not any("align themselves" in p for p in page.paragraphs)


def test_a_damaged_pdf_is_one_line_and_no_library_noise(tmp_path, capfd):
    data = (FIXTURES / "pc-del-spaced.pdf").read_bytes()
    (tmp_path / "cut.pdf").write_bytes(data[: len(data) // 2])
    errors = []
    assert list(iter_corpus(tmp_path, on_error=errors.append)) == []
    assert [str(e) for e in errors] == [f"{tmp_path / 'cut.pdf'}: damaged PDF (Stream has ended unexpectedly)"]
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_a_damaged_word_file_is_one_line(tmp_path):
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CorpusError, match=r"bad\.docx: damaged DOCX \(") as e:
        load_corpus(tmp_path)
    assert "\n" not in str(e.value)


def test_word_and_web_files_are_statements_not_unsupported(tmp_path):
    for name in ("a.docx", "b.html", "c.htm"):
        shutil.copy(FIXTURES / ("docx/statement.docx" if name.endswith("docx") else "html/statement.html"),
                    tmp_path / name)
    (tmp_path / "d.odt").write_bytes(b"x")
    assert unsupported_files(tmp_path) == [tmp_path / "d.odt"]


def test_a_byte_order_mark_is_not_text(tmp_path):
    (tmp_path / "bom.txt").write_bytes("\ufeffMr. President,\nWe agree.\n".encode("utf-8"))
    assert load_corpus(tmp_path)[0].paragraphs == ["Mr. President,", "We agree."]
