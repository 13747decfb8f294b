"""Measure the vector store choices of qa/index.py (docs/indexing.md, `make bench-index`).

1. Recall@10 against exact search, query time and build time for Flat, HNSW32 at
   several efSearch and IVF at several nprobe, on N stand-in vectors (default 100k):
   stand-in vectors of UN text (hashed bag-of-words of UN sentences, randomly projected
   to 384-d; see text_vectors), queries drawn the same way. Not model vectors: a clearly
   named stand-in, as embedding 100k passages for real takes hours here.
2. `--build N`: Index.build + save + load of N synthetic passages (paragraphs assembled
   from UN General Debate sentences, stand-in vectors from a fake embedder that counts
   characters instead of word pieces), with wall time per phase and peak RSS.

3. `--ann N,N --vectors standin|real`: build time and recall@10 against exact search of
   IVF (nlist from the size, as `qa index` chooses it) and HNSW32, on the benchmark's
   stand-in vectors or on every real model vector computed here (docs/scale.md).
4. `--mmap N`: RSS added by loading an IVF index with and without memory-mapping.

    python scripts/bench_index.py --recall 100000
    python scripts/bench_index.py --build 1000000
    python scripts/bench_index.py --ann 100000,1000000 --vectors standin
    python scripts/bench_index.py --ann 2000,4000,8000,15400 --vectors real --factories "IVF{nlist},Flat"
    python scripts/bench_index.py --mmap 300000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
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
    """The first measurement (kept for comparison): random-projection stand-ins, one IVF size."""
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
    print()


# --- approximate indexes: build time and recall@10, stand-in and real model vectors ------------

def standin_vectors(n: int, queries: int = 500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The product benchmark's stand-in (qa.bench.StandInEmbedder: word 1-2-grams hashed into
    384 signed buckets), NOT model vectors: n passages of three UN sentences each, and
    `queries` single held-out sentences as questions. Hashed n-grams spread over all 384
    dimensions with little cluster structure, so ANN recall on them is pessimistic."""
    from qa.bench import StandInEmbedder

    sentences = un_sentences()
    rng = np.random.default_rng(seed)
    held = set(rng.choice(len(sentences), queries, replace=False).tolist())
    pool = [s for i, s in enumerate(sentences) if i not in held]
    emb = StandInEmbedder()
    out = np.empty((n, emb.dimension), dtype=np.float32)
    for start in range(0, n, 50_000):
        m = min(50_000, n - start)
        idx = rng.integers(0, len(pool), (m, 3))
        out[start:start + m] = emb.encode([" ".join(pool[i] for i in row) for row in idx])
    return out, emb.encode([sentences[i] for i in sorted(held)])


REAL_SOURCES = (Path("/work/main/index"),)


def real_vectors(roots=REAL_SOURCES) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every distinct all-MiniLM-L6-v2 vector computed here (embedding caches, opened
    read-only, and Flat index files), and real questions encoded by the model: SciFact's
    queries and the eval sets' questions. Returns (vectors, query vectors, sources)."""
    import sqlite3

    import faiss

    from qa.onnx_encoder import OnnxEncoder

    rows, sources = [], []
    for root in roots:
        for db in sorted(root.rglob("embed-cache.sqlite")):
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            got = [np.frombuffer(b, dtype=np.float32) for (b,) in
                   con.execute("SELECT vector FROM vectors WHERE model = 'all-MiniLM-L6-v2'")]
            con.close()
            rows += got
            sources.append(f"{db}: {len(got)}")
        for fx in sorted(root.rglob("faiss.index")):
            manifest = json.loads((fx.parent / "manifest.json").read_text())
            if manifest.get("model", {}).get("name") != "all-MiniLM-L6-v2":
                continue
            index = faiss.read_index(str(fx))
            got = index.reconstruct_n(0, index.ntotal)
            rows += list(got)
            sources.append(f"{fx}: {len(got)}")
    data = np.unique(np.stack([r for r in rows if r.shape == (384,)]).round(6), axis=0).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    texts = [json.loads(line)["text"] for line in open("/work/shared/benchmarks/scifact/queries.jsonl")]
    for f in sorted(Path("eval").glob("*.jsonl")):
        texts += [json.loads(line)["question"] for line in open(f) if line.strip() and '"question"' in line]
    enc = OnnxEncoder()
    queries = np.stack([enc.encode_query(t) for t in texts]).astype(np.float32)
    return np.random.default_rng(0).permutation(data), queries, sources


def _recall(ids: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(a[a >= 0]) & set(b)) / len(b) for a, b in zip(ids, truth)]))


