"""The built index: documents, chunks, their vectors (FAISS) and BM25, on disk.

Layout of an index folder:

    index/
      CURRENT              name of the live version (replaced atomically)
      .lock                held while a build writes
      embed-cache.sqlite   every vector computed so far, by the hash of its text (qa/embed_cache.py)
      versions/<name>/     manifest.json, documents.json, chunks.jsonl,
                           faiss.index (holds the vectors), bm25/
                           [vectors.npy: only for FAISS types that keep no plain copy]

A build streams the corpus one statement at a time, embeds new passages in
batches of `embed_batch` and commits each batch to the embedding cache, so a
killed build keeps its work and the next one embeds only the rest. It then
writes a whole new version folder, syncs it, loads it back and runs a query on
it, and only then swaps CURRENT with os.replace. The previous version is kept
(a reader that read CURRENT just before the swap can still open it), and so
killing `qa index` at any moment leaves an index that loads and answers.

The vector store is chosen by size (setting `faiss_factory` "auto"): exact
"Flat" below `flat_max_passages`, `ann_factory` ("IVF{nlist},Flat", nlist from the
size) from there on; any `faiss.index_factory` string forces one. The choice is in
the manifest. Vectors are stored once for Flat and HNSW: inside faiss.index,
memory-mapped at load, with `Index.vectors` a read-only view of FAISS's own storage;
IVF keeps no plain copy, so vectors.npy (memory-mapped) sits next to it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from .chunking import Chunk, chunk_document
from .documents import (PARSER_VERSION, CorpusError, Document, corpus_files, corpus_inputs, iter_corpus,
                        unsupported_files)
from .embed_cache import EmbedCache, text_key
from .settings import Settings

FORMAT_VERSION = 2       # 2: vectors inside faiss.index (memory-mapped), index type by size
KEEP_VERSIONS = 2        # the live version and the one before it


class IndexError_(Exception):
    """Missing, unreadable or stale index; the message says what to do."""


def corpus_fingerprint(corpus_dir: Path) -> str:
    """Hash of every statement file and sidecar (names and bytes), without parsing."""
    corpus_dir = Path(corpus_dir)
    h = hashlib.sha256(f"parser={PARSER_VERSION}".encode())
    for path in corpus_inputs(corpus_dir):
        h.update(str(path.relative_to(corpus_dir)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def build_settings(settings: Settings) -> dict:
    """The settings an index depends on; any change means a rebuild."""
    return {
        "format_version": FORMAT_VERSION,
        "parser_version": PARSER_VERSION,
        "model": settings.model,
        "chunk_tokens": settings.chunk_tokens,
        "min_chunk_tokens": settings.min_chunk_tokens,
        "token_counter": "tiktoken cl100k_base",
        "embed_context": settings.embed_context,
        "bm25_k1": settings.bm25_k1,
        "bm25_b": settings.bm25_b,
        "faiss_factory": settings.faiss_factory,
        "flat_max_passages": settings.flat_max_passages,
        "ann_factory": settings.ann_factory,
        "hnsw_ef_construction": settings.hnsw_ef_construction,
        "ivf_nlist_per_sqrt": settings.ivf_nlist_per_sqrt,
        "ivf_train_per_list": settings.ivf_train_per_list,
    }


# build settings that only shape an approximate index: an exact one is not rebuilt for them
ANN_KEYS = ("ann_factory", "hnsw_ef_construction", "ivf_nlist_per_sqrt", "ivf_train_per_list")


def choose_factory(n_passages: int, settings: Settings) -> str:
    """The FAISS index for a corpus of this size: exact below the threshold, approximate above
    (`{nlist}` in the factory string becomes ivf_nlist(n))."""
    factory = settings.faiss_factory
    if factory in ("", "auto"):
        factory = "Flat" if n_passages < settings.flat_max_passages else settings.ann_factory
    return factory.replace("{nlist}", str(ivf_nlist(n_passages, settings)))


@dataclass
class BuildStats:
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0
    up_to_date: bool = False
    embed_seconds: float = 0.0      # of `seconds`: embedding and caching (the rest: reading, chunking, BM25)
    skipped: list[str] = field(default_factory=list)   # "path: reason", one per file left out


@dataclass
class Index:
    documents: list[Document]
    chunks: list[Chunk]
    vectors: np.ndarray                       # (n_chunks, dim) float32, L2-normalised; read-only when loaded
    manifest: dict
    path: Path | None = None
    _faiss: object = field(default=None, repr=False)
    _bm25: object = field(default=None, repr=False)
    _doc_texts: list[str] | None = field(default=None, repr=False)
    # query-time search breadth (settings hnsw_ef_search, ivf_nprobe); see configure()
    ef_search: int = Settings.hnsw_ef_search
    nprobe: int = Settings.ivf_nprobe

    def __post_init__(self):
        self.by_id = {d.id: d for d in self.documents}
        # any id, alias or file name, case-insensitively -> the document
        self.by_name = {a.casefold(): d for d in self.documents for a in d.aliases}
        self.by_name.update({d.id.casefold(): d for d in self.documents})
        self.doc_position = {d.id: i for i, d in enumerate(self.documents)}   # id -> row in `documents`
        self.chunk_doc = np.array([self.doc_position[c.doc_id] for c in self.chunks], dtype=np.int64)

    # --- components ---------------------------------------------------------
    @property
    def factory(self) -> str:
        return self.manifest.get("faiss", {}).get("factory", "Flat")

    @property
    def faiss(self):
        if self._faiss is None:
            built_with = self.manifest["settings"]
            self._faiss = make_faiss(self.vectors, self.factory, built_with.get("hnsw_ef_construction", 40),
                                     built_with.get("ivf_train_per_list", 50))
        return self._faiss

    @property
    def bm25(self):
        if self._bm25 is None:
            from .retrieval import build_bm25
            built = self.manifest.get("settings", {})   # the parameters it was built with
            params = {k: built[f"bm25_{k}"] for k in ("k1", "b") if f"bm25_{k}" in built}
            self._bm25 = build_bm25(self.chunks, **params)
        return self._bm25

    @property
    def doc_texts(self) -> list[str]:
        """Each statement's metadata and paragraphs, lowercased: what "the statement
        mentions X" is checked against."""
        if self._doc_texts is None:
            self._doc_texts = [" ".join([d.title or "", d.delegation or "", d.meeting or "", d.speaker or ""]
                                        + d.paragraphs).lower() for d in self.documents]
        return self._doc_texts

    def document(self, doc_id: str) -> Document:
        doc = self.by_id.get(doc_id) or self.by_name.get(doc_id.casefold())
        if doc is None:
            raise KeyError(doc_id)
        return doc

    # --- dense search -------------------------------------------------------
    def configure(self, settings: Settings) -> "Index":
        """Apply the query-time settings: search breadth and FAISS threads."""
        self.ef_search, self.nprobe = settings.hnsw_ef_search, settings.ivf_nprobe
        if settings.faiss_threads > 0:
            import faiss
            faiss.omp_set_num_threads(settings.faiss_threads)
        return self

    def _search_params(self, selector, k: int):
        import faiss
        index = faiss.downcast_index(self.faiss)
        if hasattr(index, "hnsw"):
            return faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k))
        if hasattr(index, "nprobe"):
            return faiss.SearchParametersIVF(sel=selector, nprobe=self.nprobe)
        return faiss.SearchParameters(sel=selector) if selector is not None else None

    def search(self, qvec: np.ndarray, n: int, allowed: np.ndarray | None = None) -> dict[int, float]:
        """The n chunks nearest `qvec` (inner product), among `allowed` chunk ids if given:
        {chunk id: score}. A filter returns min(n, len(allowed)) chunks whatever the index
        type: a small allowed set is scored exactly, and an approximate search that comes
        back short is redone exactly over the allowed set."""
        import faiss
        qvec = np.asarray(qvec, dtype=np.float32).reshape(1, -1)
        if allowed is not None:
            allowed = np.asarray(allowed, dtype=np.int64)
            if len(allowed) == 0:
                return {}
            n = min(n, len(allowed))
            if len(allowed) <= max(4 * n, 2048) and self.factory != "Flat":
                return _exact(self.vectors, qvec[0], allowed, n)
        n = min(n, self.faiss.ntotal)
        if n <= 0:
            return {}
        selector = faiss.IDSelectorBatch(allowed) if allowed is not None else None
        scores, ids = self.faiss.search(qvec, n, params=self._search_params(selector, n))
        found = {int(i): float(s) for i, s in zip(ids[0], scores[0]) if i >= 0}
        if len(found) < n and allowed is not None:
            return _exact(self.vectors, qvec[0], allowed, n)
        return found

    # --- staleness ----------------------------------------------------------
    def differences(self, settings: Settings, corpus_dir: Path | None = None,
                    fingerprint: str | None = None) -> list[str]:
        """What differs between this index and what `settings` (and the corpus) would build."""
        want, have = build_settings(settings), self.manifest.get("settings", {})
        if self.factory == "Flat" and choose_factory(len(self.chunks), settings) == "Flat":
            want = {k: v for k, v in want.items() if k not in ANN_KEYS}
        diffs = [f"{k}: index has {have.get(k)!r}, settings say {v!r}"
                 for k, v in want.items() if have.get(k) != v]
        if corpus_dir is not None:
            fp = fingerprint or corpus_fingerprint(corpus_dir)
            built_from = self.manifest.get("corpus", {})
            if fp != built_from.get("fingerprint"):
                if built_from.get("dir") and Path(built_from["dir"]).resolve() != Path(corpus_dir).resolve():
                    diffs.append(f"index was built from corpus {built_from['dir']}, not {corpus_dir}")
                else:
                    diffs.append(f"corpus {corpus_dir} has changed since the index was built")
        return diffs

    # --- build / save / load -----------------------------------------------
    @classmethod
    def build(cls, docs: Iterable[Document], settings: Settings, embedder, previous: "Index | None" = None,
              fingerprint: str = "", corpus_dir: Path | None = None, progress: bool = False,
              cache: EmbedCache | None = None, encoder=None, log=lambda msg: None,
              total_files: int | None = None, skipped: list[str] | None = None) -> tuple["Index", BuildStats]:
        """Chunk and embed `docs` (any iterable: consumed one statement at a time).

        A passage's vector comes from, in order: `previous` (same text, same model), the
        embedding `cache`, or the model, in batches of `settings.embed_batch` through
        `encoder` (default: this process; qa/distributed.py runs them on Ray). Each
        embedded batch is committed to the cache before the next is taken."""
        from .embedding import LocalEncoder

        t0 = time.perf_counter()
        dim = embedder.dimension
        encoder = encoder or LocalEncoder(embedder, settings.batch_size)
        known: dict[bytes, int] = {}          # text key -> row of previous.vectors
        if previous is not None and previous.manifest["settings"].get("model") == settings.model:
            known = {text_key(c.embed_text): i for i, c in enumerate(previous.chunks)}
        documents: list[Document] = []
        chunks: list[Chunk] = []
        vectors = _Rows(dim)
        stats = BuildStats(skipped=skipped if skipped is not None else [])
        todo: dict[bytes, list[int]] = {}     # text key -> chunk rows waiting for its vector
        texts: dict[bytes, str] = {}
        bar = Progress(total_files, settings.progress_every, log, bar=progress)

        reading = [0.0]                       # seconds spent parsing and chunking, not embedding

        def batches():
            """((keys, rows), texts) of passages no one has embedded yet, as the corpus streams by."""
            t = time.perf_counter()
            for doc in docs:
                documents.append(doc)
                new = chunk_document(doc, max_tokens=settings.chunk_tokens, min_tokens=settings.min_chunk_tokens,
                                     model_fits=embedder.fits, with_context=settings.embed_context)
                for c in new:
                    row, key = len(chunks), text_key(c.embed_text)
                    chunks.append(c)
                    vectors.grow(row + 1)
                    if key in known:
                        vectors[row] = previous.vectors[known[key]]
                    else:
                        todo.setdefault(key, []).append(row)
                        texts[key] = c.embed_text
                bar.advance(files=1, passages=len(new))
                if len(todo) >= settings.embed_batch:
                    batch = uncached(*_take_batch(todo, texts, settings.embed_batch))
                    reading[0] += time.perf_counter() - t
                    if batch[1]:
                        yield batch
                    t = time.perf_counter()
            reading[0] += time.perf_counter() - t
            while todo:
                batch = uncached(*_take_batch(todo, texts, settings.embed_batch))
                if batch[1]:
                    yield batch

        def uncached(keys_rows, batch_texts):
            """Fill the rows whose vectors the cache holds (one look-up per batch); the rest
            go to the model."""
            keys, rows = keys_rows
            found = cache.get_many(keys) if cache is not None else {}
            for key, rs in zip(keys, rows):
                for r in rs:
                    if key in found:
                        vectors[r] = found[key]
            left = [i for i, k in enumerate(keys) if k not in found]
            return ([keys[i] for i in left], [rows[i] for i in left]), [batch_texts[i] for i in left]

        filled = 0                            # chunk rows that got a newly embedded vector
        t_embed = time.perf_counter()
        try:
            for (keys, rows), vecs in encoder.map(batches()):
                vecs = np.asarray(vecs, dtype=np.float32)
                if cache is not None:
                    cache.put_many(keys, vecs)
                for rs, v in zip(rows, vecs):
                    for r in rs:
                        vectors[r] = v
                    filled += len(rs)
                stats.embedded += len(keys)
                bar.embedded(stats.embedded)
        finally:
            bar.close()
        stats.embed_seconds = time.perf_counter() - t_embed - reading[0]
        stats.documents, stats.chunks, stats.reused = len(documents), len(chunks), len(chunks) - filled
        factory = choose_factory(len(chunks), settings)
        manifest = {
            "settings": build_settings(settings),
            "model": {"name": settings.model, "dimension": dim,
                      "max_seq_length": embedder.max_seq_length},
            "faiss": {"factory": factory, "chosen_by": "size" if settings.faiss_factory in ("", "auto") else
                      "setting", **_search_breadth(factory, settings)},
            "corpus": {"dir": str(corpus_dir) if corpus_dir else None, "fingerprint": fingerprint},
            "counts": {"documents": len(documents), "chunks": len(chunks)},
            "skipped": list(stats.skipped),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        stats.seconds = time.perf_counter() - t0
        return cls(documents, chunks, vectors.array(), manifest).configure(settings), stats

    def save(self, index_dir: Path, check=None) -> Path:
        """Write a new version folder, load it back (and run `check(loaded)`, e.g. a query),
        then atomically make it current. Any failure leaves CURRENT as it was."""
        index_dir = Path(index_dir)
        versions = index_dir / "versions"
        versions.mkdir(parents=True, exist_ok=True)
        tmp = versions / f".tmp-{uuid.uuid4().hex[:12]}"
        tmp.mkdir()
        name = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
        final = versions / name
        try:
            _save_documents(tmp, self.documents)
            _save_chunks(tmp, self.chunks)
            # the build's own vector store and BM25 go as soon as they are on disk (at 1M
            # passages each is gigabytes); once the copy loaded back has passed the check,
            # its memory-mapped ones take their place
            _save_faiss(tmp, self.faiss)
            _save_vectors(tmp, self)
            self._faiss = None
            _save_bm25(tmp, self.bm25)
            self._bm25 = None
            _save_manifest(tmp, self.manifest)   # written last of the files: marks completeness
            _fsync_tree(tmp)
            loaded = Index._load_version(tmp, index_dir)
            self.vectors = loaded.vectors         # the same rows, memory-mapped: the RAM copy goes
            if check is not None:
                check(loaded)
            self._faiss, self._bm25 = loaded._faiss, loaded._bm25
            del loaded
            _rename(tmp, final)
            _swap_current(index_dir, name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            if _current_name(index_dir) != name:  # not live: a half-swapped version goes too
                shutil.rmtree(final, ignore_errors=True)
            raise
        self.path = final
        _remove_old_versions(index_dir, keep=KEEP_VERSIONS)
        return final

    @classmethod
    def load(cls, index_dir: Path) -> "Index":
        index_dir = Path(index_dir)
        pointer = index_dir / "CURRENT"
        if not pointer.exists():
            raise IndexError_(f"no index in {index_dir}: run `qa index` first")
        name = pointer.read_text(encoding="utf-8").strip()
        try:
            return cls._load_version(index_dir / "versions" / name, index_dir)
        except IndexError_:
            # CURRENT may have moved (and an old version gone) between reading it and opening
            # the folder: a reader then loads the new current version, not a false "damaged"
            now = pointer.read_text(encoding="utf-8").strip()
            if now == name:
                raise
            return cls._load_version(index_dir / "versions" / now, index_dir)

    @classmethod
    def _load_version(cls, path: Path, index_dir: Path) -> "Index":
        import bm25s

        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
            if manifest.get("settings", {}).get("format_version") != FORMAT_VERSION:
                raise IndexError_(f"index in {index_dir} has format version "
                                  f"{manifest.get('settings', {}).get('format_version')}, this program reads "
                                  f"{FORMAT_VERSION}: run `qa index` to rebuild it")
            docs = [Document.from_dict(d) for d in json.loads((path / "documents.json").read_text("utf-8"))]
            with open(path / "chunks.jsonl", encoding="utf-8") as f:
                chunks = [Chunk.from_dict(json.loads(line)) for line in f if line.strip()]
            fx, vectors = _load_vectors(path)
            bm = bm25s.BM25.load(str(path / "bm25"), mmap=True, show_progress=False)
        except IndexError_:
            raise
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
            raise IndexError_(f"index in {index_dir} is damaged ({e}): run `qa index` to rebuild it") from None
        if len(chunks) != len(vectors) or fx.ntotal != len(chunks):
            raise IndexError_(f"index in {index_dir} is inconsistent: run `qa index` to rebuild it")
        try:
            return cls(docs, chunks, vectors, manifest, path, fx, bm)
        except (KeyError, TypeError, AttributeError) as e:
            raise IndexError_(f"index in {index_dir} is inconsistent ({e}): run `qa index` to rebuild it") \
                from None


def _exact(vectors: np.ndarray, qvec: np.ndarray, ids: np.ndarray, n: int) -> dict[int, float]:
    scores = np.asarray(vectors[ids] @ qvec, dtype=np.float32)
    top = np.argpartition(-scores, n - 1)[:n] if n < len(ids) else np.arange(len(ids))
    top = top[np.argsort(-scores[top], kind="stable")]
    return {int(ids[i]): float(scores[i]) for i in top}


def _take_batch(todo: dict, texts: dict, size: int):
    """Up to `size` waiting texts, as ((keys, rows per key), texts), removed from the queue."""
    keys = list(todo)[:size]
    rows = [todo.pop(k) for k in keys]
    return (keys, rows), [texts.pop(k) for k in keys]


class _Rows:
    """A float32 (n, dim) array that grows by doubling: the vector count is known only
    once the corpus has streamed by."""

    def __init__(self, dim: int):
        self.dim, self.n = dim, 0
        self.data = np.zeros((1024, dim), dtype=np.float32)

    def grow(self, n: int) -> None:
        if n > len(self.data):
            bigger = np.zeros((max(n, 2 * len(self.data)), self.dim), dtype=np.float32)
            bigger[:self.n] = self.data[:self.n]
            self.data = bigger
        self.n = max(self.n, n)

    def __setitem__(self, row: int, vec) -> None:
        self.data[row] = vec

    def array(self) -> np.ndarray:
        out = self.data[:self.n]
        return out.copy() if self.n < len(self.data) // 2 else out


# --- the vector store -----------------------------------------------------------

def _search_breadth(factory: str, settings: Settings) -> dict:
    """What the manifest records of an approximate index's shape and default search breadth."""
    ivf = re.match(r"IVF(\d+)", factory)
    if ivf:
        return {"nlist": int(ivf.group(1)), "nprobe": settings.ivf_nprobe}
    if factory.startswith("HNSW"):
        return {"ef_construction": settings.hnsw_ef_construction, "ef_search": settings.hnsw_ef_search}
    return {}


def ivf_nlist(n_passages: int, settings: Settings) -> int:
    """IVF lists for a corpus of this size: `ivf_nlist_per_sqrt` × √n (FAISS's usual
    4–16 × √n), at least 1."""
    return max(1, round(settings.ivf_nlist_per_sqrt * n_passages ** 0.5))


def make_faiss(vectors: np.ndarray, factory: str = "Flat", ef_construction: int = 40,
               train_per_list: int = 50):
    """Inner-product FAISS index over normalised vectors (= cosine similarity).

    An IVF index is trained (k-means) on a fixed random sample of `train_per_list` vectors
    per list, not on all of them: k-means cost grows with the sample, and FAISS asks for
    only 39 or more per list."""
    import faiss

    dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 1
    index = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
    if hasattr(index, "hnsw"):
        index.hnsw.efConstruction = ef_construction
    if not index.is_trained and len(vectors):
        sample = vectors
        ivf = faiss.try_extract_index_ivf(index)
        if ivf is not None and len(vectors) > train_per_list * ivf.nlist:
            rows = np.random.default_rng(0).choice(len(vectors), train_per_list * ivf.nlist, replace=False)
            sample = vectors[np.sort(rows)]
        index.train(np.ascontiguousarray(sample))
    if len(vectors):
        for start in range(0, len(vectors), 65536):   # a memory-mapped source is read a slice at a time
            index.add(np.ascontiguousarray(vectors[start:start + 65536]))
    return index


def _flat_storage(index) -> np.ndarray | None:
    """A read-only (n, d) view of the vectors a Flat or HNSW-Flat index holds, or None
    for types that keep no plain copy (IVF, PQ, ...)."""
    import faiss

    index = faiss.downcast_index(index)
    flat = faiss.downcast_index(index.storage) if hasattr(index, "storage") else index
    if not isinstance(flat, faiss.IndexFlat) or flat.ntotal == 0:
        return None if not isinstance(flat, faiss.IndexFlat) else np.zeros((0, index.d), dtype=np.float32)
    view = faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d)
    view.flags.writeable = False
    return view


def _load_vectors(path: Path):
    """(faiss index, vectors), both memory-mapped: start-up reads only what queries touch."""
    import faiss

    fx = faiss.read_index(str(path / "faiss.index"), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)
    if (path / "vectors.npy").exists():
        # a plain ndarray over the map: np.memmap's own indexing costs ~35 µs a call
        return fx, np.load(path / "vectors.npy", mmap_mode="r").view(np.ndarray)
    vectors = _flat_storage(fx)
    if vectors is None:
        raise IndexError_(f"{path}: vectors.npy is missing")
    return fx, _Pinned(vectors, fx)


class _Pinned(np.ndarray):
    """A view of FAISS's memory that keeps the FAISS index (its owner) alive."""

    def __new__(cls, view: np.ndarray, owner):
        obj = view.view(cls)
        obj._owner = owner
        return obj

    def __array_finalize__(self, obj):
        self._owner = getattr(obj, "_owner", None)


# --- save steps: one function each, so a test can fail any one of them -----------

def _save_documents(tmp: Path, documents: list[Document]) -> None:
    _write_json(tmp / "documents.json", [d.to_dict() for d in documents])


def _save_chunks(tmp: Path, chunks: list[Chunk]) -> None:
    with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
        for c in chunks:
            f.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")


def _save_faiss(tmp: Path, fx) -> None:
    import faiss
    faiss.write_index(fx, str(tmp / "faiss.index"))


def _save_vectors(tmp: Path, index: Index) -> None:
    """vectors.npy, only for FAISS types that keep no plain copy of the vectors (IVF, PQ):
    Flat and HNSW indexes hold them, and Index.vectors is a view of that copy."""
    if _flat_storage(index.faiss) is None:
        np.save(tmp / "vectors.npy", np.ascontiguousarray(index.vectors))


def _save_bm25(tmp: Path, bm25) -> None:
    bm25.save(str(tmp / "bm25"), show_progress=False)


def _save_manifest(tmp: Path, manifest: dict) -> None:
    _write_json(tmp / "manifest.json", manifest)


def _rename(src: Path, dst: Path) -> None:
    os.rename(src, dst)
    _fsync_dir(dst.parent)


def _swap_current(index_dir: Path, name: str) -> None:
    pointer = index_dir / f".CURRENT.{uuid.uuid4().hex[:8]}"
    _write_pointer(pointer, name)
    _replace(pointer, index_dir / "CURRENT")
    _fsync_dir(index_dir)


def _write_pointer(pointer: Path, name: str) -> None:
    pointer.write_text(name + "\n", encoding="utf-8")
    _fsync(pointer)


def _replace(src: Path, dst: Path) -> None:
    os.replace(src, dst)


# --- progress --------------------------------------------------------------------

class Progress:
    """Files done, passages and vectors so far, with an ETA. On a terminal (bar=True) a tqdm
    bar that appears once the build has run a few seconds; otherwise one log line every
    `every` files, or every 30 s, from a few seconds on. Silent when log is a no-op."""

    DELAY = 3.0

    def __init__(self, total: int | None, every: int, log, bar: bool = False):
        self.total, self.every, self.log = total, max(1, every), log
        self.files = self.passages = self.vectors = 0
        self.t0 = self.last = time.monotonic()
        self.bar = None
        if bar:
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="file", desc="indexing", delay=self.DELAY, file=sys.stderr,
                            dynamic_ncols=True)

    def advance(self, files: int = 0, passages: int = 0) -> None:
        self.files += files
        self.passages += passages
        if self.bar is not None:
            self.bar.update(files)
            self.bar.set_postfix(passages=self.passages, embedded=self.vectors, refresh=False)
            return
        now = time.monotonic()
        if now - self.t0 >= self.DELAY and (self.files % self.every == 0 or now - self.last >= 30):
            self.last = now
            self.log(self.line(now))

    def embedded(self, n: int) -> None:
        self.vectors = n

    def line(self, now: float) -> str:
        spent = now - self.t0
        of = f"/{self.total}" if self.total else ""
        eta = ""
        if self.total and self.files:
            eta = f", about {_duration(spent / self.files * (self.total - self.files))} left"
        return (f"indexing: {self.files}{of} files, {self.passages} passages, {self.vectors} embedded, "
                f"{_duration(spent)}{eta}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif time.monotonic() - self.t0 >= self.DELAY and self.files % self.every:
            self.log(self.line(time.monotonic()))


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


# --- locking, building, loading ----------------------------------------------------

@contextmanager
def write_lock(index_dir: Path):
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexError_(f"another `qa index` is writing {index_dir}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def clean_interrupted(index_dir: Path) -> list[Path]:
    """Remove what a killed save left behind (`versions/.tmp-*`, `.CURRENT.*`). Call under the lock."""
    index_dir = Path(index_dir)
    left = sorted((index_dir / "versions").glob(".tmp-*")) + sorted(index_dir.glob(".CURRENT.*"))
    for p in left:
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    return left


def answers_a_query(settings: Settings, embedder):
    """The check `update_index` runs on a written version before CURRENT moves: the
    retriever the app and `qa ask` use must load it and answer a question."""
    from .embedding import Embedder
    query_encoder = embedder if isinstance(embedder, Embedder) else None   # else the model's own

    def check(index: Index) -> None:
        from .retrieval import Retriever
        if not index.chunks:
            raise IndexError_("the new index holds no passages")
        question = " ".join(index.chunks[0].text.split()[:12])
        try:
            Retriever(index.configure(settings), settings, query_encoder).search(question, k=1)
        except Exception as e:   # whatever breaks the query path must not go live
            raise IndexError_(f"the new index cannot answer a query ({type(e).__name__}: {e}); "
                              f"the previous index is kept") from e
    return check


def update_index(settings: Settings, embedder=None, progress: bool = False, log=lambda msg: None,
                 previous: Index | None = None, fingerprint: str | None = None, strict: bool = False,
                 encoder=None) -> tuple[Index, BuildStats]:
    """Bring the index in settings.index_dir up to date with settings.corpus_dir.

    Returns the (possibly unchanged) index. A file that cannot be read is logged with
    its path and reason and left out (`stats.skipped`); with strict=True it raises
    CorpusError instead and nothing on disk changes. `previous` and `fingerprint`
    spare a caller that already has them a second load and a second read of the corpus.
    `encoder` embeds the batches elsewhere (qa/distributed.py).
    """
    from .embedding import get_embedder

    corpus_dir, index_dir = Path(settings.corpus_dir), Path(settings.index_dir)
    fingerprint = fingerprint or corpus_fingerprint(corpus_dir)
    if previous is None:
        previous = _load_quietly(index_dir, log)
    if previous is not None:
        diffs = previous.differences(settings, corpus_dir, fingerprint)
        if not diffs:
            return previous, _up_to_date(previous)
        log("rebuilding index: " + "; ".join(diffs))
    files = corpus_files(corpus_dir)       # a missing or empty folder fails here
    unsupported = unsupported_files(corpus_dir)
    if unsupported:
        names = ", ".join(str(p.relative_to(corpus_dir)) for p in unsupported[:5]) + \
            (" …" if len(unsupported) > 5 else "")
        log(f"ignoring {len(unsupported)} file(s) of unsupported types in {corpus_dir}: {names}")
    embedder = embedder or get_embedder(settings.model, settings.torch_threads)
    with write_lock(index_dir):
        for p in clean_interrupted(index_dir):
            log(f"removed {p.name}, left by an interrupted build")
        if previous is not None and previous.path is not None and _current_name(index_dir) not in (
                None, previous.path.name):
            previous = _load_quietly(index_dir, log)     # another build finished while we waited
            if previous is not None and not previous.differences(settings, corpus_dir, fingerprint):
                return previous, _up_to_date(previous)
        skipped: list[str] = []

        def skip(error: CorpusError) -> None:
            if strict:
                raise error
            skipped.append(str(error))
            log(f"skipping {error}")

        docs = iter_corpus(corpus_dir, on_error=skip, log=log)
        cache = EmbedCache.in_index(index_dir, settings.model, embedder.dimension)
        try:
            index, stats = Index.build(docs, settings, embedder, previous, fingerprint, corpus_dir, progress,
                                       cache=cache, encoder=encoder, log=log, total_files=len(files),
                                       skipped=skipped)
            if not index.documents:
                raise CorpusError(f"{corpus_dir}: none of its {len(files)} statement files could be read")
            answers, checked = answers_a_query(settings, embedder), []

            def check(loaded: Index) -> None:
                answers(loaded)
                checked.append(loaded)
            path = index.save(index_dir, check=check)
            kept = {text_key(c.embed_text) for c in index.chunks}
            del index                                     # the build's copy in RAM goes
            if len(cache) > 2 * len(kept) + 10_000:       # bound the cache to about twice the index
                cache.prune(kept)
        finally:
            cache.close()
    # serve the version as written and checked (memory-mapped), not the build's copy, and
    # without loading it a third time (its folder was renamed, not rewritten)
    served = checked[0]
    served.path = path
    return served.configure(settings), stats


def _up_to_date(index: Index) -> BuildStats:
    return BuildStats(len(index.documents), len(index.chunks), 0, len(index.chunks), 0.0, up_to_date=True,
                      skipped=list(index.manifest.get("skipped", [])))


def _current_name(index_dir: Path) -> str | None:
    try:
        return (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _load_quietly(index_dir: Path, log) -> Index | None:
    try:
        return Index.load(index_dir)
    except IndexError_ as e:
        if (index_dir / "CURRENT").exists():
            log(f"ignoring existing index: {e}")
        return None


def load_current(settings: Settings, rebuild: bool = True, log=lambda msg: None) -> Index:
    """The index for settings, rebuilt first if stale (or a clear error if rebuild=False)."""
    index_dir = Path(settings.index_dir)
    try:
        index = Index.load(index_dir).configure(settings)
    except IndexError_:
        if not rebuild:
            raise
        return update_index(settings, log=log)[0]
    corpus_dir = Path(settings.corpus_dir)
    if not corpus_dir.is_dir():
        log(f"corpus {corpus_dir} not found: serving the index as built")
        corpus_dir = None
    fingerprint = corpus_fingerprint(corpus_dir) if corpus_dir else None
    diffs = index.differences(settings, corpus_dir, fingerprint)
    if diffs:
        if not rebuild or corpus_dir is None:
            raise IndexError_(f"index in {index_dir} is stale ({'; '.join(diffs)}): run `qa index`")
        return update_index(settings, log=log, previous=index, fingerprint=fingerprint)[0]
    return index


# --- small file helpers ------------------------------------------------------

def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for p in sorted(root.rglob("*")):
        if p.is_file():
            _fsync(p)
    for p in [root, *[d for d in root.rglob("*") if d.is_dir()]]:
        _fsync_dir(p)


def _remove_old_versions(index_dir: Path, keep: int) -> None:
    """Keep the newest `keep` versions (the live one and the one before it): a reader that
    read CURRENT just before the swap can still open the version it named."""
    live = _current_name(index_dir)
    done = sorted((p for p in (index_dir / "versions").iterdir() if not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime_ns, reverse=True)
    kept = [p for p in done if p.name == live] + [p for p in done if p.name != live][:keep - 1]
    for p in done:
        if p not in kept:
            shutil.rmtree(p, ignore_errors=True)
