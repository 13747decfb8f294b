"""`qa eval`: metrics, the evidence matcher, both dataset formats, and the command.

ranx compiles its metrics with numba: the first import in a fresh environment
takes ~30 s (later runs hit numba's cache, ~3 s).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.chunking import Chunk
from qa.evaluation import (Outcome, Question, abstention, beir_documents, best_threshold, evaluate_dataset,
                           load_dataset, normalize, passage_qrels, ranking_metrics, read_beir_qrels,
                           read_jsonl, read_questions)

FIXTURES = Path(__file__).parent / "fixtures" / "eval"
BEIR_TINY = FIXTURES / "beir-tiny"


def outcome(ranking, abstained=False, top_dense=None):
    return Outcome(ranking, ranking[:3], abstained, top_dense, 1.0)


# --- metrics --------------------------------------------------------------------

def test_ranx_metrics_match_hand_computation():
    qrels = {"q1": {"a": 1, "c": 1}, "q2": {"x": 1}, "q3": {"z": 1}}
    outcomes = {"q1": outcome(["b", "a", "d", "c"]),   # relevant at ranks 2 and 4
                "q2": outcome(["x", "y"]),             # relevant at rank 1
                "q3": outcome([])}                     # nothing retrieved
    means, per_q = ranking_metrics(qrels, outcomes, ["recall@1", "recall@3", "recall@5", "mrr@10",
                                                     "ndcg@10", "map@100"])
    # q1: recall@1 = 0/2, recall@3 = 1/2 (a), recall@5 = 2/2; RR = 1/2;
    #     DCG = 1/log2(2+1) + 1/log2(4+1) = 0.63093 + 0.43068 = 1.06161,
    #     IDCG = 1/log2(2) + 1/log2(3) = 1 + 0.63093 = 1.63093 -> nDCG = 0.65092;
    #     AP = (P@2 + P@4) / 2 = (1/2 + 2/4) / 2 = 0.5
    assert per_q["q1"] == pytest.approx({"recall@1": 0.0, "recall@3": 0.5, "recall@5": 1.0, "mrr@10": 0.5,
                                         "ndcg@10": 0.65092, "map@100": 0.5}, abs=1e-4)
    # q2: everything is 1; q3: everything is 0
    assert all(v == pytest.approx(1.0) for v in per_q["q2"].values())
    assert all(v == 0.0 for v in per_q["q3"].values())
    # means over the three questions
    assert means == pytest.approx({"recall@1": 1 / 3, "recall@3": 1.5 / 3, "recall@5": 2 / 3, "mrr@10": 1.5 / 3,
                                   "ndcg@10": 1.65092 / 3, "map@100": 1.5 / 3}, abs=1e-4)


def test_ranking_order_is_the_retrievers_not_ranx_tie_breaking():
    # The run is given as ranks: ranx must keep our order even for items ranx
    # would sort differently by id.
    _, per_q = ranking_metrics({"q": {"a": 1}}, {"q": outcome(["z", "a"])}, ["mrr@10"])
    assert per_q["q"]["mrr@10"] == pytest.approx(0.5)


def test_abstention_counts_and_threshold():
    qs = [Question("a1", "?", evidence=["x"]), Question("a2", "?", evidence=["x"]),
          Question("u1", "?", answerable=False), Question("u2", "?", answerable=False)]
    outs = {"a1": outcome([], abstained=True), "a2": outcome([]),
            "u1": outcome([], abstained=True), "u2": outcome([])}
    a = abstention(qs, outs)
    # abstained on a1 and u1: precision 1/2, recall 1/2, F1 1/2; 1 of 2 answerable abstained
    assert (a["precision"], a["recall"], a["f1"], a["rate_on_answerable"]) == (0.5, 0.5, 0.5, 0.5)
    # unanswerable scores below every answerable one: a perfect threshold between them
    bt = best_threshold([0.6, 0.7], [0.3, 0.4])
    assert bt["threshold"] == pytest.approx(0.5) and bt["f1"] == 1.0


# --- evidence matching and question sets --------------------------------------------

@pytest.mark.parametrize("passage, evidence", [
    ("the so-called “gold standard” of observation", 'so-called "gold standard"'),   # curly -> straight
    ("Russia’s position", "russia's POSITION"),                                       # apostrophe, case
    ("in 2016–2021 the mission", "2016-2021"),                                         # en dash
    ("reforms — long overdue — were", "reforms - long overdue"),                       # em dash
    ("free  and\nfair\u00a0elections", "free and fair elections"),                     # spaces, newline, nbsp
])
def test_normalize_makes_variants_match(passage, evidence):
    assert normalize(evidence) in normalize(passage)


def test_normalize_does_not_over_match():
    assert normalize("free elections") not in normalize("fair elections")


def test_passage_qrels_scans_every_chunk():
    chunks = [Chunk("D", [1], "Madam Chair, thank you.", ""),
              Chunk("D", [2], "Observers included the CIS and the SCO.", "", 1),
              Chunk("D", [2], "They praised the “smooth” organisation.", "", 2),
              Chunk("E", [2], "Observers Included the CIS, again.", "")]
    q = Question("q", "?", evidence=['the "smooth" organisation', "observers included the CIS"])
    warnings = []
    qrels = passage_qrels([q, Question("r", "?", relevant=[("d", 1)]), Question("u", "?", answerable=False),
                           Question("n", "?", evidence=["nowhere"])], chunks, warnings.append)
    assert qrels["q"] == {"D#2": 1, "E#2": 1}   # the pieces of a split paragraph are one passage
    assert qrels["r"] == {"D#1": 1}            # by paragraph; doc id case-insensitive
    assert "u" not in qrels and "n" not in qrels
    assert any(w.startswith("n: evidence occurs in no passage") for w in warnings)


def test_relevant_passages_may_name_a_document_by_an_alias(seed_index):
    """A question set written against the seed files' names still finds its paragraphs."""
    from qa.evaluation import _doc_id

    q = Question("a", "?", relevant=[("003_9e00ce0fab966cb6", 5), ("us-pc-2016-04-07-kazakhstan-elections", 4)])
    warnings = []
    qrels = passage_qrels([q], seed_index.chunks, warnings.append, resolve=lambda d: _doc_id(seed_index, d))
    assert qrels["a"] == {"kz-hdim-2011-elections#5": 1, "us-pc-2016-04-07-kazakhstan-elections#4": 1}
    assert not warnings