def ann(sizes: list[int], kind: str, factories: list[str], queries: int = 500) -> None:
    """Build time (wall and CPU, FAISS on every core as `qa index` runs it) and recall@10
    against exact search (one FAISS thread per query, as a request sees it) per approximate
    index and search breadth, on stand-in or real model vectors."""
    import faiss

    from qa.index import make_faiss

    if kind == "real":
        data, qs, sources = real_vectors()
        print("real all-MiniLM-L6-v2 vectors from: " + "; ".join(sources))
        sizes = [min(n, len(data)) for n in sizes]
    else:
        data, qs = standin_vectors(max(sizes), queries)
    print(f"\n{kind} vectors, {len(qs)} queries, recall@10 vs exact (IndexFlatIP); "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| N | index | build wall / CPU s | search breadth | recall@10 | ms/query (1 thread) |")
    print("| --- | --- | --- | --- | --- | --- |", flush=True)
    for n in sizes:
        base = data[:n]
        faiss.omp_set_num_threads(0 or os.cpu_count())
        truth = make_faiss(base, "Flat").search(qs, 10)[1]
        for template in factories:
            factory = template.format(nlist=ivf_lists(n))
            faiss.omp_set_num_threads(os.cpu_count())
            t, c = time.perf_counter(), cpu_s()
            index = make_faiss(base, factory)
            built = f"{time.perf_counter() - t:.1f} / {cpu_s() - c:.1f}"
            faiss.omp_set_num_threads(1)
            ivf = factory.startswith("IVF")
            nlist = faiss.extract_index_ivf(index).nlist if ivf else 0
            for v in ((1, 4, 8, 16, 32, 64, 128) if ivf else (16, 32, 64, 128, 256)):
                if ivf and v > nlist:
                    break
                params = (faiss.SearchParametersIVF(nprobe=v) if ivf else faiss.SearchParametersHNSW(efSearch=v))
                t = time.perf_counter()
                for i in range(len(qs)):
                    ids = index.search(qs[i:i + 1], 10, params=params)[1]
                ms = (time.perf_counter() - t) / len(qs) * 1000
                ids = index.search(qs, 10, params=params)[1]
                print(f"| {n:,} | {factory} | {built} | {'nprobe' if ivf else 'efSearch'} {v} | "
                      f"{_recall(ids, truth):.3f} | {ms:.2f} |", flush=True)
                built = ""
            del index


def mmap_load(n: int) -> None:
    """RSS added by loading an IVF index of n vectors with and without the flags Index.load
    uses (FAISS maps the inverted lists instead of reading them), each in a fresh process."""
    import subprocess

    from qa.index import make_faiss

    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        import faiss
        path = Path(tmp) / "faiss.index"
        faiss.write_index(make_faiss(standin_vectors(n, 10)[0], f"IVF{ivf_lists(n)},Flat"), str(path))
        probe = ("import faiss, sys\n"
                 "rss = lambda: int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1])\n"
                 "r0 = rss(); fx = faiss.read_index(sys.argv[1], int(sys.argv[2]))\n"
                 "print(f'{(rss() - r0) / 1024:.0f}')\n")
        print(f"IVF{ivf_lists(n)},Flat over {n:,} vectors, {path.stat().st_size / 2**20:,.0f} MB on disk:")
        for name, flags in (("0", 0), ("IO_FLAG_MMAP_IFC | IO_FLAG_READ_ONLY (Index.load)",
                                       faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)):
            out = subprocess.run([sys.executable, "-c", probe, str(path), str(flags)], capture_output=True,
                                 text=True, check=True).stdout.strip()
            print(f"  read_index flags {name}: RSS +{out} MB")


def ivf_lists(n: int) -> int:
    from qa.index import ivf_nlist
    from qa.settings import Settings
    return ivf_nlist(n, Settings())


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
    p.add_argument("--ann", metavar="N,N", help="sizes for the approximate-index table (10000,100000,1000000)")
    p.add_argument("--vectors", choices=["standin", "real"], default="standin")
    p.add_argument("--factories", default="IVF{nlist},Flat,HNSW32",
                   help="FAISS factory strings, `{nlist}` filled from the size (ivf_nlist)")
    p.add_argument("--mmap", type=int, metavar="N", help="RSS of loading an IVF index of N vectors, mapped or read")
    a = p.parse_args()
    if a.mmap:
        mmap_load(a.mmap)
    if a.ann:
        facts = re.findall(r"IVF[^,]*,Flat|[^,]+", a.factories)
        ann([int(x) for x in a.ann.split(",")], a.vectors, facts)
    if a.recall:
        recall(a.recall)
    if a.build:
        build(a.build)
