"""The qa command as a user runs it: output, JSON keys, one-line errors."""

import json
import os
import subprocess
import sys

import pytest

from qa.cli import main


@pytest.fixture
def run(seed_index, seed_settings, capsys, monkeypatch):
    monkeypatch.setenv("QA_INDEX_DIR", str(seed_settings.index_dir))
    monkeypatch.setenv("QA_CORPUS_DIR", str(seed_settings.corpus_dir))

    def _run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    return _run


def test_ask_json(run):
    code, out, _ = run("ask", "Which observers did Russia say found the Kazakh vote fair?", "--json", "-k", "3")
    data = json.loads(out)
    assert code == 0 and data["question"].startswith("Which observers")
    first = data["passages"][0]
    assert first["doc_id"] == "PC.DEL/64/21" and first["citation"] == "PC.DEL/64/21 ¶3"
    assert first["delegation"] == "Russian Federation" and first["date"] == "2021-01-22"
    assert first["source"].endswith(".txt") and first["paragraphs"] == [3]
    assert len(data["passages"]) == 3 and data["abstained"] is False


def test_ask_text_with_filter_and_chunk_covering_two_paragraphs(run):
    code, out, _ = run("ask", "congratulations on the election", "--delegation", "Russia", "--since", "2022-01-01")
    assert code == 0
    assert "PC.DEL/1799/22 ¶" in out and "PC.DEL/64/21" not in out
    assert "¶5–6" in out   # a salutation joined to its paragraph is cited as a range


def test_show_paragraph_and_statement(run):
    code, out, _ = run("show", "PC.DEL/80/21/Rev.1", "3")
    assert code == 0 and out.startswith("PC.DEL/80/21/Rev.1 ¶3")
    body = " ".join(out.split("\n", 2)[2].split())
    assert body.startswith("The election was tarnished by limitations on fundamental freedoms")
    assert body.endswith("left voters without a genuine choice.")
    code, out, _ = run("show", "pc.del/64/21")
    assert code == 0 and "¶6" in out and "Russian Federation" in out
    code, out, _ = run("show", "003_9e00ce0fab966cb6", "5")   # the seed file's name is an alias
    assert code == 0 and out.startswith("kz-hdim-2011-elections ¶5")


def test_docs_json(run):
    code, out, _ = run("docs", "--json")
    rows = json.loads(out)
    assert {r["id"] for r in rows} >= {"PC.DEL/64/21", "PC.DEL/80/21/Rev.1", "kz-hdim-2011-elections"}


@pytest.mark.parametrize("argv,message", [
    (["show", "PC.DEL/1/99"], "unknown document 'PC.DEL/1/99'"),
    (["show", "PC.DEL/64/21", "9"], "PC.DEL/64/21 has paragraphs 1–6; there is no ¶9"),
    (["ask", "x", "--since", "last week"], "--since 'last week' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"),
    (["ask", "x", "--since", "2021-02-30"], "--since '2021-02-30' is not a date"),
    (["ask", "x", "--until", "2021-13-45"], "--until '2021-13-45' is not a date"),
    (["ask", "x", "--since", "2022", "--until", "2021"], "--since '2022' is after --until '2021': nothing can match"),
    (["ask", "x", "--doc", "PC.DEL/64/2"], "unknown document 'PC.DEL/64/2'; closest: PC.DEL/64/21"),
    (["ask", "x", "--delegation", "Freedonia"], "no statement by delegation 'Freedonia'"),
])
def test_errors_are_one_line(run, argv, message):
    code, out, err = run(*argv)
    assert code == 1 and err.strip().count("\n") == 0 and message in err and "Traceback" not in err


@pytest.mark.parametrize("k", ["-1", "0", "101", "many"])
def test_bad_k_is_refused(k, capsys):
    with pytest.raises(SystemExit) as e:
        main(["ask", "x", "-k", k])
    assert e.value.code == 2 and "argument -k" in capsys.readouterr().err


def test_until_a_year_keeps_that_years_statements(run):
    code, out, _ = run("ask", "Kazakhstan parliamentary elections", "--since", "2021", "--until", "2021", "--json", "-k", "10")
    dates = {p["date"][:4] for p in json.loads(out)["passages"]}
    assert code == 0 and dates == {"2021"}


def test_another_corpus_gets_an_index_of_its_own_not_the_bundled_one(tmp_path, monkeypatch):
    """`qa docs --corpus elsewhere/` once rebuilt index/ from elsewhere/, and the next plain
    `qa ask` rebuilt it back: each corpus named without --index now has its own folder."""
    from qa.settings import ROOT, Settings, index_for

    monkeypatch.delenv("QA_INDEX_DIR", raising=False)
    monkeypatch.delenv("QA_CORPUS_DIR", raising=False)
    assert Settings.from_env().index_dir == ROOT / "index"
    assert Settings.from_env(corpus_dir=ROOT / "corpus").index_dir == ROOT / "index"
    other = Settings.from_env(corpus_dir=tmp_path / "un-2015").index_dir
    assert other.parent == ROOT / "index" / "corpora" and other.name.startswith("un-2015-")
    assert other == index_for(tmp_path / "un-2015") != index_for(tmp_path / "b" / "un-2015")
    # a folder named on the command line or in $QA_INDEX_DIR is used as given
    assert Settings.from_env(corpus_dir=tmp_path, index_dir=tmp_path / "i").index_dir == tmp_path / "i"
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "j"))
    assert Settings.from_env(corpus_dir=tmp_path).index_dir == tmp_path / "j"


