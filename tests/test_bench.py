"""The scale benchmark: sizes, the stand-in vectors, the corpus it links, the questions,
and one small end-to-end run that writes the Markdown table."""

import json
import re

import numpy as np
import pytest

from qa import bench
from qa.settings import ROOT

STATEMENT = """It is my privilege to address the General Assembly on behalf of my country.

Kazakhstan closed the Semipalatinsk nuclear test site in 1991 and renounced the fourth largest nuclear arsenal in the world. We call on all States to sign and ratify the Comprehensive Nuclear-Test-Ban Treaty without delay.

Our region faces the drying of the Aral Sea, a disaster that requires the attention of the whole international community. We thank the United Nations Development Programme for its support.
"""


@pytest.fixture
def un_folder(tmp_path):
    """Three statements laid out like the UN General Debate corpus."""
    root = tmp_path / "ungdc"
    for session, year, code in [(46, 1991, "KAZ"), (70, 2015, "KAZ"), (70, 2015, "FRA")]:
        folder = root / f"Session {session} - {year}"
        folder.mkdir(parents=True, exist_ok=True)
        text = STATEMENT.replace("Kazakhstan", "France") if code == "FRA" else STATEMENT
        (folder / f"{code}_{session}_{year}.txt").write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("text,n", [("10k", 10_000), ("100K", 100_000), ("1m", 1_000_000), ("2500", 2500),
                                    ("1.5k", 1500)])
def test_sizes_read_as_passage_counts(text, n):
    assert bench.parse_size(text) == n


def test_a_bad_size_names_the_value():
    with pytest.raises(ValueError, match="size 'ten': use a number"):
        bench.parse_size("ten")


def test_size_labels():
    assert [bench.size_label(n) for n in (10_000, 1_000_000, 2500)] == ["10k", "1M", "2500"]


