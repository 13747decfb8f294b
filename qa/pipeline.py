"""The retriever as a pipeline of small stages: read this file to see how a question is searched.

    question, history, filters
      1. understand      qa/query.py       follow-up or not, speakers, years, names, answer
                                           type, stance; filters already parsed (qa/filters.py)
      2. candidates      qa/retrieval.py   dense (FAISS, ID selector for filters) and BM25
                                           (bm25s, weight mask for filters), n each
      3. fuse            qa/fusion.py      convex or RRF, then the boosts (under both), incl.
                                           the share of the question's terms each passage has
                                           and, for the best 20, of its sentences in the asked stance
      4. order           qa/fusion.py      two named delegations alternate; one hit per paragraph
      5. rerank          qa/rerank.py      optional cross-encoder
      6. abstain         qa/abstention.py  the corpus has no answer: say why, in one line
    -> Result

Each stage is a function of its inputs (plus the per-index `Signals`), testable alone.
No stage does work that grows with the corpus: they touch candidates and posting lists.
"""

from __future__ import annotations

import time

import numpy as np

from . import fusion
from .query import understand
from .retrieval import (RETRIEVERS, Hit, Result, bm25_candidates, bm25_coverage, bm25_query_tokens, bm25_scores,
                        dense_candidates, first_per_passage)


def search(r, question: str, k: int = 5, filters=None, method: str = "hybrid",
           history: list[str] | None = None) -> Result:
    """`r` is a qa.retrieval.Retriever: index, settings, embedder, reranker, signals, abstainer."""
    s, index = r.settings, r.index
    if method not in RETRIEVERS:
        raise ValueError(f"unknown retriever {method!r}; choose from {', '.join(RETRIEVERS)}")
    t0 = time.perf_counter()

    # 1. query understanding
    query = understand(question, history, filters, r.signals, s.max_question_chars)
    allowed = r.allowed_chunks(filters)
    n = max(s.candidates, k)
    qvec = _query_vector(r.embedder, query, method, s.followup_own_weight)
    t_enc = time.perf_counter()

    # 2. candidate generation
    dense = dense_candidates(index, qvec, n, allowed) if method in ("dense", "hybrid") else {}
    tokens = bm25_query_tokens(index.bm25, query.text) if method in ("bm25", "hybrid") else []
    bm25 = bm25_candidates(index.bm25, tokens, n, r.bm25_mask(filters)) if tokens else {}

    # 3. fusion (+ boosts, hybrid only: dense and bm25 stay the plain retrievers)
    if method == "hybrid":
        ids = np.array(sorted(set(dense) | set(bm25)), dtype=np.int64)
        if s.fusion == "rrf":
            fused = fusion.rrf(ids, dense, bm25, k=s.rrf_k)
        else:
            scored = _scored_tokens(index.bm25, tokens, query, r.signals)
            fused = fusion.convex(index.vectors[ids] @ qvec, bm25_scores(index.bm25, scored, ids), s.hybrid_alpha)
        fused = fused + fusion.boosts(query, ids, index, r.signals, s)
        if s.coverage_boost and tokens:
            # the earlier turn's words find the statement; which paragraph answers a
            # follow-up is up to the words it asks with ("Which of its proposals ...?")
            asked = bm25_query_tokens(index.bm25, query.own) if query.followup else tokens
            fused = fused + s.coverage_boost * bm25_coverage(index.bm25, asked, ids)
        fused = fused + fusion.stance_share(query, ids, fused, index, r.signals, s.stance_share_boost)
        scores = {int(i): float(x) for i, x in zip(ids, fused)}
    else:
        scores = dense or bm25

    # 4. order
    order = sorted(scores, key=lambda i: (-scores[i], i))
    if method == "hybrid" and s.interleave:
        order = fusion.interleave(order, query.all_speakers, index)
    order = first_per_passage(order, index.chunks)
    top = order[: max(k, s.rerank_top)]
    cos = index.vectors[top] @ qvec if top else np.zeros(0)   # cosine of each, for abstention and display
    hits = [Hit(index.chunks[i], index.documents[index.chunk_doc[i]], scores[i], float(c)) for i, c in zip(top, cos)]

    # 5. rerank
    if r.reranker is not None and hits:
        hits = r.reranker.rerank(query.text, hits[: s.rerank_top])
    hits = hits[:k]

    # 6. abstention
    best = max(dense.values()) if dense else (float(cos.max()) if len(cos) else None)
    abstained, reason = False, ""
    if s.abstain:
        abstained, reason = r.abstainer.decide(query.judged or query.text, hits, best, s.rules(), query.speakers)
    if filters and not hits:
        abstained, reason = False, ""   # the filters, not the corpus, left nothing to say

    t_end = time.perf_counter()
    return Result(question, query.text, hits, abstained, reason, best,
                  {"encode_ms": (t_enc - t0) * 1000, "search_ms": (t_end - t_enc) * 1000,
                   "total_ms": (t_end - t0) * 1000}, qvec, query)


def _query_vector(embedder, query, method: str, own_weight: float) -> np.ndarray:
    """The vector a question is searched with. A follow-up's searched text carries the earlier
    turn's words, which find the statement; its own words say which paragraph of it answers, so
    in hybrid search its vector leans `own_weight` towards the question as asked."""
    if method != "hybrid" or not query.followup or not own_weight:
        return embedder.encode_query(query.dense_text if method == "hybrid" else query.text)
    searched, asked = embedder.encode_queries([query.dense_text, query.own])   # side by side: ~the time of one
    mixed = (1 - own_weight) * searched + own_weight * asked
    return (mixed / np.linalg.norm(mixed)).astype(searched.dtype)


def _scored_tokens(model, tokens: list[int], query, signals) -> list[int]:
    """The BM25 terms a candidate's fused score counts: the searched ones less the speaker's
    names that query handling added and the question does not use ("Brussels" searched with
    "(European Union)"; a follow-up with its earlier turn's speaker). Which statements are the
    speaker's is the speaker boost's to say, over every passage of them; counted by BM25, those
    names lift the one paragraph that prints them, often a statement's opening, above the one
    that answers. Candidates are still found with every term."""
    if not query.all_speakers:
        return tokens
    names = {n for sp in query.all_speakers for n in signals.spellings_of(sp)}
    added = set(bm25_query_tokens(model, " ".join(names))) - set(bm25_query_tokens(model, query.question))
    return [t for t in tokens if t not in added] or tokens
