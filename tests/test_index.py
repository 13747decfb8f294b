"""Index: round trip, staleness, vector reuse, atomic writes, another FAISS type."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from qa.documents import CorpusError
from qa.embedding import get_embedder
from qa.index import Index, IndexError_, load_current, update_index
from qa.retrieval import Retriever


class CountingEmbedder:
    """The real model, counting what it is asked to embed."""

    def __init__(self):
        self.inner = get_embedder()
        self.embedded = 0
        self.dimension, self.max_seq_length = self.inner.dimension, self.inner.max_seq_length

    def fits(self, text):
        return self.inner.fits(text)

    def encode(self, texts, **kw):
        self.embedded += len(texts)
        return self.inner.encode(texts, **kw)


NEW_STATEMENT = """PC.DEL/99/23
1 March 2023

Delegation of Norway

Mr. Chairperson,

Norway commends the observation mission for its thorough and impartial work on the local elections.

Thank you.
"""


def test_round_trip_and_reuse(settings, corpus):
    emb = CountingEmbedder()
    built, stats = update_index(settings, embedder=emb)
    assert stats.embedded == stats.chunks == emb.embedded > 0
    loaded = Index.load(settings.index_dir)
    assert [d.to_dict() for d in loaded.documents] == [d.to_dict() for d in built.documents]
    assert [c.to_dict() for c in loaded.chunks] == [c.to_dict() for c in built.chunks]
    np.testing.assert_array_equal(loaded.vectors, built.vectors)
    manifest = json.loads((loaded.path / "manifest.json").read_text())
    assert manifest["model"] == {"name": "all-MiniLM-L6-v2", "dimension": 384, "max_seq_length": 256}
    assert manifest["settings"]["chunk_tokens"] == settings.chunk_tokens and manifest["corpus"]["fingerprint"]

    # unchanged corpus: nothing embedded
    _, again = update_index(settings, embedder=emb)
    assert again.up_to_date and again.embedded == 0 and emb.embedded == stats.chunks

    # one new statement: only its chunks are embedded
    (corpus / "no-2023.txt").write_text(NEW_STATEMENT, encoding="utf-8")
    index, third = update_index(settings, embedder=emb)
    new_chunks = [c for c in index.chunks if c.doc_id == "PC.DEL/99/23"]
    assert third.embedded == len(new_chunks) == 1 and third.reused == stats.chunks
    assert Retriever(index, settings).search("Who praised the impartial monitoring of local polls?", k=1) \
        .hits[0].doc.id == "PC.DEL/99/23"


def test_stale_index_is_detected(settings, corpus):
    update_index(settings)
    index = Index.load(settings.index_dir)
    assert index.differences(settings, corpus) == []
    diffs = index.differences(settings.with_(chunk_tokens=120, model="/models/other"), corpus)
    assert any("chunk_tokens: index has 200, settings say 120" in d for d in diffs)
    assert any("model" in d for d in diffs)
    assert any("bm25_b: index has 0.4, settings say 0.75" in d for d in index.differences(settings.with_(bm25_b=0.75),
                                                                                          corpus))
    (corpus / "no-2023.txt").write_text(NEW_STATEMENT, encoding="utf-8")
    assert any("has changed" in d for d in index.differences(settings, corpus))
    with pytest.raises(IndexError_, match="stale"):
        load_current(settings, rebuild=False)
    assert "PC.DEL/99/23" in load_current(settings).by_id   # rebuilt on load


def test_index_built_from_another_corpus_is_detected(settings, corpus, tmp_path):
    update_index(settings)
    other = tmp_path / "other"
    other.mkdir()
    (other / "no-2023.txt").write_text(NEW_STATEMENT, encoding="utf-8")
    elsewhere = settings.with_(corpus_dir=other)
    with pytest.raises(IndexError_, match=rf"index was built from corpus {corpus}, not {other}"):
        load_current(elsewhere, rebuild=False)
    assert [d.id for d in load_current(elsewhere).documents] == ["PC.DEL/99/23"]


def test_bad_file_is_skipped_or_fatal_with_strict(settings, corpus):
    update_index(settings)
    before = (settings.index_dir / "CURRENT").read_text()
    (corpus / "broken.txt").write_bytes(b"\x00\xff\xfe not text")
    with pytest.raises(CorpusError, match=r"broken\.txt: not UTF-8"):
        update_index(settings, strict=True)
    assert (settings.index_dir / "CURRENT").read_text() == before
    assert len(Index.load(settings.index_dir).documents) == 5
    (corpus / "no-2023.txt").write_text(NEW_STATEMENT, encoding="utf-8")
    said = []
    index, stats = update_index(settings, log=said.append)
    assert len(stats.skipped) == 1 and "broken.txt: not UTF-8" in stats.skipped[0]
    assert any(m.startswith("skipping ") and "broken.txt: not UTF-8" in m for m in said)
    assert "PC.DEL/99/23" in index.by_id and len(index.documents) == 6


def test_failure_while_writing_leaves_previous_index(settings, corpus, monkeypatch):
    update_index(settings)
    (corpus / "no-2023.txt").write_text(NEW_STATEMENT, encoding="utf-8")

    def crash(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr("qa.index._write_json", crash)
    with pytest.raises(OSError):
        update_index(settings)
    monkeypatch.undo()
    index = Index.load(settings.index_dir)
    assert "PC.DEL/99/23" not in index.by_id and len(index.documents) == 5
    assert not [p for p in (settings.index_dir / "versions").iterdir() if p.name.startswith(".tmp")]


def test_killing_qa_index_leaves_a_loadable_index(settings, corpus):
    update_index(settings)
    for i in range(20):
        (corpus / f"extra-{i}.txt").write_text(NEW_STATEMENT.replace("99/23", f"{100 + i}/23"), encoding="utf-8")
    env = {**os.environ, "QA_CORPUS_DIR": str(corpus), "QA_INDEX_DIR": str(settings.index_dir)}
    for delay in (3.0, 6.0):
        proc = subprocess.Popen([sys.executable, "-m", "qa", "index"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        index = Index.load(settings.index_dir)   # old or new, never broken
        assert len(index.documents) in (5, 25)
    # and the next run finishes the job, leaving no half-written version behind
    assert len(update_index(settings)[0].documents) == 25
    names = [p.name for p in (settings.index_dir / "versions").iterdir()]
    assert (settings.index_dir / "CURRENT").read_text().strip() in names and len(names) <= 2
    assert not [n for n in names if n.startswith(".tmp")]


def test_another_faiss_index_type(settings):
    s = settings.with_(faiss_factory="HNSW32")
    index, _ = update_index(s)
    assert type(Index.load(s.index_dir).faiss).__name__ == "IndexHNSWFlat"
    hits = Retriever(index, s).search("Which observers did Russia say found the Kazakh vote fair?", k=3,
                                      method="dense").hits
    assert hits[0].doc.id == "PC.DEL/64/21"


def test_missing_index_message(tmp_path):
    with pytest.raises(IndexError_, match="no index in .*: run `qa index` first"):
        Index.load(tmp_path / "nothing")
