"""Parser facts for every seed statement, symbol and date patterns, bad input."""

import pytest

from qa.documents import (CorpusError, find_symbol, load_corpus, load_document, parse_date,
                          parse_statement)
from qa.settings import ROOT



def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path

CORPUS = ROOT / "corpus"
DISCLAIMER_WORDS = ("Secretariat bears no responsibility", "without prejudice to OSCE decisions")

# file, id, date, delegation, paragraph count, first paragraph start, last paragraph start
SEEDS = [
    ("ru-2021-01-kazakhstan-parliamentary-elections.txt", "PC.DEL/64/21", "2021-01-22", "Russian Federation", 6,
     "Madam Chairperson,", "Thank you for your attention."),
    ("ru-2022-12-kazakhstan-presidential-election.txt", "PC.DEL/1799/22", "2022-12-08", "Russian Federation", 10,
     "Mr. Chairperson,", "Thank you for your attention."),
    ("eu-2021-02-kazakhstan-parliamentary-elections.txt", "PC.DEL/80/21/Rev.1", "2021-02-22", "European Union", 5,
     "The European Union welcomes the efficient organisation of the Parliamentary elections in Kazakhstan",
     "The EU will continue to support Kazakhstan’s reform and modernisation processes"),
    ("kz-hdim-2011-elections.txt", "kz-hdim-2011-elections", "2011-09-30", "Kazakhstan", 12,
     "The Republic of Kazakhstan with respect and responsibility", "Thank you!"),
    ("us-pc-2016-04-07-kazakhstan-elections.txt", "us-pc-2016-04-07-kazakhstan-elections", "2016-04-07",
     "United States", 6, "I'd like to thank the distinguished Kazakh colleague", "Thank you, Mr. Chair."),
]


@pytest.mark.parametrize("name,doc_id,date,delegation,count,first,last", SEEDS)
def test_seed_statement_facts(name, doc_id, date, delegation, count, first, last):
    doc = load_document(CORPUS / name, CORPUS)
    assert (doc.id, doc.date, doc.delegation, len(doc.paragraphs)) == (doc_id, date, delegation, count)
    assert doc.paragraphs[0].startswith(first)
    assert doc.paragraphs[-1].startswith(last)
    assert doc.source == name
    for p in doc.paragraphs:
        assert not any(w in p for w in DISCLAIMER_WORDS), p
        assert "**" not in p and not p.startswith("PC.DEL")


def test_russian_statement_header_metadata():
    doc = load_document(CORPUS / SEEDS[0][0])
    assert doc.speaker == "Mr. Alexander Lukashevich"
    assert doc.meeting.startswith("1299th Meeting of the OSCE Permanent Council")
    assert doc.title == "On the parliamentary elections in Kazakhstan"
    assert doc.language == "Russian"
    assert doc.delivered == "2021-01-21"


def test_eu_hard_wrapped_lines_become_real_paragraphs():
    doc = load_document(CORPUS / SEEDS[2][0])
    third = doc.paragraphs[2]
    assert third.startswith("The election was tarnished by limitations on fundamental freedoms, including the "
                            "detention of peaceful demonstrators.")
    assert third.endswith("left voters without a genuine choice.")
    # the header block printed after the body is metadata, not paragraphs
    assert not any("ENGLISH" in p or "align themselves" in p for p in doc.paragraphs)
    assert any("align themselves with this statement" in n for n in doc.notes)
    assert doc.language == "English"


def test_us_header_lines_are_metadata():
    doc = load_document(CORPUS / SEEDS[4][0])
    assert doc.title == "Parliamentary Elections in Kazakhstan"
    assert doc.speaker == "Ambassador Daniel B. Baer"
    assert not any(p.startswith(("United States Mission", "As delivered")) for p in doc.paragraphs)


@pytest.mark.parametrize("text,symbol", [
    ("PC.DEL/64/21", "PC.DEL/64/21"), ("PC.DEL/80/21/Rev.1 ", "PC.DEL/80/21/Rev.1"),
    ("see PC.JOUR/1299, item 3", "PC.JOUR/1299"), ("HDIM.DEL/0345/11", "HDIM.DEL/0345/11"),
    ("MC.DEL/12/22", "MC.DEL/12/22"), ("FSC.DEL/50/20/Corr.1", "FSC.DEL/50/20/Corr.1"),
    ("SEC.GAL/3/21/Add.2", "SEC.GAL/3/21/Add.2"), ("no symbol here 12/21", None),
])
def test_document_symbols(text, symbol):
    assert find_symbol(text) == symbol


