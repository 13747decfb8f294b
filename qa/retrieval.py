"""Searching an Index: the candidate generators (dense via FAISS, BM25 via bm25s), the
records a search returns (`Hit`, `Result`) and `Retriever`, which holds what a search
needs (index, settings, model, per-index signals) and runs the pipeline of
qa/pipeline.py.

`Retriever(index, settings).search(question, k, filters)` returns a `Result`:
ranked `Hit`s plus the abstention decision. Filters are applied inside each
retriever (FAISS ID selector, BM25 weight mask), so a filtered query still
returns k passages when k exist.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .chunking import Chunk
from .documents import Document
from .filters import Filters  # noqa: F401  (re-exported: callers import it from here)
from .settings import Settings
from .text import bm25_tokenize

log = logging.getLogger(__name__)

RETRIEVERS = ("dense", "bm25", "hybrid")


# --- BM25 ------------------------------------------------------------------------

def build_bm25(chunks: list[Chunk], k1: float = Settings.bm25_k1, b: float = Settings.bm25_b):
    """BM25 over the passages. The settings' k1 0.9, b 0.4 are Anserini's defaults for passage
    retrieval (its BEIR and MS MARCO baselines), not bm25s' 1.5 / 0.75: a paragraph's length
    says little about how much of it is on topic (docs/benchmarks.md, eighth pass)."""
    import bm25s
    model = bm25s.BM25(k1=k1, b=b)
    # BM25 sees the same text as the model, statement context included.
    model.index(bm25_tokenize([c.embed_text for c in chunks]), show_progress=False)
    return model


def bm25_query_tokens(model, query: str) -> list[int]:
    """Query terms as ids of the BM25 vocabulary (unknown terms dropped)."""
    return model.get_tokens_ids(bm25_tokenize([query], return_ids=False)[0])


def bm25_candidates(model, token_ids: list[int], n: int, mask: np.ndarray | None) -> dict[int, float]:
    """The n best passages by BM25 (scores: bm25s' own, filters as its weight mask), best
    first, equal scores by passage number.

    The top n are picked among the passages that score at all, not by bm25s' `retrieve`:
    its np.argpartition over every passage, most of them at 0, hits numpy's worst case for
    ties (measured: 28 ms at 100k, 300+ ms at 1M, against ~1 ms without the zeros). The
    result is the same set, except that a tie at the n-th place now goes to the lower
    passage number (bm25s' choice among ties was arbitrary; ranking downstream already
    orders ties by passage number)."""
    if not token_ids:
        return {}
    scores = model.get_scores(token_ids, weight_mask=mask)
    hit = np.flatnonzero(scores > 0)
    s = scores[hit]
    if len(hit) > n:
        cut = np.partition(s, len(s) - n)[len(s) - n]          # the n-th best score
        above, at = hit[s > cut], hit[s == cut]
        hit = np.concatenate([above, at[: n - len(above)]])
        s = scores[hit]
    order = np.lexsort((hit, -s))
    return {int(i): float(x) for i, x in zip(hit[order], s[order])}


def _postings(model, token_ids, ids: np.ndarray):
    """For each query term: its posting list's (lo, hi) span in bm25s' CSC arrays, and
    which of the passages `ids` are in it, with their positions (cost: those lists only)."""
    indices, indptr = model.scores["indices"], model.scores["indptr"]
    for t in token_ids:
        lo, hi = int(indptr[t]), int(indptr[t + 1])
        posting = indices[lo:hi]
        pos = np.minimum(np.searchsorted(posting, ids), max(hi - lo - 1, 0))
        found = (posting[pos] == ids) if hi > lo else np.zeros(len(ids), bool)
        yield lo, hi, pos, found


def bm25_scores(model, token_ids: list[int], ids: np.ndarray) -> np.ndarray:
    """Exact BM25 scores of the passages `ids` only, from the posting lists of the query's
    terms (cost: those lists, not the corpus). bm25s' lucene scoring has no score for
    absent terms, so this equals `model.get_scores(...)[ids]`."""
    data = model.scores["data"]
    out = np.zeros(len(ids), dtype=np.float32)
    for lo, hi, pos, found in _postings(model, token_ids, ids):
        out[found] += data[lo:hi][pos[found]]
    return out


def bm25_idf(model, df: np.ndarray) -> np.ndarray:
    """bm25s' lucene idf of terms that `df` passages contain (a term no passage has, df 0,
    gets the highest idf)."""
    n = max(int(model.scores["num_docs"]), 1)
    return np.log(1 + (n - df + 0.5) / (df + 0.5))


def bm25_coverage(model, token_ids: list[int], ids: np.ndarray) -> np.ndarray:
    """The share of the query's distinct terms each passage of `ids` contains, each term
    weighted by its idf (bm25s' lucene idf): 1.0 = every term. BM25 sums per-term scores,
    so a passage repeating one rare term can outrank one that covers the whole question;
    this is the classic coordination factor that counts breadth instead."""
    terms = sorted(set(token_ids))
    out = np.zeros(len(ids), dtype=np.float32)
    if not terms or not len(ids):
        return out
    indptr = model.scores["indptr"]
    idf = bm25_idf(model, np.array([indptr[t + 1] - indptr[t] for t in terms], dtype=np.float64))
    for w, (_, _, _, found) in zip(idf, _postings(model, terms, ids)):
        out[found] += w
    return out / idf.sum()


# --- dense -----------------------------------------------------------------------

def dense_candidates(index, qvec: np.ndarray, n: int, allowed: np.ndarray | None) -> dict[int, float]:
    """The n nearest passages by cosine, among `allowed` if given (Index.search: FAISS with
    an ID selector, exact over a small allowed set, efSearch/nprobe from the settings)."""
    return index.search(qvec, n, allowed)


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
    query_vector: np.ndarray | None = field(default=None, repr=False)
    understood: object = field(default=None, repr=False)   # the qa.query.Query the stages read


# --- the retriever --------------------------------------------------------------

class Retriever:
    """What a search needs, loaded once: the index, settings, the query encoder, the
    optional reranker, the per-index signals (qa/signals.py) and the abstainer."""

    def __init__(self, index, settings: Settings | None = None, embedder=None, reranker=None):
        from .abstention import Abstainer
        from .conversation import speaker_mentions
        from .embedding import query_encoder
        from .rerank import make_reranker
        from .signals import load_or_build

        self.index = index
        self.settings = settings or Settings()
        self.embedder = embedder or query_encoder(index.manifest["settings"]["model"], self.settings)
        self.reranker = reranker if reranker is not None else make_reranker(self.settings)
        self.signals = load_or_build(index)
        self.aliases = self.signals.aliases
        self.acronyms = self.signals.acronyms
        # one question's speakers are wanted by several stages: read them once per text
        self._speakers = lru_cache(maxsize=256)(lambda text: speaker_mentions(text, self.signals.speaker_names))
        self.abstainer = Abstainer(index, self.settings, self.signals, self.clear_speakers)
        self._masks: dict = {}

    def search(self, question: str, k: int = 5, filters: Filters | None = None, method: str | None = None,
               history: list[str] | None = None) -> "Result":
        from .pipeline import search
        return search(self, question, k=k, filters=filters, method=method or self.settings.retriever,
                      history=history)

    def named_delegations(self, text: str) -> list[str]:
        """Delegations a question names as speakers: Russia in "What did Russia say about
        Kazakhstan's elections?", not Kazakhstan, which is the topic (qa/conversation.py)."""
        clear, likely = self._speakers(text)
        return clear + likely

    def clear_speakers(self, text: str) -> list[str]:
        return list(self._speakers(text)[0])

    def allowed_chunks(self, filters: Filters | None) -> np.ndarray | None:
        """Passage numbers the filters allow (None: no filters). Computed once per filter set."""
        if not filters:
            return None
        key = repr(filters.to_dict())
        if key not in self._masks:
            ok_docs = np.array([filters.allows(d) for d in self.index.documents], dtype=bool)
            allowed = np.flatnonzero(ok_docs[self.index.chunk_doc])
            mask = np.zeros(len(self.index.chunks), dtype=np.float32)
            mask[allowed] = 1.0
            if len(self._masks) >= 32:          # bounded: filters vary per request
                self._masks.clear()
            self._masks[key] = (allowed, mask)
        return self._masks[key][0]

    def bm25_mask(self, filters: Filters | None) -> np.ndarray | None:
        """The same filters as a bm25s weight mask (1 allowed, 0 not)."""
        if self.allowed_chunks(filters) is None:
            return None
        return self._masks[repr(filters.to_dict())][1]


def first_per_passage(order: list[int], chunks: list[Chunk]) -> list[int]:
    """One hit per cited paragraph: the best piece of a split paragraph stands for it."""
    seen: set[str] = set()
    out = []
    for i in order:
        pid = chunks[i].passage_id
        if pid not in seen:
            seen.add(pid)
            out.append(i)
    return out
