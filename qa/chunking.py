"""Paragraph-aligned chunks.

A chunk never spans two documents and records the paragraph number(s) it
covers. Normally one paragraph is one chunk, so a citation points at exactly
one paragraph. Two exceptions:

* a paragraph shorter than `min_tokens` (a salutation, "Thank you.") joins the
  following paragraph (or the preceding one at the end), so it does not become
  a content-free passage;
* a paragraph longer than `max_tokens` (cl100k_base), or whose embedded text
  would exceed the model's own maximum sequence length, is split at sentence
  boundaries; every piece keeps its paragraph number.

Token budgets are measured, never assumed: `fits(text)` is the embedding
model's own check, so no chunk is ever silently truncated.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from typing import Callable, Iterable

from .documents import Document
from .tokens import count_tokens

# Sentence ends: . ! ? (optionally followed by a closing quote/bracket), then
# space and an opening capital, digit or quote. Avoids common abbreviations.
_ABBREV = r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bNo)(?<!\bvs)(?<!\bUS)(?<!\be\.g)(?<!\bi\.e)(?<!\b[A-Z])"
_SENT_END = re.compile(_ABBREV + r"[.!?…][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9А-Я])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of `text`, covering it in order."""
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        end = m.end()
        spans.append((start, end))
        start = end
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


@dataclass
class Chunk:
    doc_id: str
    paragraphs: list[int]      # paragraph numbers covered (the document's labels), ascending
    text: str                  # the paragraph's own words (what is shown and cited)
    embed_text: str            # what the model sees (may carry the statement's context)
    part: int = 0              # piece number when a long paragraph was split

    @property
    def id(self) -> str:
        return self.passage_id + (f".{self.part}" if self.part else "")

    @property
    def passage_id(self) -> str:
        """What a citation points at: the pieces of one split paragraph share it."""
        return f"{self.doc_id}#{'-'.join(map(str, self.paragraphs))}"

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.embed_text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Chunk":
        return cls(**d)


def context_prefix(doc: Document) -> str:
    parts = [x for x in (doc.delegation, doc.date, doc.title) if x]
    return (" | ".join(parts) + "\n") if parts else ""


def _split_long(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Greedy sentence packing; a single over-long sentence is cut at word boundaries."""
    sentences = [text[s:e].strip() for s, e in split_sentences(text)]
    pieces: list[str] = []
    cur = ""
    for sent in sentences:
        cand = f"{cur} {sent}".strip()
        if fits(cand):
            cur = cand
            continue
        if cur:
            pieces.append(cur)
        if fits(sent):
            cur = sent
            continue
        words, cur = sent.split(), ""
        for w in words:
            cand = f"{cur} {w}".strip()
            if fits(cand) or not cur:
                cur = cand
            else:
                pieces.append(cur)
                cur = w
    if cur:
        pieces.append(cur)
    return pieces


def chunk_document(doc: Document, max_tokens: int = 200, min_tokens: int = 8,
                   model_fits: Callable[[str], bool] | None = None,
                   with_context: bool = True) -> list[Chunk]:
    prefix = context_prefix(doc) if with_context else ""
    labels = doc.labels()

    def fits(text: str) -> bool:
        if count_tokens(text) > max_tokens:
            return False
        return model_fits is None or model_fits(prefix + text)

    # Group paragraph positions (1-based): short ones join a neighbour within budget.
    # Chunks record the document's own labels (its printed numbers, when it has them).
    groups: list[list[int]] = []
    pending: list[int] = []
    n = len(doc.paragraphs)
    for i, para in enumerate(doc.paragraphs, 1):
        pending.append(i)
        if count_tokens(para) < min_tokens and i < n:
            continue
        joined = " ".join(doc.paragraphs[j - 1] for j in pending)
        if len(pending) > 1 and not fits(joined):
            groups.extend([[j] for j in pending])  # joining would overflow: keep them apart
        else:
            groups.append(pending)
        pending = []
    if len(groups) > 1 and len(groups[-1]) == 1 and count_tokens(doc.paragraphs[groups[-1][0] - 1]) < min_tokens:
        last = groups.pop()
        if fits(" ".join(doc.paragraphs[j - 1] for j in groups[-1] + last)):
            groups[-1] = groups[-1] + last
        else:
            groups.append(last)

    chunks: list[Chunk] = []
    for group in groups:
        text = " ".join(doc.paragraphs[j - 1] for j in group)
        pieces = [text] if fits(text) else _split_long(text, fits)
        group_labels = [labels[j - 1] for j in group]
        for part, piece in enumerate(pieces, 1 if len(pieces) > 1 else 0):
            chunks.append(Chunk(doc.id, group_labels, piece, prefix + piece, part))
    return chunks


def chunk_documents(docs: Iterable[Document], **kwargs) -> list[Chunk]:
    return [c for d in docs for c in chunk_document(d, **kwargs)]