@pytest.mark.parametrize("text,iso", [
    ("22 January 2021", "2021-01-22"), ("April 7, 2016", "2016-04-07"), ("September 30, 2011", "2011-09-30"),
    ("on 8 December 2022 in Vienna", "2022-12-08"), ("31 February 2021", None), ("no date", None),
])
def test_dates(text, iso):
    assert parse_date(text) == iso


def test_symbol_in_header_becomes_id_and_emphasis_is_removed():
    doc = parse_statement("FSC.DEL/50/20/Corr.1\n3 March 2020\n\nDelegation of Canada\n\n"
                          "Mr. Chairperson,\n\nWe *strongly* support the **Vienna Document** update.\n")
    assert doc.id == "FSC.DEL/50/20/Corr.1" and doc.delegation == "Canada" and doc.date == "2020-03-03"
    assert doc.paragraphs == ["Mr. Chairperson,", "We strongly support the Vienna Document update."]


def test_sidecar_metadata_overrides_and_filename_id(tmp_path):
    write(tmp_path / "note.txt", "We support the Chair.\n\nThank you.\n")
    assert load_document(tmp_path / "note.txt").id == "note"
    write(tmp_path / "note.txt.meta.json", '{"id": "X.DEL/1/21", "delegation": "Malta", "date": "2021-05-04"}')
    doc = load_document(tmp_path / "note.txt")
    assert (doc.id, doc.delegation, doc.date) == ("X.DEL/1/21", "Malta", "2021-05-04")


@pytest.mark.parametrize("content,message", [
    (b"\xff\xfe bad bytes", "not UTF-8 text"),
    (b"PC.DEL/1/21\n22 January 2021\n", "no body paragraphs"),
])
def test_bad_files_name_the_file_and_problem(tmp_path, content, message):
    (tmp_path / "bad.txt").write_bytes(content)
    with pytest.raises(CorpusError, match=rf"bad\.txt: {message}"):
        load_corpus(tmp_path)


def test_a_document_answers_to_its_aliases_and_file_name(tmp_path):
    write(tmp_path / "ru-note.txt", "PC.DEL/5/21\n\nWe support the Chair.\n")
    write(tmp_path / "ru-note.txt.meta.json", '{"aliases": ["000_92c4e4b9d8ac1bef"]}')
    doc = load_corpus(tmp_path)[0]
    assert doc.id == "PC.DEL/5/21" and doc.aliases == ["000_92c4e4b9d8ac1bef", "ru-note"]
    write(tmp_path / "ru-note.txt.meta.json", '{"aliases": "000_92c4e4b9d8ac1bef"}')
    with pytest.raises(CorpusError, match=r'ru-note\.txt\.meta\.json: "aliases" must be a list'):
        load_corpus(tmp_path)


def test_bad_sidecar_and_duplicate_ids(tmp_path):
    write(tmp_path / "a.txt", "PC.DEL/9/21\n\nWe agree with the Chair.\n")
    write(tmp_path / "a.txt.meta.json", '{"delegaton": "typo"}')
    with pytest.raises(CorpusError, match=r"a\.txt\.meta\.json: unknown metadata keys \['delegaton'\]"):
        load_corpus(tmp_path)
    (tmp_path / "a.txt.meta.json").unlink()
    write(tmp_path / "b.txt", "PC.DEL/9/21\n\nWe disagree with the Chair.\n")
    with pytest.raises(CorpusError, match=r"b\.txt: document id PC\.DEL/9/21 already used by .*a\.txt"):
        load_corpus(tmp_path)
    # a second copy of the same statement is skipped, and said so
    write(tmp_path / "b.txt", "PC.DEL/9/21\n\n\nWe agree with the Chair.\n")
    notes = []
    assert [d.source for d in load_corpus(tmp_path, notes.append)] == ["a.txt"]
    assert notes and "b.txt: a copy of" in notes[0]


def test_empty_corpus_folder(tmp_path):
    with pytest.raises(CorpusError, match="no statements found"):
        load_corpus(tmp_path)


def test_the_meeting_in_a_capitalised_statement_line():
    """"AT THE MEETING OF THE OSCE PERMANENT COUNCIL" names the meeting: a question asking what a
    delegation told the Permanent Council in 2019 was refused ("no statement mentions Permanent
    together with 2019") when only the header said where it was delivered."""
    text = ("SYN.DEL/77/19\n25 April 2019\n\nENGLISH only\n\nDelegation of Malta\n\n"
            "**STATEMENT BY AMBASSADOR ANNA BORG,  \nPERMANENT REPRESENTATIVE OF MALTA TO THE OSCE,  \n"
            "AT THE MEETING OF THE OSCE PERMANENT COUNCIL**\n\n25 April 2019\n\n**On the harbour**\n\n"
            "Mr. Chairperson,\n\nThe harbour was rebuilt.\n")
    doc = parse_statement(text, "malta.txt")
    assert (doc.meeting, doc.speaker, doc.title) == ("Permanent Council", "Ambassador Anna Borg", "On the harbour")


