"""From retrieved passages to an answer: a verbatim lead, highlighted sentences,
grouping by statement, and the JSON shape that `qa ask --json` and the app's
HTTP endpoint share.

No language model writes anything: every quoted string is a sentence of the
paragraph it cites. The lead is picked without running the model again: a
sentence scores by the question's words it holds (weighted by their BM25 idf),
the dense similarity of its passage and the passage's rank, and it is preferred
when it takes the stance the question asks about (qa/stance.py): asked what a
delegation criticised, the lead quotes its criticism, not its praise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .delegations import same_delegation
from .retrieval import Filters, Hit, Result, Retriever, bm25_idf, citation
from .stance import stances
from .text import bm25_tokenize, split_sentences

# weights of a sentence's score: the question's words it holds (0..1), its passage's
# cosine (about 0.2..0.8), its passage's rank, the asked stance
_W_DENSE, _W_RANK, _W_STANCE = 0.5, 0.03, 0.25


@dataclass
class Sentence:
    doc_id: str
    paragraph: int
    text: str                     # verbatim substring of that paragraph
    score: float

    @property
    def citation(self) -> str:
        return citation(self.doc_id, [self.paragraph])


@dataclass
class Answer:
    result: Result
    lead: list[Sentence] = field(default_factory=list)
    highlights: dict[int, Sentence] = field(default_factory=dict)   # hit position -> best sentence

    @property
    def hits(self) -> list[Hit]:
        return self.result.hits

    def groups(self) -> list[tuple[str, list[int]]]:
        """(doc_id, [hit positions]) in order of each statement's best hit."""
        order: dict[str, list[int]] = {}
        for i, h in enumerate(self.hits):
            order.setdefault(h.doc.id, []).append(i)
        return list(order.items())


def _hit_sentences(hit: Hit) -> list[tuple[int, str]]:
    """(paragraph number, sentence) for the sentences of the hit's text, split per
    paragraph so that a joined salutation never fuses with the next sentence."""
    out = []
    for p in hit.chunk.paragraphs:
        para = hit.doc.paragraph(p)
        for s, e in split_sentences(para):
            sent = para[s:e].strip()
            if len(sent) > 1 and sent in hit.chunk.text:
                out.append((p, sent))
    return out


def ask(retriever: Retriever, question: str, k: int = 5, filters: Filters | None = None,
        method: str | None = None, history: list[str] | None = None, lead_sentences: int = 2) -> Answer:
    result = retriever.search(question, k=k, filters=filters, method=method, history=history)
    answer = Answer(result)
    if result.abstained or not result.hits:
        return answer
    cands: list[tuple[int, int, str]] = [(i, p, s) for i, h in enumerate(result.hits) for p, s in _hit_sentences(h)]
    if not cands:
        return answer
    understood = result.understood
    asked = understood.stance if understood is not None and retriever.settings.lead_stance else None
    lexical = _word_overlap(retriever.index.bm25, result.query, [s for _, _, s in cands])
    best_per_hit: dict[int, Sentence] = {}
    scored = []
    for (i, p, s), lex in zip(cands, lexical):
        hit = result.hits[i]
        score = lex + _W_DENSE * (hit.dense or 0.0) - _W_RANK * i
        if asked and asked in stances(s):
            score += _W_STANCE
        sent = Sentence(hit.doc.id, p, s, score)
        scored.append(sent)
        if i not in best_per_hit or score > best_per_hit[i].score:
            best_per_hit[i] = sent
    answer.highlights = best_per_hit
    scored.sort(key=lambda x: -x.score)
    # A comparison question gets the best sentence of each side it names first.
    named = understood.all_speakers if understood is not None else retriever.named_delegations(result.query)
    if len(named) >= 2:
        for deleg in named:
            side = [x for x in scored if same_delegation(retriever.index.document(x.doc_id).delegation, deleg)]
            if side:
                answer.lead.append(side[0])
        return answer
    top = scored[0].score
    for sent in scored:
        if len(answer.lead) >= lead_sentences:
            break
        if sent.score >= top - 0.15 and all(sent.text != x.text for x in answer.lead):
            answer.lead.append(sent)
    return answer


def _word_overlap(bm25, query: str, sentences: list[str]) -> np.ndarray:
    """The share of the question's words (BM25 tokens: stemmed, stop words out) each
    sentence holds, each word weighted by its idf over the corpus's passages."""
    q = set(bm25_tokenize([query], return_ids=False)[0])
    if not q:
        return np.zeros(len(sentences))
    indptr, terms = bm25.scores["indptr"], sorted(q)
    ids = [bm25.vocab_dict.get(t) for t in terms]
    df = np.array([indptr[i + 1] - indptr[i] if i is not None else 0 for i in ids], dtype=np.float64)
    idf = dict(zip(terms, bm25_idf(bm25, df)))
    total = sum(idf.values())
    toks = bm25_tokenize(sentences, return_ids=False)
    return np.array([sum(idf[t] for t in q & set(ts)) / total for ts in toks])


def to_json(answer: Answer) -> dict:
    """The stable JSON of `qa ask --json` (other tools read these keys)."""
    r = answer.result
    passages = []
    for i, h in enumerate(r.hits):
        hl = answer.highlights.get(i)
        passages.append({
            "citation": h.citation,
            "doc_id": h.doc.id,
            "paragraph": h.chunk.paragraphs[0],
            "paragraphs": list(h.chunk.paragraphs),
            "text": h.chunk.text,
            "score": round(float(h.score), 4),
            "title": h.doc.title,
            "delegation": h.doc.delegation,
            "date": h.doc.date,
            "source": h.doc.source,
            "highlight": hl.text if hl else None,
        })
    return {
        "question": r.question,
        "query": r.query,
        "abstained": r.abstained,
        "abstain_reason": r.reason or None,
        "answer": [{"text": s.text, "citation": s.citation, "doc_id": s.doc_id, "paragraph": s.paragraph}
                   for s in answer.lead],
        "passages": [] if r.abstained else passages,
    }


def no_answer_message(question: str) -> str:
    return f"No statement in the corpus addresses “{question.strip()}”."
