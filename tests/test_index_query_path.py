"""Performance-only changes on the query path give the results of the plain code."""

import numpy as np
import pytest

from qa.chunking import Chunk
from qa.retrieval import bm25_candidates, bm25_query_tokens, build_bm25

TEXTS = ["the observers found the vote fair", "observers criticised the count", "the vote was postponed",
         "free and fair elections", "the count was fair and the observers agreed", "nothing about it"]


def model(texts):
    return build_bm25([Chunk(f"D/{i}", [1], t, t) for i, t in enumerate(texts)])


def plain_top(m, tokens, n, mask=None):
    """bm25s' own scores, every passage, sorted by score then passage number."""
    scores = m.get_scores(tokens, weight_mask=mask)
    order = sorted((i for i in range(len(scores)) if scores[i] > 0), key=lambda i: (-scores[i], i))[:n]
    return {i: float(scores[i]) for i in order}


def test_bm25_candidates_are_the_best_scored_passages_best_first():
    m = model(TEXTS)
    tokens = bm25_query_tokens(m, "were the observers fair about the vote?")
    for n in (1, 2, 3, 100):
        got = bm25_candidates(m, tokens, n, None)
        assert got == plain_top(m, tokens, n) and list(got) == list(plain_top(m, tokens, n))
        docs, scores = m.retrieve([tokens], k=min(n, len(TEXTS)), show_progress=False)
        assert set(got) == {int(i) for i, s in zip(docs[0], scores[0]) if s > 0}    # no ties here
    mask = np.array([1, 0, 1, 0, 1, 0], dtype=np.float32)          # a filter: bm25s' weight mask
    assert bm25_candidates(m, tokens, 100, mask) == plain_top(m, tokens, 100, mask)
    assert set(bm25_candidates(m, tokens, 100, mask)) <= {0, 2, 4}
    assert bm25_candidates(m, [], 10, None) == {}


def test_equal_scores_at_the_cut_go_to_the_lower_passage_numbers():
    m = model(["fair vote"] * 5 + ["a fair and free vote today"])
    tokens = bm25_query_tokens(m, "fair vote")
    got = bm25_candidates(m, tokens, 3, None)
    assert list(got) == [0, 1, 2] and len(set(got.values())) == 1


def test_coverage_counts_the_share_of_question_terms_a_passage_has_weighted_by_rarity():
    from qa.retrieval import bm25_coverage
    texts = ["sanctions sanctions sanctions sanctions on trade", "sanctions imposed on Crimea annexation",
             "annexation", "the weather today", "sanctions lifted"]
    m = model(texts)
    tokens = bm25_query_tokens(m, "why sanctions over the Crimea annexation?")
    cov = bm25_coverage(m, tokens, np.arange(len(texts)))
    assert cov[1] == pytest.approx(1.0) and cov[3] == 0.0     # every term; none
    assert 0 < cov[0] < cov[2] < cov[1]                       # 'annexation' is rarer than 'sanctions'
    assert list(bm25_coverage(m, tokens, np.array([2, 1]))) == [cov[2], cov[1]]   # any subset, any order
    assert not bm25_coverage(m, [], np.arange(len(texts))).any()