def test_other_layouts_page_break_and_title_delegation():
    """A UK-style statement: delegation only in its title, speaker line, a paragraph cut by a page header."""
    text = ("UK Statement on the elections in Kazakhstan\n\nAmbassador Neil Holland\nPermanent Council, Vienna\n"
            "12 January 2023\n\nThank you, Mr Chair.\n\nThe United Kingdom notes that the elections were "
            "efficiently organised but that fundamental freedoms\n\n- 2 -\nPC.DEL/12/23\n\n"
            "remained restricted throughout the campaign.\n\nWe urge Kazakhstan to act.\n")
    doc = parse_statement(text, "uk.txt")
    assert (doc.id, doc.date, doc.delegation) == ("PC.DEL/12/23", "2023-01-12", "United Kingdom")
    assert (doc.speaker, doc.meeting) == ("Ambassador Neil Holland", "Permanent Council, Vienna")
    assert doc.paragraphs == [
        "Thank you, Mr Chair.",
        "The United Kingdom notes that the elections were efficiently organised but that fundamental "
        "freedoms remained restricted throughout the campaign.",
        "We urge Kazakhstan to act."]


def test_speaker_found_in_the_body_when_no_header_names_it():
    """Without its sidecar the EU seed still reads as the EU's: its alignment clause says so."""
    text = (CORPUS / SEEDS[2][0]).read_text(encoding="utf-8")   # parse_statement reads no sidecar
    assert parse_statement(text, "eu.txt").delegation == "European Union"
    opening = "PC.DEL/7/22\n\nThe United States welcomes the release of the journalists and calls for more.\n"
    assert parse_statement(opening, "x.txt").delegation == "United States"
    # a country that is the topic is not taken for the speaker
    topic = "PC.DEL/8/22\n\nKazakhstan held elections in January, and we note the observers' findings.\n"
    assert parse_statement(topic, "y.txt").delegation is None


@pytest.mark.parametrize("header,delegation", [
    ("United Kingdom Delegation to the OSCE", "United Kingdom"),
    ("U.S. Mission to the OSCE", "United States"),
    ("Permanent Mission of the Republic of Kazakhstan", "Republic of Kazakhstan"),
])
def test_mission_header_names_the_delegation(header, delegation):
    doc = parse_statement(f"{header}\n\nOn the elections\n\nWe welcome the report of the observers.\n", "z.txt")
    assert doc.delegation == delegation and doc.title == "On the elections"


def test_a_statement_set_entirely_in_bold_keeps_its_paragraphs(tmp_path):
    write(tmp_path / "bold.md", "**Statement on Georgia**\n\n**We support the sovereignty of Georgia.**\n\n"
                                "**Thank you, Mr. Chair.**\n")
    doc = load_corpus(tmp_path)[0]
    assert doc.paragraphs == ["We support the sovereignty of Georgia.", "Thank you, Mr. Chair."]
    assert doc.title == "Statement on Georgia"


def test_title_line_of_a_double_spaced_pdf_text_is_not_joined_to_the_body():
    lines = ["EU Statement on the Parliamentary Elections in Georgia",
             "The European Union takes note of the preliminary conclusions of the",
             "observers on the elections held on 31 October 2020. The elections were",
             "competitive and fundamental freedoms were respected overall.",
             "We call on all sides to engage in dialogue and to respect the",
             "results of the elections."]
    doc = parse_statement("\n\n".join(lines) + "\n\nSYN.DEL/1/20\n\n5 November 2020\n", "eu.txt")
    assert doc.title == "EU Statement on the Parliamentary Elections in Georgia"
    assert doc.delegation == "European Union"
    assert len(doc.paragraphs) == 2
    assert doc.paragraphs[0].startswith("The European Union takes note") and doc.paragraphs[1].startswith("We call")


