"""Building at scale: streaming with progress, skipped files, the embedding cache and
resuming a killed build, failures at every save step, readers during a swap, and the
vector store chosen by size."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from qa import index as index_mod
from qa.cli import main
from qa.embed_cache import CACHE_FILE, text_key
from qa.index import Index, IndexError_, update_index
from qa.retrieval import Retriever
from qa.settings import ROOT

from test_index import NEW_STATEMENT, CountingEmbedder

QUESTION = "Which observers did Russia say found the Kazakh vote fair?"


def statement(i: int) -> str:
    """A short statement whose paragraphs no other statement shares."""
    return NEW_STATEMENT.replace("99/23", f"{100 + i}/23").replace(
        "on the local elections.", f"on the local elections in district number {i}.\n\n"
        f"We note that turnout in district {i} rose, and that {i} complaints were filed and answered.")


def answer(index, settings):
    hits = Retriever(index, settings).search(QUESTION, k=5).hits
    return [(h.chunk.id, round(h.score, 6)) for h in hits]


# --- streaming, progress, skipped files ----------------------------------------------

def test_progress_lines_and_eta_without_a_terminal(settings, corpus, monkeypatch):
    for i in range(6):
        (corpus / f"extra-{i}.txt").write_text(statement(i), encoding="utf-8")
    monkeypatch.setattr(index_mod.Progress, "DELAY", 0.0)
    said = []
    _, stats = update_index(settings.with_(progress_every=4), log=said.append)
    lines = [m for m in said if m.startswith("indexing: ")]
    assert lines[0].startswith("indexing: 4/11 files, ") and "left" in lines[0]
    assert lines[-1].startswith("indexing: 11/11 files, ")
    assert f"{stats.chunks} passages" in lines[-1] and f"{stats.embedded} embedded" in lines[-1]


def test_qa_index_reports_skipped_files_and_strict_fails(settings, corpus, capsys):
    args = ["index", "--corpus", str(corpus), "--index", str(settings.index_dir)]
    assert main(args) == 0
    before = (settings.index_dir / "CURRENT").read_text()
    (corpus / "broken.txt").write_bytes(b"\x00\xff\xfe not text")
    (corpus / "empty.txt").write_text("\n\n", encoding="utf-8")
    capsys.readouterr()

    assert main(args + ["--strict"]) == 1
    err = capsys.readouterr().err
    last = err.splitlines()[-1]
    assert last.startswith("qa: error: ") and last.endswith("broken.txt: not UTF-8 text (byte 0xff at offset 1)")
    assert (settings.index_dir / "CURRENT").read_text() == before

    assert main(args) == 0
    out, err = capsys.readouterr()
    assert f"skipping {corpus / 'broken.txt'}: not UTF-8" in err
    assert f"skipping {corpus / 'empty.txt'}: no body paragraphs found" in err
    assert err.splitlines()[-1] == "indexed 5 statements, skipped 2 files: see above"
    assert out.startswith("Indexed 5 statements")
    # an up-to-date run says again what the build left out
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Index up to date") and "skipped when the index was built" in err
    assert err.splitlines()[-1] == "indexed 5 statements, skipped 2 files: see above"


def test_every_file_unreadable_is_an_error_not_an_empty_index(settings, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.txt").write_bytes(b"\xff\xfe")
    with pytest.raises(Exception, match=r"none of its 1 statement files could be read"):
        update_index(settings.with_(corpus_dir=bad))
    assert not (settings.index_dir / "CURRENT").exists()


# --- the embedding cache and resuming ------------------------------------------------

def test_the_cache_keeps_vectors_a_lost_index_would_need_again(settings):
    emb = CountingEmbedder()
    first, stats = update_index(settings, embedder=emb)
    assert stats.embedded == emb.embedded > 0
    shutil.rmtree(settings.index_dir / "versions")
    (settings.index_dir / "CURRENT").unlink()
    again, stats2 = update_index(settings, embedder=emb)
    assert stats2.embedded == 0 and stats2.reused == stats2.chunks and emb.embedded == stats.embedded
    np.testing.assert_array_equal(np.asarray(again.vectors), np.asarray(first.vectors))


def cached_keys(index_dir):
    with sqlite3.connect(index_dir / CACHE_FILE) as db:
        return {k for (k,) in db.execute("SELECT key FROM vectors")}


def test_a_killed_build_keeps_its_vectors_and_the_next_embeds_only_the_rest(settings, corpus):
    update_index(settings)
    old = Index.load(settings.index_dir)
    old_answer, old_keys = answer(old, settings), cached_keys(settings.index_dir)
    for i in range(40):
        (corpus / f"extra-{i}.txt").write_text(statement(i), encoding="utf-8")
    env = {**os.environ, "QA_CORPUS_DIR": str(corpus), "QA_INDEX_DIR": str(settings.index_dir),
           "QA_EMBED_BATCH": "4", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "qa", "index"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if len(cached_keys(settings.index_dir) - old_keys) >= 8:   # two batches committed
                break
        except sqlite3.Error:
            pass
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the build finished before it could be killed"

    # the old index still loads and answers the same
    assert answer(Index.load(settings.index_dir), settings) == old_answer
    done_before_kill = cached_keys(settings.index_dir) - old_keys
    emb = CountingEmbedder()
    index, stats = update_index(settings, embedder=emb)
    new_keys = {text_key(c.embed_text) for c in index.chunks} - old_keys
    assert len(index.documents) == 45 and 8 <= len(done_before_kill) < len(new_keys)
    assert stats.embedded == emb.embedded == len(new_keys - done_before_kill)


# --- failures at every save step --------------------------------------------------------

SAVE_STEPS = ["_save_documents", "_save_chunks", "_save_faiss", "_save_vectors", "_save_bm25",
              "_save_manifest", "_fsync_tree", "_rename", "_write_pointer", "_replace"]


def test_a_failure_at_any_save_step_leaves_the_previous_index_answering(settings, corpus, monkeypatch):
    update_index(settings)
    before = (settings.index_dir / "CURRENT").read_text()
    old_answer = answer(Index.load(settings.index_dir), settings)
    (corpus / "no-2023.txt").write_text(NEW_STATEMENT, encoding="utf-8")

    def injected(step):
        def fail(*a, **k):
            raise OSError(f"injected failure in {step}")
        return fail

    for step in SAVE_STEPS + ["query check"]:
        with monkeypatch.context() as m:
            if step == "query check":     # the written version cannot answer: never swapped in
                m.setattr(Retriever, "search", injected(step))
                expected = IndexError_
            else:
                m.setattr(index_mod, step, injected(step))
                expected = OSError
            with pytest.raises(expected, match=f"injected failure in {step}"):
                update_index(settings)
        assert (settings.index_dir / "CURRENT").read_text() == before, step
        index = Index.load(settings.index_dir)
        assert "PC.DEL/99/23" not in index.by_id and answer(index, settings) == old_answer, step
        assert not list((settings.index_dir / "versions").glob(".tmp-*")), step

    (settings.index_dir / "versions" / ".tmp-interrupted").mkdir()      # as a SIGKILL leaves them
    (settings.index_dir / ".CURRENT.abc123").write_text("x")
    said = []
    index, _ = update_index(settings, log=said.append)
    assert "PC.DEL/99/23" in index.by_id
    assert "removed .tmp-interrupted, left by an interrupted build" in said
    assert not list(settings.index_dir.glob(".CURRENT.*"))


def test_readers_never_see_a_damaged_index_while_versions_swap(settings, corpus):
    update_index(settings)
    errors, loads, stop = [], [0], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                Index.load(settings.index_dir)
                loads[0] += 1
            except IndexError_ as e:
                errors.append(str(e))

    t = threading.Thread(target=reader)
    t.start()
    try:
        for i in range(3):
            (corpus / f"extra-{i}.txt").write_text(statement(i), encoding="utf-8")
            update_index(settings)
    finally:
        stop.set()
        t.join()
    assert errors == [] and loads[0] > 3
    assert len(list((settings.index_dir / "versions").iterdir())) == 2   # the live one and the one before


# --- the vector store -----------------------------------------------------------------

def test_exact_index_for_a_small_corpus_stores_vectors_once_memory_mapped(settings):
    index, stats = update_index(settings)
    assert index.manifest["faiss"] == {"factory": "Flat", "chosen_by": "size"}
    files = sorted(p.name for p in index.path.iterdir())
    assert "faiss.index" in files and "vectors.npy" not in files
    assert not index.vectors.flags.writeable          # a view of FAISS's memory-mapped copy
    norms = np.linalg.norm(np.asarray(index.vectors), axis=1)
    assert index.vectors.shape == (stats.chunks, 384) and np.allclose(norms, 1, atol=1e-5)


@pytest.mark.parametrize("ann, kind, vectors_file", [("IVF{nlist},Flat", "IndexIVFFlat", True),
                                                     ("HNSW32", "IndexHNSWFlat", False)])
def test_a_large_corpus_gets_an_approximate_index_and_filters_still_return_k(settings, ann, kind, vectors_file):
    small = update_index(settings)[0]
    # nprobe 1: an IVF search sees one list of several, so a filtered search can come back short
    s = settings.with_(flat_max_passages=10, ann_factory=ann, ivf_nprobe=1,
                       index_dir=settings.index_dir.parent / "ann")
    index, _ = update_index(s)
    n = len(small.chunks)
    nlist = round(s.ivf_nlist_per_sqrt * n ** 0.5)
    want = {"factory": f"IVF{nlist},Flat", "chosen_by": "size", "nlist": nlist, "nprobe": 1} \
        if ann.startswith("IVF") else {"factory": "HNSW32", "chosen_by": "size", "ef_construction": 40,
                                       "ef_search": s.hnsw_ef_search}
    assert index.manifest["faiss"] == want
    assert type(index.faiss).__name__ == kind
    # vectors stored once: FAISS's own copy for HNSW, vectors.npy (memory-mapped) for IVF
    assert (index.path / "vectors.npy").exists() == vectors_file
    assert not index.vectors.flags.writeable
    np.testing.assert_array_equal(np.asarray(index.vectors), np.asarray(small.vectors))
    q = np.asarray(small.vectors[3])
    # one statement's chunks only: as many hits as it has chunks (up to k), best first, exact scores
    doc = int(index.chunk_doc[3])
    allowed = np.flatnonzero(index.chunk_doc == doc)
    for k in (1, 5, len(allowed) + 5):
        got = index.search(q, k, allowed)
        assert len(got) == min(k, len(allowed)) and set(got) <= set(allowed.tolist())
        assert next(iter(got)) == 3
        np.testing.assert_allclose(list(got.values()),
                                   sorted((np.asarray(small.vectors[allowed]) @ q).tolist(), reverse=True)[:k],
                                   atol=1e-5)
    hits = Retriever(index, s).search(QUESTION, k=3, method="dense").hits
    assert hits[0].doc.id == "PC.DEL/64/21"


def test_a_wide_filter_on_ivf_still_returns_k_when_k_exist():
    """A filter too wide to score exactly at once goes through FAISS's IDSelector; when the
    lists probed hold fewer than k allowed passages, the search is redone exactly."""
    from qa.chunking import Chunk
    from qa.documents import Document

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((6000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    docs = [Document(id=f"D/{d}", source=f"d{d}.txt", paragraphs=["x"] * 100) for d in range(60)]
    chunks = [Chunk(f"D/{i // 100}", [i % 100 + 1], "x", "x") for i in range(6000)]
    index = Index(docs, chunks, vectors, {"faiss": {"factory": "IVF64,Flat"}, "settings": {}})
    index.nprobe = 1
    allowed = np.flatnonzero(index.chunk_doc % 2 == 0)        # 3,000 passages: over the exact shortcut
    q = vectors[10]
    k = 2500
    got = index.search(q, k, allowed)
    assert len(got) == k and set(got) <= set(allowed.tolist())
    exact = np.argsort(-(vectors[allowed] @ q), kind="stable")[:k]
    assert list(got) == allowed[exact].tolist()
    # unfiltered, nprobe 1 really is approximate here: it finds fewer than k
    assert len(index.search(q, k)) < k


def test_an_exact_index_is_not_rebuilt_when_only_the_approximate_settings_change(settings):
    index = update_index(settings)[0]
    assert index.factory == "Flat"
    again, stats = update_index(settings.with_(ann_factory="HNSW32", ivf_nprobe=8, ivf_nlist_per_sqrt=8))
    assert stats.up_to_date and again.path == index.path
    # ... but one that crosses the threshold is
    bigger, stats = update_index(settings.with_(flat_max_passages=10))
    assert not stats.up_to_date and bigger.factory.startswith("IVF")
