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
from .text import split_sentences  # noqa: F401  (re-exported)
from .tokens import count_tokens, encoding

# Longer than this many characters per token of budget, a text cannot fit: it is not
# even counted (counting a megabyte of text only to learn it is too long is wasted work).
_CHARS_PER_TOKEN_MAX = 40


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


def _split_long(text: str, fits: Callable[[str], bool], budget: int) -> list[str]:
    """Greedy sentence packing on a token budget, in time linear in the text: each
    sentence is counted once, a piece is checked once. A sentence over the budget, or
    text with no sentence ends at all, is cut on token offsets (`_cut_tokens`)."""
    pieces: list[str] = []
    cur: list[str] = []
    used = 0
    for sent in (text[s:e].strip() for s, e in split_sentences(text)):
        n = count_tokens(sent) if len(sent) <= budget * _CHARS_PER_TOKEN_MAX else budget + 1
        if cur and used + 1 + n > budget:
            pieces.append(" ".join(cur))
            cur, used = [], 0
        if n > budget:
            pieces.extend(_cut_tokens(sent, budget))
            continue
        cur.append(sent)
        used += n + (1 if len(cur) > 1 else 0)
    if cur:
        pieces.append(" ".join(cur))
    # the counts are per sentence, and the model may see more word pieces than tiktoken
    # counts: check each piece once, and cut finer the rare one that does not fit
    out = []
    for piece in pieces:
        if fits(piece) or budget <= 8:
            out.append(piece)
        else:
            out.extend(_split_long(piece, fits, budget // 2))
    return out


def _cut_tokens(text: str, budget: int) -> list[str]:
    """Cut text into pieces of at most `budget` cl100k tokens, at a space when one is
    near. Works through windows of a few thousand characters, so a 2 MB line with no
    punctuation costs the same per character as a short one."""
    enc = encoding()
    window = budget * 8
    pieces, pos = [], 0
    while pos < len(text):
        chunk = text[pos: pos + window]
        tokens = enc.encode(chunk, disallowed_special=())
        if len(tokens) <= budget and pos + len(chunk) >= len(text):
            cut = len(chunk)
        else:
            _, offsets = enc.decode_with_offsets(tokens[: budget + 1])
            cut = offsets[budget] if len(offsets) > budget else len(chunk)
            space = chunk.rfind(" ", cut // 2, cut)
            if space > 0:
                cut = space + 1
            cut = max(cut, 1)
        piece = chunk[:cut].strip()
        if piece:
            pieces.append(piece)
        pos += cut
    return pieces


def chunk_document(doc: Document, max_tokens: int = 200, min_tokens: int = 8,
                   model_fits: Callable[[str], bool] | None = None,
                   with_context: bool = True) -> list[Chunk]:
    prefix = context_prefix(doc) if with_context else ""
    labels = doc.labels()

    def fits(text: str) -> bool:
        if len(text) > max_tokens * _CHARS_PER_TOKEN_MAX or count_tokens(text) > max_tokens:
            return False
        return model_fits is None or model_fits(prefix + text)

    # Group paragraph positions (1-based): short ones join a neighbour within budget.
    # Chunks record the document's own labels (its printed numbers, when it has them).
    groups: list[list[int]] = []
    pending: list[int] = []
    n = len(doc.paragraphs)
    for i, para in enumerate(doc.paragraphs, 1):
        pending.append(i)
        if _short(para, min_tokens) and i < n:
            continue
        joined = " ".join(doc.paragraphs[j - 1] for j in pending)
        if len(pending) > 1 and not fits(joined):
            groups.extend([[j] for j in pending])  # joining would overflow: keep them apart
        else:
            groups.append(pending)
        pending = []
    if len(groups) > 1 and len(groups[-1]) == 1 and _short(doc.paragraphs[groups[-1][0] - 1], min_tokens):
        last = groups.pop()
        if fits(" ".join(doc.paragraphs[j - 1] for j in groups[-1] + last)):
            groups[-1] = groups[-1] + last
        else:
            groups.append(last)

    chunks: list[Chunk] = []
    for group in groups:
        text = " ".join(doc.paragraphs[j - 1] for j in group)
        pieces = [text] if fits(text) else _split_long(text, fits, max_tokens)
        group_labels = [labels[j - 1] for j in group]
        for part, piece in enumerate(pieces, 1 if len(pieces) > 1 else 0):
            chunks.append(Chunk(doc.id, group_labels, piece, prefix + piece, part))
    return chunks


def _short(text: str, min_tokens: int) -> bool:
    return len(text) < min_tokens * _CHARS_PER_TOKEN_MAX and count_tokens(text) < min_tokens


def chunk_documents(docs: Iterable[Document], **kwargs) -> list[Chunk]:
    return [c for d in docs for c in chunk_document(d, **kwargs)]