@pytest.mark.parametrize("name", ["pc-del-spaced.pdf", "pc-del-tight.pdf"])
def test_pdf_paragraphs_and_metadata(tmp_path, name):
    """pypdf's plain text runs a page's paragraphs together; they must come apart whether the
    PDF separates them by a gap and an indent or only by a short last line."""
    import shutil
    from pathlib import Path

    shutil.copy(Path(__file__).parent / "fixtures" / name, tmp_path / name)
    doc = load_corpus(tmp_path)[0]
    assert (doc.id, doc.date, doc.delegation) == ("PC.DEL/777/23", "2023-10-12", "Canada")
    assert doc.title == "On the test of parliamentary elections in the Republic of Examplia"
    assert doc.speaker == "Ambassador Jane Morrow"
    assert len(doc.paragraphs) == 6 and doc.paragraphs[0] == "Mr. Chairperson,"
    assert doc.paragraphs[1].startswith("Canada thanks the Head of the Election Observation Mission")
    assert doc.paragraphs[3].startswith("We are particularly concerned")   # across the page break
    assert doc.paragraphs[3].endswith("Copenhagen Document.")
    assert doc.paragraphs[5] == "Thank you, Mr. Chairperson."
    assert not any("Secretariat bears" in p or "- 1 -" in p or "- 2 -" in p for p in doc.paragraphs)


# --- layouts of real collections: excerpts of UN General Debate speeches (tests/fixtures/un/,
# the first lines of the files unless the name says otherwise, unchanged; UN General Debate
# Corpus, CC0) -------------------------------------------------------------------------------

UN = __import__("pathlib").Path(__file__).parent / "fixtures" / "un"

# file, layout, paragraph count, printed numbers, {label: (first words, last words)}
UN_SAMPLES = [
    # one paragraph per line, no blank lines
    ("ARG_01_1946.txt", "lines", 12, [], {1: ("At the resumption of the first session", "on a number of questions."),
                                          12: ("We have solved our frontier differences", "relations with Chile.")}),
    # one paragraph per line, the UN's numbers printed ("1.\t It is ...")
    ("USA_25_1970.txt", "lines", 8, list(range(1, 9)),
     {1: ("It is my privilege to extend", "improvement of the United Nations."),
      4: ("In the view of the United States", "[1755th meeting, para. 45.]")}),
    # numbers printed as "33:" and "34.\t"; the speech starts at the record's paragraph 33
    ("ALB_25_1970.txt", "lines", 6, list(range(33, 39)),
     {33: ("May I first convey to our President", "session of the General Assembly?"),
      38: ("One of the undeniable proofs", "China of 700 million people.")}),
    # a byte-order mark, and a first number the transcription lost ("): It is not ...")
    ("AFG_16_1961.txt", "lines", 11, list(range(35, 46)),
     {35: ("): It is not to follow a customary practice", "Ms friends."),
      36: ("This message of condolence", "the only existing human institution.")}),
    # a stray line that stops mid-sentence joins the paragraph it runs into
    ("AFG_40_1985.txt", "lines", 5, [], {4: ("of the basic principles of the policy", "it was initially created."),
                                         5: ("A glance at the 40 years", "content of international relations.")}),
    # a narrow hard-wrapped column, no blank line between paragraphs, a page number mid-paragraph
    ("AFG_50_1995.txt", "wrapped", 6, [], {1: ("On the eve of the fiftieth anniversary", "enthusiasm and animation."),
                                           2: ("The Afghan nation, in spite of", "overcome those challenges."),
                                           3: ("War and conflict always bring", "and peace of mind.")}),
    ("AFG_60_2005.txt", "wrapped", 4, [], {1: ("I have the honour to inform", "in December 2001."),
                                           2: ("The determination and political will", "and provincial elections.")}),
    # a typewritten 70-character column (lines 190-300 of the file) whose paragraphs end on
    # full lines: a line finishing a sentence before one starting another ends a paragraph
    ("GTM_37_1982-lines190-300.txt", "wrapped", 4, [],
     {2: ("As regards the foreign policy of my country", "context of the national situation."),
      3: ("This invitation was accepted with pleasure", "from a human rights standpoint.")}),
    # one paragraph per line, cut by a page break with the record's running heads
    ("AFG_70_2015.txt", "lines", 4, [], {2: ("The state of the world today", "dealing with global issues."),
                                         4: ("At the same time, as the world shrinks", "for the work at hand.")}),
    # one sentence per line, blank lines between paragraphs, stray spaces
    ("KAZ_79_2024.txt", "blocks", 7, [], {1: ("Mr. President, Mr. Secretary-General,", "ladies and gentlemen,"),
                                          5: ("Multilateralism is struggling to keep pace. And yet,", "global problems alone.")}),
    # Markdown: bold salutations, *emphasis*, --- rules, trailing double spaces
    ("AND_79_2024.txt", "blocks", 10, [], {1: ("Mr President, Mr Secretary-General,", "Ladies and Gentlemen,"),
                                           7: ("Ladies and Gentlemen,", "Ladies and Gentlemen,")}),
    # wrapped lines with blank lines, some of them in mid-sentence
    ("USA_79_2024.txt", "blocks", 6, [], {5: ("The United States and the world got through", "the war in Vietnam.")}),
    # an address block of dashed lines is the first paragraph, not a title
    ("AGO_79_2024.txt", "blocks", 4, [], {1: ("-Your Excellency Philémon Yang", "-Ladies and gentlemen,")}),
]