def test_missing_index_and_empty_corpus_are_one_line_errors(tmp_path):
    env = {**os.environ, "QA_INDEX_DIR": str(tmp_path / "idx"), "QA_CORPUS_DIR": str(tmp_path / "empty")}
    (tmp_path / "empty").mkdir()
    p = subprocess.run([sys.executable, "-m", "qa", "index"], env=env, capture_output=True, text=True)
    assert p.returncode == 1 and p.stderr.strip() == f"qa: error: {tmp_path / 'empty'}: no statements found " \
                                                     "(expected .txt, .md, .pdf, .docx, .html, .htm files)"
    p = subprocess.run([sys.executable, "-m", "qa", "ask", "x", "--no-rebuild"], env=env, capture_output=True, text=True)
    assert p.returncode == 1 and "no index in" in p.stderr and "Traceback" not in p.stderr


def test_index_names_files_it_cannot_read(tmp_path, corpus, capsys, monkeypatch):
    (corpus / "minutes.odt").write_bytes(b"PK\x03\x04")
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    assert main(["index", "--corpus", str(corpus)]) == 0
    err = capsys.readouterr().err
    assert "ignoring 1 file(s) of unsupported types" in err and "minutes.odt" in err


# --- hardening: paths, the question cap, citations as printed (docs/hardening.md) -------------

@pytest.mark.parametrize("argv,message", [
    (["ask", "x", "--index", "{file}"], "--index {file}: is a file, not an index folder"),
    (["show", "PC.DEL/64/21", "--index", "{file}"], "--index {file}: is a file, not an index folder"),
    (["index", "--corpus", "{file}"], "--corpus {file}: is a file, not a corpus folder"),
    (["ask", "x", "--corpus", "{missing}"], "--corpus {missing}: no such folder"),
    (["ask", "why " * 500 + "?"], "question is too long: 2,001 characters (at most 2,000); ask about one thing at a time"),
    (["ask", "\udcff?"], "question is not valid Unicode text (a lone surrogate at character 0)"),
    (["ask", "   "], "question is empty"),
])
def test_bad_paths_and_questions_are_one_line_errors_before_anything_loads(argv, message, tmp_path, capsys,
                                                                            monkeypatch):
    import qa.index

    a_file = tmp_path / "notes.txt"
    a_file.write_text("not an index")
    fill = {"file": str(a_file), "missing": str(tmp_path / "nope")}
    # nothing heavy may load before these are refused
    monkeypatch.setattr(qa.index, "load_current", lambda *a, **k: pytest.fail("index loaded"))
    monkeypatch.setattr(qa.index, "update_index", lambda *a, **k: pytest.fail("index built"))
    code = main([a.format(**fill) for a in argv])
    err = capsys.readouterr().err
    assert code == 1 and err == f"qa: error: {message.format(**fill)}\n"


@pytest.mark.parametrize("argv,message", [
    (["show", "PC.DEL/64/21 ¶9"], "PC.DEL/64/21 has paragraphs 1–6; there is no ¶9"),
    (["show", "PC.DEL/64/21 ¶3", "4"], "'PC.DEL/64/21 ¶3' already names a paragraph; drop the extra 4"),
    (["show", "PC.DEL/64/2 ¶3"], "unknown document 'PC.DEL/64/2'; closest: PC.DEL/64/21, PC.DEL/1799/22, "
                                 "PC.DEL/80/21/Rev.1"),
    (["show", "pc.del/64/21 ¶x"], "'x' is not a paragraph number: give e.g. 3 or 5-6"),
])
def test_show_errors_are_one_exact_line(run, argv, message):
    code, out, err = run(*argv)
    assert (code, out, err) == (1, "", f"qa: error: {message}\n")


def test_show_accepts_citations_as_printed(run):
    code, single, _ = run("show", "PC.DEL/64/21 ¶3")
    _, plain, _ = run("show", "PC.DEL/64/21", "3")
    assert code == 0 and single == plain and single.startswith("PC.DEL/64/21 ¶3\n")
    code, span, _ = run("show", "PC.DEL/64/21 ¶5–6")
    assert code == 0 and span.startswith("PC.DEL/64/21 ¶5–6\n")
    assert "\n¶5 " in span and "\n¶6 " in span and "¶4" not in span
    _, hyphen, _ = run("show", "PC.DEL/64/21", "5-6")
    assert hyphen == span


@pytest.mark.parametrize("paragraph", ["x", "6-5", "¶"])
def test_show_bad_paragraph_is_a_usage_error(paragraph, capsys):
    with pytest.raises(SystemExit) as e:
        main(["show", "PC.DEL/64/21", paragraph])
    assert e.value.code == 2 and "is not a paragraph number: give e.g. 3 or 5-6" in capsys.readouterr().err


def test_show_lists_who_aligned_and_keeps_the_clause(run):
    code, out, _ = run("show", "PC.DEL/80/21/Rev.1")
    assert code == 0
    aligned = next(line for line in out.splitlines() if line.strip().startswith("aligned:"))
    assert "North Macedonia" in aligned and "Ukraine" in aligned and "Georgia" in aligned
    assert "align themselves with this statement" in " ".join(out.split())