def test_stand_in_vectors_are_deterministic_unit_vectors_that_tell_texts_apart():
    e = bench.StandInEmbedder()
    texts = ["nuclear test site", "nuclear test site", "the Aral Sea", ""]
    v = e.encode(texts)
    assert v.shape == (4, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(v[0], v[1]) and np.array_equal(v, bench.StandInEmbedder().encode(texts))
    assert v[0] @ v[2] < 0.9
    assert np.array_equal(e.encode_query("the Aral Sea"), v[2])


def test_stand_in_counts_the_models_word_pieces():
    e = bench.StandInEmbedder()
    assert e.count_tokens("This is a test") == 6          # [CLS] this is a test [SEP]
    assert e.fits("word " * 254) and not e.fits("word " * 255)


def _fixture_documents():
    """The seed statements and the UN General Debate excerpts of the test fixtures."""
    from qa.documents import iter_corpus, parse_statement, read_text
    un = ROOT / "tests" / "fixtures" / "un"
    docs = list(iter_corpus(ROOT / "corpus"))
    docs += [parse_statement(read_text(p), source=p.name, meta=bench.un_meta(p) if p.stem.count("_") == 2 else {})
             for p in sorted(un.glob("*.txt"))]
    return docs


def test_stand_in_word_piece_counts_equal_the_tokenizers_own():
    """The stand-in sums remembered per-word counts for plain English text; the count, and
    so every chunk, must be exactly the tokenizer's."""
    e = bench.StandInEmbedder()
    tricky = ["", "U.S.-led 3.5% (2015) [a] {b} ~c` _d_ \\e; it’s “quoted” — dashed – …", "a" * 101 + " b",
              "tab\tnew\nline\r", "ctrl\x01joined", "vertical\x0btab", "café Türkiye", "Кыргызстан", "x\x7fy",
              "supercalifragilisticexpialidocious antidisestablishmentarianism"]
    texts = tricky + [p for d in _fixture_documents() for p in d.paragraphs]
    assert len(texts) > 100
    assert [e.count_tokens(t) for t in texts] == [len(e._tok.encode(t).ids) for t in texts]


def test_chunks_from_the_stand_ins_fast_count_are_the_tokenizers_chunks():
    from qa.chunking import chunk_document
    e = bench.StandInEmbedder()

    def slow_fits(text):
        return len(e._tok.encode(text).ids) <= e.max_seq_length
    for doc in _fixture_documents():
        for budget in (200, 60):      # 60: paragraphs split at sentences too
            assert chunk_document(doc, max_tokens=budget, model_fits=e.fits) == \
                   chunk_document(doc, max_tokens=budget, model_fits=slow_fits)


def test_un_file_names_give_the_metadata():
    assert bench.un_meta(ROOT / "x" / "KAZ_70_2015.txt") == {
        "id": "UNGD/70/KAZ", "delegation": "Kazakhstan", "date": "2015",
        "title": "Statement in the general debate of the 70th session of the UN General Assembly"}
    assert bench.un_meta(ROOT / "x" / "EU_70_2015.txt")["delegation"] == "EU"   # not a country code


def test_corpus_links_statements_with_their_metadata(un_folder, tmp_path):
    folder = tmp_path / "corpus"
    n, passages = bench.make_corpus(5, folder, un_folder, log=lambda m: None)
    assert n == 2 and passages >= 5                      # three paragraphs per statement
    links = sorted(folder.glob("*.txt"))
    assert len(links) == 2 and all(p.is_symlink() and p.resolve().parent.parent == un_folder for p in links)
    for p in links:
        assert json.loads((folder / f"{p.name}.meta.json").read_text()) == bench.un_meta(p)


def test_corpus_reuses_statements_under_new_ids_when_it_runs_out(un_folder, tmp_path):
    folder = tmp_path / "corpus"
    n, passages = bench.make_corpus(20, folder, un_folder, log=lambda m: None)
    assert passages >= 20 and n > 3
    ids = [json.loads(p.read_text())["id"] for p in folder.glob("*.meta.json")]
    assert len(ids) == len(set(ids)) and any(i.endswith("/r1") for i in ids)


def test_corpus_indexes_through_the_projects_own_code(un_folder, tmp_path):
    from qa.index import update_index
    from qa.settings import Settings

    bench.make_corpus(9, tmp_path / "corpus", un_folder, log=lambda m: None)
    s = Settings.from_env(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    index, stats = update_index(s, embedder=bench.StandInEmbedder())
    assert stats.documents == 3
    doc = index.document("UNGD/46/KAZ")
    assert doc.delegation == "Kazakhstan" and doc.date == "1991" and len(doc.paragraphs) == 3


def test_questions_are_varied_and_name_delegations_and_years(un_folder, tmp_path):
    from qa.documents import load_corpus

    bench.make_corpus(9, tmp_path / "corpus", un_folder, log=lambda m: None)
    docs = load_corpus(tmp_path / "corpus")
    qs = bench.make_questions(docs, 70)
    assert len(qs) == 70 and all(q.endswith("?") for q in qs)
    assert len(set(qs)) >= 50
    assert sum("Kazakhstan" in q or "France" in q for q in qs) >= 30
    assert any(re.search(r"\b(1991|2015)\b", q) for q in qs)
    assert len({q.split()[0] for q in qs}) >= 4          # What / Which / How / Who / Did / When
    assert qs == bench.make_questions(docs, 70)          # seeded: every run asks the same


def test_report_table_has_every_figure_and_the_floor_ratio():
    pct = {"p50": 20.0, "p95": 40.0, "p99": 80.0, "n": 200}
    row = {"passages": 10_673, "statements": 499, "build_s": 110, "build_peak_rss_mb": 480, "disk_mb": 60,
           "load_s": 0.4,
           "rss_loaded_mb": 300, "rss_after_mb": 1100, "model_s": 3, "retriever_s": 1, "first_ask_s": 0.5,
           "questions": 200, "ask": {"dense": pct, "bm25": pct, "hybrid": {**pct, "p50": 50.0}},
           "floor": {**pct, "p50": 10.0}, "abstained": {"dense": 1, "bm25": 2, "hybrid": 3},
           "profile": "1 function calls", "profile_question": "What did France say?"}
    text = bench.report([row], "### Run: test")
    assert "NOT the product's embeddings" in text
    assert "| 10,673 | 499 | 110 s | 480 MB | 60 MB | 0.4 s | 300 MB | 1,100 MB | 3.0 + 1.0 + 0.5 s |" in text
    assert "| 10,673 | 200 | 20.0 / 40.0 / 80.0 | 20.0 / 40.0 / 80.0 | 50.0 / 40.0 / 80.0 | " \
           "10.0 / 40.0 / 80.0 | 5.0× | 1/2/3 |" in text
    assert "cProfile of one hybrid `ask` at 10,673 passages" in text


def test_dry_run_estimates_without_building(un_folder, tmp_path, capsys):
    assert bench.main(["--sizes", "10k,1m", "--dry-run", "--source", str(un_folder),
                       "--workdir", str(tmp_path / "w")]) == 0
    out = capsys.readouterr().out
    assert "UN corpus: 3 statements" in out and "1M:" in out and "build ~" in out
    assert not (tmp_path / "w").exists()


@pytest.mark.model
def test_a_small_run_appends_a_table(un_folder, tmp_path):
    out = tmp_path / "scale.md"
    out.write_text("# Scale\n")
    assert bench.main(["--sizes", "9", "--source", str(un_folder), "--workdir", str(tmp_path / "w"),
                       "--questions", "6", "--encoder", "onnx", "--out", str(out), "--label", "tiny"]) == 0
    text = out.read_text()
    assert text.startswith("# Scale\n") and "### Run: tiny" in text
    row = next(line for line in text.splitlines() if line.startswith("| 9 | 6 |"))
    assert row.count("/") >= 4                       # dense, bm25, hybrid, floor percentiles
    assert "cProfile of one hybrid `ask` at 9 passages" in text
    assert (ROOT / "qa" / "bench.py").exists()


def test_qa_bench_reaches_the_benchmark_with_its_own_options(un_folder, capsys):
    from qa import cli

    assert cli.main(["bench", "--sizes", "100k", "--dry-run", "--source", str(un_folder)]) == 0
    assert "100k: ~" in capsys.readouterr().out
