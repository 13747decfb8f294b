"""The embedding model run by ONNX Runtime: the same vectors as sentence-transformers,
without importing torch on the query path.

`qa ask` spent most of its wall time importing torch, transformers and
sentence-transformers (about 5.7 s here) to encode one short question. This module
runs the same all-MiniLM-L6-v2 network with onnxruntime and the `tokenizers`
library, and does the model's own pooling (mean over real tokens, then L2
normalisation) in numpy. Vectors equal torch's within 1e-5 (tests/test_onnx_encoder.py).

The ONNX file is exported once from the model folder with torch (opset 17, the
TorchScript exporter) into a cache folder, keyed by the model folder and its
weights file's size and modification time; after that no run imports torch.

`OnnxEncoder` has the interface of `qa.embedding.Embedder` (`encode`,
`encode_query`, `encode_queries`, `fits`, `count_tokens`, `dimension`, `max_seq_length`, `name`).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import settings as _settings  # noqa: F401  (sets the offline environment first)
from .embedding import DEFAULT_MODEL, ModelError, model_path

OPSET = 17


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "osce-qa" / "onnx"


def _weights_file(folder: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (folder / name).exists():
            return folder / name
    raise ModelError(f"{folder}: no model.safetensors or pytorch_model.bin to export to ONNX")


def onnx_path(folder: Path, cache_dir: Path | None = None) -> Path:
    """Where the exported network of this model folder lives. The key changes when the
    weights file does, so a replaced model is exported again rather than served stale."""
    weights = _weights_file(folder)
    st = weights.stat()
    key = hashlib.sha256(f"{folder.resolve()}|{st.st_size}|{st.st_mtime_ns}|opset{OPSET}".encode()).hexdigest()[:16]
    return Path(cache_dir or default_cache_dir()) / f"{folder.name}-{key}" / "model.onnx"


def export_onnx(folder: Path, target: Path) -> Path:
    """Export the transformer of a sentence-transformers folder to ONNX (needs torch; once).

    Inputs input_ids, attention_mask, token_type_ids (batch x sequence, both dynamic);
    output last_hidden_state. Written to a temporary name and renamed: an interrupted
    export never leaves a half file that a later run would load."""
    import torch
    from transformers import AutoModel

    class _Wrapped(torch.nn.Module):
        """Keyword arguments: the positional order of BertModel.forward differs between
        transformers versions."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = _Wrapped(AutoModel.from_pretrained(str(folder), local_files_only=True))
    model.eval()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    ids = torch.ones((1, 8), dtype=torch.long)
    dynamic = {0: "batch", 1: "sequence"}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")   # tracer warnings about Python branches: harmless here
            torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(tmp),
                              input_names=["input_ids", "attention_mask", "token_type_ids"],
                              output_names=["last_hidden_state"],
                              dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic,
                                            "token_type_ids": dynamic, "last_hidden_state": dynamic},
                              opset_version=OPSET, dynamo=False)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _pooling_mode(folder: Path) -> None:
    """This encoder implements mean pooling + Normalize only: refuse a model that says otherwise."""
    modules = _read_json(folder / "modules.json")
    kinds = [m.get("type", "") for m in modules] if isinstance(modules, list) else []
    pooling = next((m for m in modules if m.get("type", "").endswith("Pooling")), None) if kinds else None
    if pooling:
        conf = _read_json(folder / pooling.get("path", "1_Pooling") / "config.json")
        if not conf.get("pooling_mode_mean_tokens", True) or any(
                conf.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens")):
            raise ModelError(f"{folder}: the ONNX encoder does mean pooling only; set encoder to torch")
    if kinds and not any(k.endswith("Normalize") for k in kinds):
        raise ModelError(f"{folder}: the ONNX encoder expects a Normalize module; set encoder to torch")


class OnnxEncoder:
    """Normalised sentence embeddings from ONNX Runtime, plus the model's own token counting."""

    def __init__(self, name: str = DEFAULT_MODEL, threads: int = 1, cache_dir: Path | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = model_path(name)
        _pooling_mode(folder)
        self.name = name
        self.max_seq_length = int(_read_json(folder / "sentence_bert_config.json").get("max_seq_length", 256))
        self.dimension = int(_read_json(folder / "config.json")["hidden_size"])
        # two tokenizers: one truncates and pads for the network, one counts every word piece
        self._counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tok.enable_truncation(max_length=self.max_seq_length)
        self._tok.enable_padding(pad_id=self._tok.token_to_id("[PAD]") or 0, pad_token="[PAD]")
        path = onnx_path(folder, cache_dir)
        if not path.exists():
            try:
                export_onnx(folder, path)
            except (OSError, ImportError, RuntimeError) as e:
                raise ModelError(f"{folder}: cannot export the model to ONNX in {path.parent} ({e}); "
                                 f"set QA_ENCODER=torch to run it with sentence-transformers") from None
        opts = ort.SessionOptions()
        # One intra-op thread: under concurrent requests, more threads per query make
        # every query slower (docs/scale.md); inter-op parallelism is unused by this graph.
        opts.intra_op_num_threads = max(1, int(threads))
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # a corrupt cache file: say where it is
            raise ModelError(f"{path}: cannot load the exported ONNX model ({e}); delete it to export again") from None
        self._inputs = {i.name for i in self.session.get_inputs()}
        # encode_queries' threads (a pool starts them on first use); the session is thread-safe
        self._pool = ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2)), thread_name_prefix="encode")

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees, including its special tokens."""
        return len(self._counter.encode(text).ids)

    def fits(self, text: str) -> bool:
        return self.count_tokens(text) <= self.max_seq_length

    def _run(self, texts: list[str]) -> np.ndarray:
        enc = self._tok.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        # sentence-transformers' Pooling (mean over real tokens) then Normalize
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        texts = list(texts)
        # batches of similar length pad less (sentence-transformers sorts the same way)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        starts = range(0, len(texts), batch_size)
        if progress:
            from tqdm import tqdm
            starts = tqdm(starts, desc="Embedding", unit="batch")
        for s in starts:
            idx = order[s:s + batch_size]
            out[idx] = self._run([texts[i] for i in idx])
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self._run([text])[0]

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """A few questions at once, each in its own run, side by side on the cores: with one
        intra-op thread a batch of two short texts costs ~1.7x one text, two runs side by
        side ~1x (measured, docs/benchmarks.md, fourteenth pass). The session is thread-safe."""
        if len(texts) < 2:
            return self.encode(texts)
        return np.stack(list(self._pool.map(self.encode_query, texts)))


@lru_cache(maxsize=4)
def get_onnx_encoder(name: str = DEFAULT_MODEL, threads: int = 1) -> OnnxEncoder:
    """One session per process and model."""
    return OnnxEncoder(name, threads=threads)
