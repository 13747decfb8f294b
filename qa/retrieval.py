"""Searching an Index: dense (FAISS), BM25 (bm25s), and their fusion.

`Retriever(index, settings).search(question, k, filters)` returns a `Result`:
ranked `Hit`s plus the abstention decision. Filters are applied inside each
retriever (FAISS ID selector, BM25 weight mask), so a filtered query still
returns k passages when k exist.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .chunking import Chunk
from .documents import Document
from .filters import Filters  # noqa: F401  (re-exported: callers import it from here)
from .settings import Settings
from .text import bm25_tokenize

RETRIEVERS = ("dense", "bm25", "hybrid")


# --- BM25 ------------------------------------------------------------------------

def build_bm25(chunks: list[Chunk]):
    import bm25s
    model = bm25s.BM25()
    # BM25 sees the same text as the model, statement context included.
    model.index(bm25_tokenize([c.embed_text for c in chunks]), show_progress=False)
    return model


def _bm25_query_ids(model, query: str) -> list[int]:
    """Query terms as ids of the BM25 vocabulary (unknown terms dropped)."""
    toks = bm25_tokenize([query], return_ids=False)[0]
    vocab = model.vocab_dict
    return [vocab[t] for t in toks if t in vocab]


# --- results -------------------------------------------------------------------

@dataclass
class Hit:
    chunk: Chunk
    doc: Document
    score: float                  # the ranking score of the retriever used
    dense: float | None = None    # cosine similarity, when computed

    @property
    def citation(self) -> str:
        return citation(self.doc.id, self.chunk.paragraphs)


def citation(doc_id: str, paragraphs: list[int]) -> str:
    if len(paragraphs) == 1:
        return f"{doc_id} ¶{paragraphs[0]}"
    return f"{doc_id} ¶{paragraphs[0]}–{paragraphs[-1]}"


@dataclass
class Result:
    question: str
    query: str                    # the text actually searched (after follow-up handling)
    hits: list[Hit]
    abstained: bool = False
    reason: str = ""
    top_dense: float | None = None
    timings: dict = field(default_factory=dict)
    query_vector: np.ndarray | None = field(default=None, repr=False)   # reused to pick answer sentences


# --- the retriever --------------------------------------------------------------

class Retriever:
    def __init__(self, index, settings: Settings | None = None, embedder=None, reranker=None):
        from .conversation import acronym_table, corpus_texts, long_forms, speaker_mentions
        from .delegations import alias_table
        from .embedding import get_embedder
        from .rerank import make_reranker

        self.index = index
        self.settings = settings or Settings.from_env()
        self.embedder = embedder or get_embedder(index.manifest["settings"]["model"])
        self.reranker = reranker if reranker is not None else make_reranker(self.settings)
        self._abstainer = None
        self.aliases = alias_table(index.documents)
        self.acronyms = acronym_table(corpus_texts(index))
        self.long_forms = long_forms(self.acronyms)
        # one question's speakers are wanted by the boosts, the interleaving, abstention and
        # the answer's lead: read them once per query
        self._speakers = lru_cache(maxsize=256)(lambda query: speaker_mentions(query, self.aliases))

    @property
    def abstainer(self):
        from .abstention import Abstainer
        if self._abstainer is None:
            self._abstainer = Abstainer(self.index, self.settings, self.clear_speakers, self.acronyms, self.aliases)
        return self._abstainer

    # one method per retriever, each returning {chunk_id: score}
    def _dense(self, qvec: np.ndarray, n: int, allowed: np.ndarray | None) -> dict[int, float]:
        import faiss
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return {}
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))
            n = min(n, len(allowed))
        n = min(n, self.index.faiss.ntotal)
        if n <= 0:
            return {}
        scores, ids = self.index.faiss.search(qvec[None, :], n, params=params)
        return {int(i): float(s) for i, s in zip(ids[0], scores[0]) if i >= 0}

    def _bm25_all(self, query: str) -> np.ndarray:
        ids = _bm25_query_ids(self.index.bm25, query)
        if not ids:
            return np.zeros(len(self.index.chunks), dtype=np.float32)
        return np.asarray(self.index.bm25.get_scores(ids), dtype=np.float32)

    def _bm25(self, scores: np.ndarray, n: int, allowed: np.ndarray | None) -> dict[int, float]:
        if allowed is not None:
            masked = np.full_like(scores, -1.0)
            masked[allowed] = scores[allowed]
            scores = masked
        top = np.argsort(-scores, kind="stable")[:n]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def allowed_chunks(self, filters: Filters | None) -> np.ndarray | None:
        if not filters:
            return None
        ok_docs = np.array([filters.allows(d) for d in self.index.documents], dtype=bool)
        return np.flatnonzero(ok_docs[self.index.chunk_doc])

    def search(self, question: str, k: int = 5, filters: Filters | None = None, method: str | None = None,
               history: list[str] | None = None) -> Result:
        from .conversation import contextualize

        method = method or self.settings.retriever
        if method not in RETRIEVERS:
            raise ValueError(f"unknown retriever {method!r}; choose from {', '.join(RETRIEVERS)}")
        t0 = time.perf_counter()
        query = contextualize(question, history or [], self.aliases, self.acronyms)
        allowed = self.allowed_chunks(filters)
        n = max(self.settings.candidates, k)
        qvec = self.embedder.encode_query(query)
        t_enc = time.perf_counter()

        dense = self._dense(qvec, n, allowed) if method in ("dense", "hybrid") else {}
        if method == "dense":
            scores = dense
        elif method == "bm25":
            scores = self._bm25(self._bm25_all(query), n, allowed)
        else:
            bm25_all = self._bm25_all(query)
            scores = self._fuse(qvec, query, dense, self._bm25(bm25_all, n, allowed), bm25_all)
        order = sorted(scores, key=lambda i: (-scores[i], i))
        if method == "hybrid":
            order = self._interleave(order, self.named_delegations(query))
        # one hit per cited paragraph: the best piece of a split paragraph stands for it
        order = _first_per_passage(order, self.index.chunks)
        # cosine of each candidate, for abstention and display
        top_ids = order[: max(k, self.settings.rerank_top)]
        cos = {i: float(self.index.vectors[i] @ qvec) for i in top_ids}
        hits = [Hit(self.index.chunks[i], self.index.documents[self.index.chunk_doc[i]], scores[i], cos[i])
                for i in top_ids]
        if self.reranker is not None and hits:
            hits = self.reranker.rerank(query, hits[: self.settings.rerank_top])
        hits = hits[:k]
        best = max(dense.values()) if dense else (max(cos.values()) if cos else None)
        abstained, reason = self.abstainer.decide(query, hits, best) if self.settings.abstain else (False, "")
        if filters and not hits:
            abstained, reason = False, ""   # the filters, not the corpus, left nothing to say
        t_end = time.perf_counter()
        return Result(question, query, hits, abstained, reason, best,
                      {"encode_ms": (t_enc - t0) * 1000, "search_ms": (t_end - t_enc) * 1000,
                       "total_ms": (t_end - t0) * 1000}, qvec)

    def _fuse(self, qvec, query: str, dense: dict[int, float], bm25: dict[int, float],
              bm25_all: np.ndarray) -> dict[int, float]:
        if self.settings.fusion == "rrf":
            out: dict[int, float] = {}
            for ranked in (dense, bm25):
                for rank, i in enumerate(sorted(ranked, key=lambda i: -ranked[i]), 1):
                    out[i] = out.get(i, 0.0) + 1.0 / (self.settings.rrf_k + rank)
            return out
        # Convex combination of min-max normalised scores over the union of
        # candidates; each candidate gets both scores exactly.
        ids = np.array(sorted(set(dense) | set(bm25)), dtype=np.int64)
        if len(ids) == 0:
            return {}
        d = self.index.vectors[ids] @ qvec
        b = bm25_all[ids]
        a = self.settings.hybrid_alpha
        fused = a * _minmax(d) + (1 - a) * _minmax(b) + self.meta_boost(query, ids)
        return {int(i): float(s) for i, s in zip(ids, fused)}

    def named_delegations(self, query: str) -> list[str]:
        """Delegations the question names as speakers: Russia in "What did Russia say about
        Kazakhstan's elections?", not Kazakhstan, which is the topic (qa/conversation.py)."""
        clear, likely = self._speakers(query)
        return clear + likely

    def clear_speakers(self, query: str) -> list[str]:
        return list(self._speakers(query)[0])

    def _interleave(self, order: list[int], delegations: list[str]) -> list[int]:
        """For a question naming two or more delegations ("How did Russia and the EU
        differ ...?"), alternate their passages at the top so each side is heard."""
        if len(delegations) < 2:
            return order
        from .delegations import same_delegation

        buckets: list[list[int]] = [[] for _ in delegations]
        rest = []
        for i in order:
            deleg = self.index.documents[self.index.chunk_doc[i]].delegation
            side = next((n for n, d in enumerate(delegations) if same_delegation(d, deleg)), None)
            (rest if side is None else buckets[side]).append(i)
        merged = []
        while any(buckets):
            for bucket in buckets:
                if bucket:
                    merged.append(bucket.pop(0))
        return merged + rest

    def meta_boost(self, query: str, ids) -> np.ndarray:
        """Soft preferences added to the fused score: statements by a delegation the question
        names as speaker, from a year it names, that mention the places, people and bodies
        it names; passages holding the kind of answer it asks for (a person, a date, a figure)."""
        from .answer_types import YEAR, asked_for, counted, holds
        from .delegations import same_delegation

        s = self.settings
        boost = np.zeros(len(ids), dtype=np.float32)
        kinds = asked_for(query)
        if kinds and s.answer_type_boost:
            counts = counted(query)
            boost += s.answer_type_boost * np.array(
                [holds(self.index.chunks[i].text, kinds, counts) for i in ids], dtype=np.float32)
        if s.topic_boost:
            docs = [int(self.index.chunk_doc[i]) for i in ids]
            share = self._topic_share(query, set(docs))
            boost += s.topic_boost * np.array([share.get(d, 0.0) for d in docs], dtype=np.float32)
        if not s.meta_boost:
            return boost
        delegs = self.named_delegations(query)
        years = set(YEAR.findall(query))
        for n, i in enumerate(ids):
            doc = self.index.documents[self.index.chunk_doc[i]]
            if any(same_delegation(d, doc.delegation) for d in delegs):
                boost[n] += s.meta_boost
            if years and any((doc.date or "").startswith(y) or y in self.index.chunks[i].text for y in years):
                boost[n] += s.meta_boost / 2
        return boost

    def _topic_share(self, query: str, docs: set[int]) -> dict[int, float]:
        """For each statement, the share of the names in the question (Kazakhstan, ODIHR, the
        CIS) that it mentions anywhere. A statement on Kyrgyzstan's election is not an answer
        to a question about Kazakhstan's, however alike their paragraphs read."""
        from .conversation import mention_pattern, named_entities

        entities = named_entities(query, self.aliases, self.long_forms)
        if not entities:
            return {}
        texts = self.index.doc_texts
        patterns = [mention_pattern(names) for names in entities]
        return {d: sum(bool(p.search(texts[d])) for p in patterns) / len(patterns) for d in docs}


def _first_per_passage(order: list[int], chunks: list[Chunk]) -> list[int]:
    seen: set[str] = set()
    out = []
    for i in order:
        pid = chunks[i].passage_id
        if pid not in seen:
            seen.add(pid)
            out.append(i)
    return out


def _minmax(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if len(x) == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.ones_like(x)