def test_malformed_lines_are_reported_and_skipped():
    warnings = []
    qs = read_questions(FIXTURES / "questions-malformed.jsonl", warnings.append)
    assert [q.id for q in qs] == ["a1", "a5", "a6"]
    assert [w.split(":")[1] for w in warnings] == ["2", "3", "5", "7"]   # line numbers
    assert "invalid JSON" in warnings[0] and "duplicate id" in warnings[3]
    a1, a5, a6 = qs
    assert a1.relevant == [("D", 2)] and a1.tags == ["who"] and a1.answerable
    assert a5.history == ["Who observed the vote?"]
    assert not a6.answerable


# --- BEIR ------------------------------------------------------------------------------

def test_beir_files_are_read():
    qrels = read_beir_qrels(BEIR_TINY / "qrels" / "test.tsv")
    assert qrels == {"q1": {"d1": 1}, "q2": {"d2": 1}}       # header skipped, score 0 not relevant
    docs = beir_documents(read_jsonl(BEIR_TINY / "corpus.jsonl"), "corpus.jsonl")
    assert [d.id for d in docs] == ["d1", "d2", "d3"]
    assert docs[0].title == "Vitamin D and bone density" and len(docs[0].paragraphs) == 1


@pytest.mark.model
def test_beir_end_to_end_with_cached_index(tmp_path):
    from qa.settings import Settings
    settings = Settings.from_env(index_dir=tmp_path / "index")
    log = []
    ds = load_dataset(BEIR_TINY, settings, log.append)
    assert ds.unit == "document" and [q.id for q in ds.questions] == ["q1", "q2"]   # q3 has no qrels
    assert any("indexing 3 documents" in m for m in log)
    # the title is embedded with the text (BEIR convention)
    assert ds.index.chunks[0].embed_text.startswith("Vitamin D and bone density\n")
    reports, comparison = evaluate_dataset(ds, settings, ["dense", "bm25"], k=10)
    for r in reports:
        assert r.outcomes["q1"].ranking[0] == "d1" and r.outcomes["q2"].ranking[0] == "d2"
        assert r.metrics["ndcg@10"] == pytest.approx(1.0)
    assert set(comparison["pairs"]) == {"dense vs bm25"}
    # a second run reuses the cached index
    log.clear()
    load_dataset(BEIR_TINY, settings, log.append)
    assert not any("indexing" in m for m in log)
    # ... also with other BM25 parameters: its BM25 is rebuilt in memory, nothing re-embedded
    log.clear()
    other = load_dataset(BEIR_TINY, settings.with_(bm25_k1=1.5, bm25_b=0.75), log.append)
    assert not any("indexing" in m for m in log)
    assert (other.index.bm25.k1, other.index.bm25.b) == (1.5, 0.75)
    assert (ds.index.bm25.k1, ds.index.bm25.b) == (0.9, 0.4)


