"""Kill `qa index` at random moments of a longer build, N times, and check each time
that the previous index still loads and answers the same question identically, and
that the next build embeds only what the killed ones left undone.

    python scripts/kill_build.py [--kills 10] [--statements 60] [--seed 0]

Copies the seed corpus to a temporary folder, indexes it, adds --statements new
statements, then repeatedly starts `python -m qa index` (small embedding batches so
a kill often lands mid-embedding) and SIGKILLs it after a random delay. Exits 1 on
the first violation.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.chunking import chunk_document  # noqa: E402
from qa.documents import iter_corpus  # noqa: E402
from qa.embed_cache import CACHE_FILE, text_key  # noqa: E402
from qa.embedding import get_embedder  # noqa: E402
from qa.index import Index, update_index  # noqa: E402
from qa.retrieval import Retriever  # noqa: E402
from qa.settings import Settings  # noqa: E402

QUESTION = "Which observers did Russia say found the Kazakh vote fair?"
STATEMENT = """PC.DEL/{n}/23
1 March 2023

Delegation of Norway

Mr. Chairperson,

Norway commends the observation mission for its work in district number {i}.

We note that turnout in district {i} rose, and that {i} complaints were filed and answered.

Thank you.
"""


def answer(index, settings):
    return [(h.chunk.id, round(h.score, 6)) for h in Retriever(index, settings).search(QUESTION, k=5).hits]


def cached(index_dir: Path) -> set[bytes]:
    try:
        with sqlite3.connect(index_dir / CACHE_FILE) as db:
            return {k for (k,) in db.execute("SELECT key FROM vectors")}
    except sqlite3.Error:
        return set()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--kills", type=int, default=10)
    p.add_argument("--statements", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    rng = random.Random(a.seed)
    tmp = Path(tempfile.mkdtemp(prefix="kill-build-"))
    try:
        corpus, index_dir = tmp / "corpus", tmp / "index"
        shutil.copytree(ROOT / "corpus", corpus)
        settings = Settings.from_env(corpus_dir=corpus, index_dir=index_dir)
        update_index(settings)
        expected = answer(Index.load(index_dir), settings)
        for i in range(a.statements):
            (corpus / f"extra-{i}.txt").write_text(STATEMENT.format(n=200 + i, i=i), encoding="utf-8")
        env = {**os.environ, "QA_CORPUS_DIR": str(corpus), "QA_INDEX_DIR": str(index_dir),
               "QA_EMBED_BATCH": "4", "PYTHONPATH": str(ROOT)}
        emb = get_embedder(settings.model)
        wanted = {text_key(c.embed_text) for d in iter_corpus(corpus) for c in chunk_document(
            d, max_tokens=settings.chunk_tokens, min_tokens=settings.min_chunk_tokens, model_fits=emb.fits,
            with_context=settings.embed_context)}
        killed_mid_embedding = 0
        for n in range(a.kills):
            before = len(cached(index_dir))
            remaining = len(wanted - cached(index_dir))
            # a random point of the build: after a random share of what is left to embed is
            # cached (0 = while starting up), plus a random delay that, once nothing is left,
            # lands in chunking, BM25 or saving
            target = rng.randint(0, remaining // 2)
            extra = rng.uniform(0.0, 4.0)
            proc = subprocess.Popen([sys.executable, "-m", "qa", "index"], env=env, cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while proc.poll() is None and len(cached(index_dir)) - before < target:
                time.sleep(0.02)
            time.sleep(extra)
            if proc.poll() is not None:
                print(f"kill {n + 1}: the build finished first")
                break
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            delay = target
            index = Index.load(index_dir)
            got = len(index.documents)
            after = len(cached(index_dir))
            killed_mid_embedding += before < after
            if got == 5 and answer(index, settings) != expected:
                print(f"kill {n + 1} (target {delay} new vectors): the old index answers differently",
                      file=sys.stderr)
                return 1
            print(f"kill {n + 1} (after {delay} new vectors + {extra:.1f} s): index loads ({got} statements), "
                  f"cache {before} -> {after} vectors")
        done = cached(index_dir)
        index, stats = update_index(settings)
        new = {text_key(c.embed_text) for c in index.chunks} - done
        if stats.embedded != len(new) or len(index.documents) != 5 + a.statements:
            print(f"resumed build embedded {stats.embedded}, expected {len(new)}", file=sys.stderr)
            return 1
        print(f"resumed build: embedded {stats.embedded} of {stats.chunks} passages (the rest from the cache); "
              f"{killed_mid_embedding} kill(s) landed mid-embedding; OK")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
