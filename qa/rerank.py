"""Optional reranking stage: a sentence-transformers CrossEncoder from a local folder.

Off by default (no cross-encoder weights ship in a PyPI package); set the
`reranker` setting (QA_RERANKER) to a local model folder to turn it on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Reranker(Protocol):
    def rerank(self, query: str, hits: list) -> list: ...


class CrossEncoderReranker:
    def __init__(self, path: str):
        from sentence_transformers import CrossEncoder

        if not Path(path).is_dir():
            raise FileNotFoundError(f"{path}: reranker model folder not found (models load from a local path only)")
        self.model = CrossEncoder(str(path), device="cpu", local_files_only=True)

    def rerank(self, query: str, hits: list) -> list:
        if not hits:
            return hits
        scores = self.model.predict([(query, h.chunk.text) for h in hits], show_progress_bar=False)
        for h, s in zip(hits, scores):
            h.score = float(s)
        return sorted(hits, key=lambda h: -h.score)


def make_reranker(settings) -> Reranker | None:
    return CrossEncoderReranker(settings.reranker) if settings.reranker else None