# --- the command on the dev set ----------------------------------------------------------

@pytest.mark.model
def test_cli_eval_dev_set_json(seed_index, seed_settings, capsys):
    from qa.cli import main
    from qa.settings import ROOT
    assert main(["eval", str(ROOT / "eval" / "osce-dev.jsonl"), "--index", str(seed_settings.index_dir),
                 "--retriever", "dense,hybrid", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dataset"]["questions"] >= 60 and out["dataset"]["unanswerable"] >= 8
    assert set(out["retrievers"]) == {"dense", "hybrid"}
    for r in out["retrievers"].values():
        assert set(r["metrics"]) == {"recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10", "map@100"}
        assert r["metrics"]["recall@10"] > 0.5            # a loose floor: the pipeline works at all
        assert r["latency"]["median_ms"] > 0
        assert r["top_dense"]["unanswerable"]["n"] > 0
    assert "dense vs hybrid" in out["comparison"]["pairs"]


@pytest.mark.model
def test_cli_eval_lowercase_asks_the_same_questions_without_capitals(seed_index, seed_settings, capsys):
    """`qa eval --lowercase`: the set as users type it into a search box; the questions are the
    set's, lowercased, and judged the same."""
    from qa.cli import main
    from qa.evaluation import Dataset, Question, typed_lowercase
    from qa.settings import ROOT
    data = Dataset("d", "questions", [Question("q1", "What did Russia say?", ["And the EU?"])], {}, None, "passage")
    low = typed_lowercase(data)
    assert (low.questions[0].question, low.questions[0].history) == ("what did russia say?", ["and the eu?"])
    assert data.questions[0].question == "What did Russia say?"     # the set itself is left alone
    assert main(["eval", str(ROOT / "eval" / "osce-dev.jsonl"), "--index", str(seed_settings.index_dir),
                 "--retriever", "hybrid", "--json", "--lowercase"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dataset"]["name"].endswith("(lowercase)")
    from qa.evaluation import misspelt_names
    data = Dataset("d", "questions", [Question("q1", "What did Kazakhstan say?", ["And Uzbekistan?"])], {}, None,
                   "passage")
    typed = misspelt_names(data).questions[0]
    assert (typed.question, typed.history) == ("What did Kazakstan say?", ["And Uzbekstan?"])
    assert out["retrievers"]["hybrid"]["metrics"]["recall@10"] > 0.5


def test_cli_eval_rejects_unknown_retriever(tmp_path, capsys):
    from qa.cli import main
    assert main(["eval", str(FIXTURES / "questions-malformed.jsonl"), "--retriever", "dense,sparse",
                 "--index", str(tmp_path)]) == 1
    assert "unknown retriever sparse" in capsys.readouterr().err


def test_readme_quality_table_is_the_committed_eval_output():
    """The README's figures are generated from docs/results/*.json (make quality), never typed in."""
    import importlib.util

    from qa.settings import ROOT

    spec = importlib.util.spec_from_file_location("quality_table", ROOT / "scripts" / "quality_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0
    assert "| seeds + distractors, **test** |" in module.table()