@pytest.mark.parametrize("name,kind,count,numbers,spans", UN_SAMPLES, ids=[s[0] for s in UN_SAMPLES])
def test_un_speech_paragraphs_follow_each_layout(name, kind, count, numbers, spans):
    from qa.documents import _normalise, layout, read_text
    doc = load_document(UN / name, UN)
    assert layout(_normalise(read_text(UN / name))) == kind
    assert (len(doc.paragraphs), doc.numbers) == (count, numbers)
    for label, (first, last) in spans.items():
        assert doc.paragraph(label).startswith(first) and doc.paragraph(label).endswith(last), label
    for furniture in ("\ufeff", "15-29425", "A/70/PV.15", "**", "---", "\n", "  "):
        assert not any(furniture in p for p in doc.paragraphs), furniture
    assert doc.title is None          # none of them has a title line


def test_a_paragraph_cut_by_a_page_break_comes_back_whole():
    assert "to pronounce itself opposed to the forces" in load_document(UN / "AFG_50_1995.txt").paragraph(4)
    assert "However, it also poses a serious challenge" in load_document(UN / "AFG_70_2015.txt").paragraph(2)
    assert "went to war but then forged a historic peace" in load_document(UN / "USA_79_2024.txt").paragraph(5)


def test_printed_numbers_are_used_only_when_the_document_numbers_its_paragraphs():
    decision = ("PC.DEC/1/23\n\nDECISION No. 1\n\nThe Permanent Council,\n\n1. Decides to hold the meeting;\n\n"
                "2. Requests the Secretariat to report;\n\n(a) on the budget;\n\n3. Decides to remain seized.\n")
    doc = parse_statement(decision, "dec.txt")
    assert doc.numbers == [1, 2, 3]
    assert doc.paragraph(1) == "The Permanent Council, Decides to hold the meeting;"
    assert doc.paragraph(2) == "Requests the Secretariat to report; (a) on the budget;"
    # a short list inside a statement is not the document's numbering
    listed = "We note three things.\n\nFirst, this.\n\nSecond, that.\n\n1. One.\n\n2. Two.\n\n3. Three.\n\nThank you.\n"
    doc = parse_statement(listed, "l.txt")
    assert doc.numbers == [] and doc.paragraphs[3] == "1. One." and len(doc.paragraphs) == 7
    # numbers that go backwards are not a numbering
    doc = parse_statement("3. Three apples.\n\n1. One pear.\n\n2. Two plums.\n\n1. One fig.\n", "b.txt")
    assert doc.numbers == [] and doc.paragraphs[0] == "3. Three apples."


def test_one_misprinted_number_in_a_numbered_speech():
    lines = [f"{n}. Paragraph number {n} is here." for n in range(1, 21)]
    lines[9] = "16. Paragraph number ten is here."      # a scanning error: 16 for 10
    doc = parse_statement("\n".join(lines), "u.txt")
    assert doc.numbers == list(range(1, 21)) and doc.paragraph(10) == "Paragraph number ten is here."


LINEAR_BOUND = 10   # seconds for 2 MB: about 2 s measured on 2 busy cores; quadratic work takes minutes


def test_a_two_megabyte_line_without_punctuation_parses_in_linear_time():
    import time
    text = " ".join(f"word{i % 977}" for i in range(300_000))      # about 2.2 MB, one line
    start = time.perf_counter()
    doc = parse_statement(text, "big.txt")
    assert time.perf_counter() - start < LINEAR_BOUND
    assert len(doc.paragraphs) == 1 and len(doc.paragraphs[0]) == len(text)
    many = "\n".join(f"line {i} of a block without sentence ends" for i in range(60_000))   # 2.5 MB
    start = time.perf_counter()
    parse_statement(many, "many.txt")
    assert time.perf_counter() - start < LINEAR_BOUND
    # PDF text with a blank line after every line: 40,000 blocks rejoined into one paragraph
    spaced = "\n\n".join(f"line {i} of a wrapped text that goes on and on" for i in range(40_000))  # 2 MB
    start = time.perf_counter()
    assert len(parse_statement(spaced, "spaced.txt").paragraphs) == 1
    assert time.perf_counter() - start < LINEAR_BOUND
