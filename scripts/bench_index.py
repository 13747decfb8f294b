"""Measure the vector store choices of qa/index.py (docs/indexing.md, `make bench-index`).

1. Recall@10 against exact search, query time and build time for Flat, HNSW32 at
   several efSearch and IVF at several nprobe, on N stand-in vectors (default 100k):
   stand-in vectors of UN text (hashed bag-of-words of UN sentences, randomly projected
   to 384-d; see text_vectors), queries drawn the same way. Not model vectors: a clearly
   named stand-in, as embedding 100k passages for real takes hours here.
2. `--build N`: Index.build + save + load of N synthetic passages (paragraphs assembled
   from UN General Debate sentences, stand-in vectors from a fake embedder that counts
   characters instead of word pieces), with wall time per phase and peak RSS.

    python scripts/bench_index.py --recall 100000
    python scripts/bench_index.py --build 1000000
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

UN_CORPUS = Path("/work/ungdc/ungdc-1946-2024")


def text_vectors(n: int, dim: int = 384, seed: int = 0) -> np.ndarray:
    """Stand-in vectors of UN text, NOT the model's: n paragraphs of UN General Debate
    sentences, hashed bag-of-words times a fixed random projection to `dim`,
    normalised. Like sentence embeddings they cluster by topic and wording, which random
    vectors do not (ANN recall on random 384-d vectors is far lower than on text)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    sentences = un_sentences()
    rng = np.random.default_rng(seed)
    hv = HashingVectorizer(n_features=2 ** 16, alternate_sign=False, stop_words="english",
                           norm="l2")
    proj = rng.standard_normal((2 ** 16, dim)).astype(np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 20_000):
        m = min(20_000, n - start)
        paras = [" ".join(sentences[i] for i in rng.integers(0, len(sentences), 3)) for _ in range(m)]
        x = hv.transform(paras) @ proj
        out[start:start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def cpu_s() -> float:
    """CPU seconds of this process: on a shared machine, less noisy than wall time."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def recall(n: int, queries: int = 500) -> None:
    import faiss

    from qa.index import make_faiss

    faiss.omp_set_num_threads(1)      # per-query latency as one request sees it
    data = text_vectors(n + queries)
    base, q = data[:n], data[n:]
    t = time.perf_counter()
    flat = make_faiss(base, "Flat")
    _, truth = flat.search(q, 10)
    exact_ms = (time.perf_counter() - t) / queries * 1000
    print(f"{n} stand-in vectors of UN text, {queries} queries, 1 FAISS thread\n")
    print("| index | build s | recall@10 vs exact | ms/query |\n| --- | --- | --- | --- |")
    print(f"| Flat (exact) | - | 1.000 | {exact_ms:.2f} |")
    for factory, knob, values in (("HNSW32", "efSearch", (16, 32, 64, 128, 256)),
                                  (f"IVF{int(4 * np.sqrt(n))},Flat", "nprobe", (1, 8, 16, 32, 64))):
        t = time.perf_counter()
        index = make_faiss(base, factory)
        built = time.perf_counter() - t
        for v in values:
            params = (faiss.SearchParametersHNSW(efSearch=v) if knob == "efSearch"
                      else faiss.SearchParametersIVF(nprobe=v))
            t = time.perf_counter()
            _, ids = index.search(q, 10, params=params)
            ms = (time.perf_counter() - t) / queries * 1000
            rec = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, truth)])
            print(f"| {factory} {knob}={v} | {built:.0f} | {rec:.3f} | {ms:.2f} |")
    for size in (10_000, 50_000, 100_000, 200_000):
        if size > n:
            break
        sub = make_faiss(base[:size], "Flat")
        t = time.perf_counter()
        for i in range(100):
            sub.search(q[i:i + 1], 10)
        print(f"\nFlat at {size}: {(time.perf_counter() - t) * 10:.2f} ms/query (one at a time)", end="")
    print()


class StandInEmbedder:
    """NOT the model: unit vectors seeded by a hash of the text, for build-cost measurements
    only. `fits` counts characters (about 4 per word piece) instead of running the tokenizer."""

    dimension, max_seq_length = 384, 256

    def fits(self, text: str) -> bool:
        return len(text) <= 4 * self.max_seq_length

    def encode(self, texts, batch_size=32, progress=False):
        seeds = [int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little") for t in texts]
        out = np.stack([np.random.default_rng(s).standard_normal(self.dimension).astype(np.float32) for s in seeds])
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def un_sentences(limit: int = 200_000) -> list[str]:
    from qa.chunking import split_sentences
    sentences: list[str] = []
    for path in sorted(UN_CORPUS.glob("Session 7*/*.txt")):
        text = " ".join(path.read_text(encoding="utf-8", errors="replace").split())
        sentences += [text[s:e].strip() for s, e in split_sentences(text) if 40 < e - s < 400]
        if len(sentences) >= limit:
            break
    return sentences


def synthetic_documents(n_passages: int, per_doc: int = 10):
    from qa.documents import Document
    sentences = un_sentences()
    rng = np.random.default_rng(1)
    for d in range(0, n_passages, per_doc):
        paras = [" ".join(sentences[i] for i in rng.integers(0, len(sentences), 3)) for _ in range(per_doc)]
        yield Document(id=f"SYN/{d // per_doc}", source=f"syn-{d // per_doc}.txt", paragraphs=paras,
                       delegation=f"Delegation {d // per_doc % 190}", date=f"{1990 + d // per_doc % 30}-09-2{d % 9}",
                       title="Synthetic statement from UN General Debate sentences")


def build(n: int) -> None:
    from qa.embed_cache import EmbedCache
    from qa.index import Index
    from qa.settings import Settings

    settings = Settings.from_env()
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        index_dir = Path(tmp) / "index"
        cache = EmbedCache.in_index(index_dir, "stand-in", 384)
        t0 = time.perf_counter()
        index, stats = Index.build(synthetic_documents(n), settings, StandInEmbedder(), cache=cache,
                                   log=lambda m: print(m, file=sys.stderr), total_files=n // 10)
        t_build = time.perf_counter() - t0
        print(f"build (chunk + stand-in embed + cache): {t_build:.0f} s wall, {cpu_s():.0f} s CPU so far, of which embedding and cache "
              f"{stats.embed_seconds:.0f} s; {stats.chunks} passages; factory {index.factory}; "
              f"peak RSS {peak_rss_gb():.2f} GB", flush=True)
        t = time.perf_counter()
        _ = index.faiss
        t_faiss = time.perf_counter() - t
        t = time.perf_counter()
        _ = index.bm25
        t_bm25 = time.perf_counter() - t
        print(f"FAISS {index.factory}: {t_faiss:.0f} s; BM25: {t_bm25:.0f} s; peak RSS {peak_rss_gb():.2f} GB",
              flush=True)
        t = time.perf_counter()
        path = index.save(index_dir)
        t_save = time.perf_counter() - t
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e9
        del index
        t = time.perf_counter()
        loaded = Index.load(index_dir)
        t_load = time.perf_counter() - t
        print(f"save (incl. load-back check): {t_save:.0f} s, {size:.2f} GB on disk; load: {t_load:.1f} s; "
              f"total {time.perf_counter() - t0:.0f} s wall, {cpu_s():.0f} s CPU; peak RSS {peak_rss_gb():.2f} GB; "
              f"{len(loaded.chunks)} passages loaded", flush=True)
        cache.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--recall", type=int, metavar="N")
    p.add_argument("--build", type=int, metavar="N")
    a = p.parse_args()
    if a.recall:
        recall(a.recall)
    if a.build:
        build(a.build)
