"""The built index: documents, chunks, their vectors (FAISS) and BM25, on disk.

Layout of an index folder:

    index/
      CURRENT              name of the live version (replaced atomically)
      .lock                held while a build writes
      versions/<name>/     manifest.json, documents.json, chunks.jsonl,
                           vectors.npy, faiss.index, bm25/

A build writes a whole new version folder, syncs it, then swaps CURRENT with
os.replace. Killing `qa index` at any moment leaves the previous CURRENT, and
so the previous index, loadable. Vectors are reused by the hash of the text
the model embeds, so re-indexing an unchanged corpus embeds nothing and adding
one statement embeds only its chunks.

The vector store is any FAISS index made by `faiss.index_factory` (setting
`faiss_factory`): "Flat" is exact; "HNSW32" or "IVF1024,Flat" suit large corpora.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .chunking import Chunk, chunk_documents
from .documents import PARSER_VERSION, Document, corpus_inputs, load_corpus, unsupported_files
from .settings import Settings

FORMAT_VERSION = 1


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
        "faiss_factory": settings.faiss_factory,
    }


@dataclass
class BuildStats:
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0
    up_to_date: bool = False


@dataclass
class Index:
    documents: list[Document]
    chunks: list[Chunk]
    vectors: np.ndarray                       # (n_chunks, dim) float32, L2-normalised
    manifest: dict
    path: Path | None = None
    _faiss: object = field(default=None, repr=False)
    _bm25: object = field(default=None, repr=False)
    _doc_texts: list[str] | None = field(default=None, repr=False)

    def __post_init__(self):
        self.by_id = {d.id: d for d in self.documents}
        # any id, alias or file name, case-insensitively -> the document
        self.by_name = {a.casefold(): d for d in self.documents for a in d.aliases}
        self.by_name.update({d.id.casefold(): d for d in self.documents})
        order = {d.id: i for i, d in enumerate(self.documents)}
        self.chunk_doc = np.array([order[c.doc_id] for c in self.chunks], dtype=np.int64)

    # --- components ---------------------------------------------------------
    @property
    def faiss(self):
        if self._faiss is None:
            self._faiss = make_faiss(self.vectors, self.manifest["settings"]["faiss_factory"])
        return self._faiss

    @property
    def bm25(self):
        if self._bm25 is None:
            from .retrieval import build_bm25
            self._bm25 = build_bm25(self.chunks)
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

    # --- staleness ----------------------------------------------------------
    def differences(self, settings: Settings, corpus_dir: Path | None = None,
                    fingerprint: str | None = None) -> list[str]:
        """What differs between this index and what `settings` (and the corpus) would build."""
        want, have = build_settings(settings), self.manifest.get("settings", {})
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
    def build(cls, docs: list[Document], settings: Settings, embedder, previous: "Index | None" = None,
              fingerprint: str = "", corpus_dir: Path | None = None,
              progress: bool = False) -> tuple["Index", BuildStats]:
        t0 = time.perf_counter()
        chunks = chunk_documents(docs, max_tokens=settings.chunk_tokens, min_tokens=settings.min_chunk_tokens,
                                 model_fits=embedder.fits, with_context=settings.embed_context)
        reuse: dict[str, np.ndarray] = {}
        if previous is not None and previous.manifest["settings"].get("model") == settings.model:
            reuse = {c.content_hash: previous.vectors[i] for i, c in enumerate(previous.chunks)}
        todo = [i for i, c in enumerate(chunks) if c.content_hash not in reuse]
        vectors = np.zeros((len(chunks), embedder.dimension), dtype=np.float32)
        for i, c in enumerate(chunks):
            if c.content_hash in reuse:
                vectors[i] = reuse[c.content_hash]
        if todo:
            vectors[todo] = embedder.encode([chunks[i].embed_text for i in todo],
                                            batch_size=settings.batch_size, progress=progress)
        manifest = {
            "settings": build_settings(settings),
            "model": {"name": settings.model, "dimension": embedder.dimension,
                      "max_seq_length": embedder.max_seq_length},
            "corpus": {"dir": str(corpus_dir) if corpus_dir else None, "fingerprint": fingerprint},
            "counts": {"documents": len(docs), "chunks": len(chunks)},
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        stats = BuildStats(len(docs), len(chunks), len(todo), len(chunks) - len(todo),
                           time.perf_counter() - t0)
        return cls(docs, chunks, vectors, manifest), stats

    def save(self, index_dir: Path) -> Path:
        """Write a new version folder, then atomically make it current."""
        import faiss

        index_dir = Path(index_dir)
        versions = index_dir / "versions"
        versions.mkdir(parents=True, exist_ok=True)
        tmp = versions / f".tmp-{uuid.uuid4().hex[:12]}"
        tmp.mkdir()
        try:
            _write_json(tmp / "documents.json", [d.to_dict() for d in self.documents])
            with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
                for c in self.chunks:
                    f.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
            np.save(tmp / "vectors.npy", self.vectors)
            faiss.write_index(self.faiss, str(tmp / "faiss.index"))
            self.bm25.save(str(tmp / "bm25"), show_progress=False)
            _write_json(tmp / "manifest.json", self.manifest)   # written last: marks completeness
            _fsync_tree(tmp)
            name = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
            final = versions / name
            os.rename(tmp, final)
            pointer = index_dir / f".CURRENT.{uuid.uuid4().hex[:8]}"
            pointer.write_text(name + "\n", encoding="utf-8")
            _fsync(pointer)
            os.replace(pointer, index_dir / "CURRENT")
            _fsync_dir(index_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.path = final
        _remove_old_versions(index_dir, keep=name)
        return final

    @classmethod
    def load(cls, index_dir: Path) -> "Index":
        import bm25s
        import faiss

        index_dir = Path(index_dir)
        pointer = index_dir / "CURRENT"
        if not pointer.exists():
            raise IndexError_(f"no index in {index_dir}: run `qa index` first")
        path = index_dir / "versions" / pointer.read_text(encoding="utf-8").strip()
        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
            if manifest.get("settings", {}).get("format_version") != FORMAT_VERSION:
                raise IndexError_(f"index in {index_dir} has format version "
                                  f"{manifest.get('settings', {}).get('format_version')}, this program reads "
                                  f"{FORMAT_VERSION}: run `qa index` to rebuild it")
            docs = [Document.from_dict(d) for d in json.loads((path / "documents.json").read_text("utf-8"))]
            with open(path / "chunks.jsonl", encoding="utf-8") as f:
                chunks = [Chunk.from_dict(json.loads(line)) for line in f if line.strip()]
            vectors = np.load(path / "vectors.npy")
            fx = faiss.read_index(str(path / "faiss.index"))
            bm = bm25s.BM25.load(str(path / "bm25"))
        except IndexError_:
            raise
        except (OSError, ValueError, KeyError, RuntimeError) as e:
            raise IndexError_(f"index in {index_dir} is damaged ({e}): run `qa index` to rebuild it") from None
        if len(chunks) != len(vectors) or fx.ntotal != len(chunks):
            raise IndexError_(f"index in {index_dir} is inconsistent: run `qa index` to rebuild it")
        return cls(docs, chunks, vectors, manifest, path, fx, bm)


def make_faiss(vectors: np.ndarray, factory: str = "Flat"):
    """Inner-product FAISS index over normalised vectors (= cosine similarity)."""
    import faiss

    dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 1
    index = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
    if not index.is_trained and len(vectors):
        index.train(vectors)
    if len(vectors):
        index.add(vectors)
    return index


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


def update_index(settings: Settings, embedder=None, progress: bool = False, log=lambda msg: None,
                 previous: Index | None = None, fingerprint: str | None = None) -> tuple[Index, BuildStats]:
    """Bring the index in settings.index_dir up to date with settings.corpus_dir.

    Returns the (possibly unchanged) index. Raises CorpusError for a bad file,
    before anything on disk is touched. `previous` and `fingerprint` spare a
    caller that already has them a second load and a second read of the corpus.
    """
    from .embedding import get_embedder

    corpus_dir, index_dir = Path(settings.corpus_dir), Path(settings.index_dir)
    fingerprint = fingerprint or corpus_fingerprint(corpus_dir)
    if previous is None:
        try:
            previous = Index.load(index_dir)
        except IndexError_ as e:
            if (index_dir / "CURRENT").exists():
                log(f"ignoring existing index: {e}")
    if previous is not None:
        diffs = previous.differences(settings, corpus_dir, fingerprint)
        if not diffs:
            return previous, BuildStats(len(previous.documents), len(previous.chunks), 0,
                                        len(previous.chunks), 0.0, up_to_date=True)
        log("rebuilding index: " + "; ".join(diffs))
    docs = load_corpus(corpus_dir, log)
    skipped = unsupported_files(corpus_dir)
    if skipped:
        names = ", ".join(str(p.relative_to(corpus_dir)) for p in skipped[:5]) + (" …" if len(skipped) > 5 else "")
        log(f"ignoring {len(skipped)} file(s) of unsupported types in {corpus_dir}: {names} "
            f"(statements are .txt, .md or .pdf)")
    embedder = embedder or get_embedder(settings.model)
    with write_lock(index_dir):
        index, stats = Index.build(docs, settings, embedder, previous, fingerprint, corpus_dir, progress)
        index.save(index_dir)
    return index, stats


def load_current(settings: Settings, rebuild: bool = True, log=lambda msg: None) -> Index:
    """The index for settings, rebuilt first if stale (or a clear error if rebuild=False)."""
    index_dir = Path(settings.index_dir)
    try:
        index = Index.load(index_dir)
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


def _remove_old_versions(index_dir: Path, keep: str) -> None:
    for p in (index_dir / "versions").iterdir():
        if p.name != keep:
            shutil.rmtree(p, ignore_errors=True)
    for p in index_dir.glob(".CURRENT.*"):
        p.unlink(missing_ok=True)
