"""From retrieved passages to an answer: a verbatim lead, highlighted sentences,
grouping by statement, and the JSON shape that `qa ask --json` and the app's
HTTP endpoint share.

No language model writes anything: every quoted string is a sentence of the
paragraph it cites, found by embedding the sentences of the top passages and
comparing them with the question.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .text import split_sentences
from .delegations import same_delegation
from .retrieval import Filters, Hit, Result, Retriever, citation


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
    qvec = result.query_vector
    svecs = retriever.embedder.encode([s for _, _, s in cands])
    sims = svecs @ qvec
    best_per_hit: dict[int, Sentence] = {}
    scored = []
    for (i, p, s), sim in zip(cands, sims):
        # prefer sentences from higher-ranked passages, slightly
        score = float(sim) - 0.02 * i
        sent = Sentence(result.hits[i].doc.id, p, s, score)
        scored.append(sent)
        if i not in best_per_hit or score > best_per_hit[i].score:
            best_per_hit[i] = sent
    answer.highlights = best_per_hit
    scored.sort(key=lambda x: -x.score)
    # A comparison question gets the best sentence of each side it names first.
    named = retriever.named_delegations(result.query)
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
        if sent.score >= top - 0.08 and all(sent.text != x.text for x in answer.lead):
            answer.lead.append(sent)
    return answer


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
