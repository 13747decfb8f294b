"""Parse, chunk and BM25-index a whole corpus (no vectors): time and peak memory.

    python scripts/full_un_build.py            # once: links the UN corpus and writes its manifest
    python scripts/parse_bm25_full.py /tmp/un-full/corpus

The figure issue 13 asks for ("parsing + BM25 alone for the full corpus"): the same
iter_corpus, chunk_document (with the model's own word-piece tokenizer) and bm25s build as
`qa index`, without the embedding step.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.bench import StandInEmbedder  # noqa: E402  (only its tokenizer-based `fits` is used)
from qa.chunking import chunk_document  # noqa: E402
from qa.documents import iter_corpus  # noqa: E402
from qa.retrieval import build_bm25  # noqa: E402


def main(corpus: str) -> int:
    t0 = time.perf_counter()
    fits = StandInEmbedder().fits
    chunks, docs, bad = [], 0, []
    for doc in iter_corpus(Path(corpus), on_error=bad.append):
        docs += 1
        chunks.extend(chunk_document(doc, max_tokens=200, min_tokens=10, model_fits=fits))
    t1 = time.perf_counter()
    build_bm25(chunks)
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"statements {docs}, skipped {len(bad)}, passages {len(chunks)}; parse+chunk {t1 - t0:.0f} s, "
          f"BM25 {t2 - t1:.0f} s, total {t2 - t0:.0f} s; peak RSS {peak:.0f} MB")
    for e in bad:
        print(f"  skipped: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/un-full/corpus"))
