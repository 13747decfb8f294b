"""Fusion: one score per candidate from the dense and BM25 lists, plus the boosts.

Two ways to fuse, chosen by the `fusion` setting:
- "convex": a * minmax(cosine) + (1 - a) * minmax(BM25) over the union of both
  candidate lists, each candidate scored exactly by both retrievers;
- "rrf": reciprocal rank fusion, sum of 1 / (rrf_k + rank), divided by its largest
  possible value so that it lies in [0, 1] like the convex score.
The boosts (`boosts`) are then added under either: soft preferences for what the
question names (speaker, year, places and people), for the kind of answer and the
stance it asks for (and, among the best candidates, for how much of a passage takes
that stance: `stance_share`), and against passages that do not read as prose. Each is
a setting; 0 switches it off.
"""

from __future__ import annotations

import numpy as np

from .answer_types import holds
from .delegations import canonical_delegation, same_delegation
from .stance import bit, share


def convex(dense: np.ndarray, bm25: np.ndarray, alpha: float) -> np.ndarray:
    return alpha * minmax(dense) + (1 - alpha) * minmax(bm25)


def rrf(ids: np.ndarray, *rankings: dict[int, float], k: int = 60) -> np.ndarray:
    """Reciprocal rank fusion of score dicts, scaled to [0, 1]."""
    out = np.zeros(len(ids), dtype=np.float32)
    pos = {int(i): n for n, i in enumerate(ids)}
    for ranked in rankings:
        for rank, i in enumerate(sorted(ranked, key=lambda i: (-ranked[i], i)), 1):
            out[pos[i]] += 1.0 / (k + rank)
    return out / (len(rankings) / (k + 1))


def minmax(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if len(x) == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.ones_like(x)


def _by_statement(docs: np.ndarray, index, test) -> np.ndarray:
    """`test(document)` for each candidate's statement, 1.0 or 0.0, run once per statement
    among the candidates, not once per passage."""
    by = {d: bool(test(index.documents[d])) for d in set(docs.tolist())}
    return np.array([by[d] for d in docs.tolist()], dtype=np.float32)


def _by_any(doc, delegations: list[str]) -> bool:
    return any(same_delegation(sp, doc.delegation) for sp in delegations)


_SET_ASIDE = 10.0   # more than any fused score and boosts together


def boosts(query, ids: np.ndarray, index, signals, settings) -> np.ndarray:
    """Added to the fused score of candidates `ids` (cost: the candidates, never the corpus)."""
    s = settings
    boost = np.zeros(len(ids), dtype=np.float32)
    if not len(ids):
        return boost
    docs = index.chunk_doc[ids]
    if query.kinds and s.answer_type_boost:
        boost += s.answer_type_boost * np.array(
            [holds(index.chunks[i].text, query.kinds, query.counts) for i in ids], dtype=np.float32)
    if s.topic_boost and query.names:
        # the share of the question's names (Kazakhstan, ODIHR, the CIS) each statement mentions:
        # a statement on Kyrgyzstan's election does not answer a question about Kazakhstan's
        share = np.zeros(len(ids), dtype=np.float32)
        for names in query.names:
            share += np.isin(docs, signals.docs_mentioning(names))
        boost += s.topic_boost * share / len(query.names)
    if s.stance_boost and query.stance:
        boost += s.stance_boost * ((signals.stance[ids] & bit(query.stance)) > 0)
    if s.nonprose_penalty:
        boost -= s.nonprose_penalty * ~signals.prose[ids]
    if s.region_boost and query.region:   # "Which Nordic country ...?"
        boost += s.region_boost * _by_statement(
            docs, index, lambda d: canonical_delegation(d.delegation or "").lower() in query.region)
    if s.meta_boost:
        if query.all_speakers:
            boost += s.meta_boost * _by_statement(docs, index, lambda d: _by_any(d, query.all_speakers))
        if query.others_than:
            # "And the other delegations?": the earlier turn's speaker is set aside, below every
            # other candidate (a nudge lost to a close passage of the speaker the user asked past)
            boost -= _SET_ASIDE * _by_statement(docs, index, lambda d: _by_any(d, query.others_than))
        if query.years:
            boost += (s.meta_boost / 2) * np.array([bool(query.years & signals.chunk_years[i]) for i in ids],
                                                   dtype=np.float32)
    return boost


# stance_share: how many of the best fused candidates are read sentence by sentence
# (~0.1 ms each, and only for a question asking a stance)
SHARE_TOP = 20


def stance_share(query, ids: np.ndarray, fused: np.ndarray, index, signals, weight: float) -> np.ndarray:
    """A bonus of `weight` x the share of a passage's sentences of the stance the question
    asks, for the SHARE_TOP best candidates that take that stance at all: a paragraph of
    criticism outranks a paragraph of praise with one "however, concerns remain"."""
    out = np.zeros(len(ids), dtype=np.float32)
    if not query.stance or not weight or not len(ids):
        return out
    for n in np.argsort(-fused, kind="stable")[:SHARE_TOP]:
        if signals.stance[ids[n]] & bit(query.stance):
            out[n] = weight * share(index.chunks[ids[n]].text, query.stance)
    return out


def interleave(order: list[int], delegations: list[str], index) -> list[int]:
    """For a question naming two or more delegations ("How did Russia and the EU
    differ ...?"), alternate their passages at the top so each side is heard, starting
    with the side whose best passage ranks higher (not the one named first)."""
    if len(delegations) < 2:
        return order
    buckets: list[list[int]] = [[] for _ in delegations]
    rest = []
    for i in order:
        deleg = index.documents[index.chunk_doc[i]].delegation
        side = next((n for n, d in enumerate(delegations) if same_delegation(d, deleg)), None)
        (rest if side is None else buckets[side]).append(i)
    # the side whose best passage ranks higher speaks first; then they alternate
    pos = {i: n for n, i in enumerate(order)}
    buckets.sort(key=lambda b: pos[b[0]] if b else len(order))
    merged = []
    while any(buckets):
        for bucket in buckets:
            if bucket:
                merged.append(bucket.pop(0))
    return merged + rest
