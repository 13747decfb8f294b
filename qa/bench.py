"""`qa bench`: the query path measured at 10k, 100k and 1M passages.

For each size it builds an index through the project's own code (a corpus folder
→ `update_index`: parsing, chunking, BM25, FAISS, save) from real UN General
Debate statements, then, in a fresh process, loads it and times `answer.ask`
(abstention and lead sentences on) for dense, BM25 and hybrid over generated
questions, next to the raw floor (FAISS search + bm25s retrieve on the same
index, same process).

Document vectors come from `StandInEmbedder` — hashed word uni- and bigrams, NOT
the product's embeddings — because embedding a million passages for real takes
about a day on two cores. Questions are encoded by the real model, so the query
path does exactly the product's work. The stand-in is named in the index manifest
and in every report line.

    python -m qa bench --sizes 10k,100k,1m            # appends a table to docs/scale.md
    python -m qa bench --sizes 10k --dry-run          # what would be built, and an estimate
    python -m qa bench --threads --index DIR          # latency under concurrent requests
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .settings import ROOT, Settings

UN_CORPUS = Path("/work/ungdc/ungdc-1946-2024")
STAND_IN = "StandInEmbedder (hashed word 1-2-grams, 384-d; NOT the product's embeddings)"
METHODS = ("dense", "bm25", "hybrid")
# measured: 8,763 passages built in 47 s (parse, chunk, stand-in vectors, BM25, save); for --dry-run
BUILD_S_PER_PASSAGE = 47 / 8763


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1m' -> 1000000, '2500' -> 2500."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise ValueError(f"size {text!r}: use a number, optionally with k or m (10k, 1m)")
    return int(float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()])


def size_label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


# --- the stand-in for document vectors ------------------------------------------

# BERT's pre-tokeniser on ASCII text plus typographic quotes and dashes: runs of letters
# and digits, and each punctuation character (ASCII 33-47, 58-64, 91-96, 123-126, and
# Unicode punctuation) alone; whitespace separates
_WORD_OR_PUNCT = re.compile(r"[a-z0-9]+|[!-/:-@\[-`{-~‘’“”–—…]")
# anything else (accented letters, other scripts, control characters the normaliser
# deletes): the tokenizer itself counts the text
_OTHER = re.compile(r"[^\t\n\r -~‘’“”–—…]")

class StandInEmbedder:
    """Deterministic, fast and meaningless vectors for benchmarking at scale.

    Word uni- and bigrams hashed (signed) into `dimension` buckets and L2-normalised
    (scikit-learn's HashingVectorizer). Token counting (`fits`, `count_tokens`) is the
    real model's word-piece tokenizer, so chunking splits exactly as the product does.
    """

    name = "stand-in"

    def __init__(self, dimension: int = 384, model: str = "all-MiniLM-L6-v2"):
        from sklearn.feature_extraction.text import HashingVectorizer
        from tokenizers import Tokenizer

        from .embedding import model_path

        folder = model_path(model)
        self.dimension = dimension
        self.max_seq_length = int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])
        self._tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tok.no_truncation()
        self._tok.no_padding()
        self._pieces: dict[str, int] = {}      # word -> its word-piece count (count_tokens)
        self._hash = HashingVectorizer(n_features=dimension, ngram_range=(1, 2), alternate_sign=True, norm="l2")

    def count_tokens(self, text: str) -> int:
        """The model tokenizer's count (with [CLS] and [SEP]). For plain English text
        (ASCII, typographic quotes and dashes) it is summed from per-word counts, each
        word cut into word pieces once and remembered: BERT's normaliser only lowercases
        such text and its pre-tokeniser splits at spaces and at each punctuation
        character, so the sum is the tokenizer's count (tested against it on the
        corpus), several times faster over a million passages. Other text goes to the
        tokenizer itself."""
        if _OTHER.search(text):
            return len(self._tok.encode(text).ids)
        pieces = self._pieces
        n = 2
        for word in _WORD_OR_PUNCT.findall(text.lower()):
            k = pieces.get(word)
            if k is None:
                k = pieces[word] = len(self._tok.model.tokenize(word))
            n += k
        return n

    def fits(self, text: str) -> bool:
        return self.count_tokens(text) <= self.max_seq_length

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        step = 50_000
        for s in range(0, len(texts), step):
            out[s:s + step] = self._hash.transform(texts[s:s + step]).toarray()
        empty = ~out.any(axis=1)
        out[empty, 0] = 1.0            # a text with no words still gets a unit vector
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)


# --- the corpus: real statements, linked, with sidecars ----------------------------

def un_files(root: Path = UN_CORPUS) -> list[Path]:
    files = sorted(root.glob("Session */*.txt"))
    if not files:
        raise FileNotFoundError(f"{root}: no UN General Debate files (Session NN - YYYY/XXX_NN_YYYY.txt)")
    return files


def _country(code: str) -> str:
    import pycountry
    c = pycountry.countries.get(alpha_3=code)
    return getattr(c, "common_name", None) or c.name if c else code


def un_meta(path: Path) -> dict:
    """KAZ_70_2015.txt -> Kazakhstan, 70th session, 2015 (the files print no header)."""
    code, session, year = path.stem.split("_")
    return {"id": f"UNGD/{session}/{code}", "delegation": _country(code), "date": year,
            "title": f"Statement in the general debate of the {session}th session of the UN General Assembly"}


def estimated_passages(paragraphs: list[str]) -> int:
    """Passages a statement will chunk into, without tokenising: a paragraph longer than
    the 200-token budget splits at sentences, about one piece per 170 words of UN prose (measured)."""
    return sum(max(1, -(-len(p.split()) // 170)) for p in paragraphs)


def make_corpus(target: int, folder: Path, source: Path = UN_CORPUS, seed: int = 7,
                log=print) -> tuple[int, int]:
    """Link statements (seeded random order) into `folder`, each with a sidecar, until
    their estimated passages reach `target`. Returns (statements, estimated passages).
    When the corpus runs out, statements are used again under new ids (`…/r1`)."""
    from .documents import CorpusError, parse_statement, read_text

    folder.mkdir(parents=True, exist_ok=True)
    files = un_files(source)
    random.Random(seed).shuffle(files)
    total = n = 0
    rnd = 0
    while total < target:
        for path in files:
            try:
                passages = estimated_passages(parse_statement(read_text(path), source=path.name).paragraphs)
            except CorpusError:
                continue
            if not passages:
                continue
            meta = un_meta(path)
            name = path.name if rnd == 0 else f"{path.stem}_r{rnd}.txt"
            if rnd:
                meta["id"] += f"/r{rnd}"
            link = folder / name
            if not link.exists():
                link.symlink_to(path.resolve())
            (folder / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
            total += passages
            n += 1
            if total >= target:
                break
        rnd += 1
    log(f"corpus {folder}: {n} statements, ~{total} passages")
    return n, total


# --- questions ----------------------------------------------------------------------

_STOP = set("the a an of and or to in on for by with at from as is are was were be been this that these those "
            "it its their our we i you he she they his her which who whom whose has have had will would shall "
            "should can could may might must not no all any also such there here than then so".split())


def _content(word: str) -> bool:
    return word.lower() not in _STOP and len(word) > 3


def _phrase(sentence: str, rng: random.Random, lo: int = 2, hi: int = 4) -> str | None:
    """A few consecutive words of the sentence that start and end with a content word."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", sentence)
    starts = [i for i, w in enumerate(words) if _content(w)]
    if not starts:
        return None
    i = rng.choice(starts)
    span = words[i:i + rng.randint(lo, hi)]
    while len(span) > 1 and not _content(span[-1]):
        span.pop()
    return " ".join(span)


def make_questions(documents, n: int = 250, seed: int = 11) -> list[str]:
    """Varied questions from the indexed statements: a sentence's words asked back, with
    and without the delegation and year, comparisons of two delegations, and questions
    naming a year the delegation did not speak in (for abstention)."""
    from .chunking import split_sentences

    rng = random.Random(seed)
    docs = [d for d in documents if d.paragraphs]
    delegations = sorted({d.delegation for d in docs if d.delegation})
    out: list[str] = []
    while len(out) < n:
        d = rng.choice(docs)
        para = rng.choice(d.paragraphs)
        sents = [para[s:e].strip() for s, e in split_sentences(para)]
        sent = rng.choice(sents) if sents else para
        phrase = _phrase(sent, rng)
        if not phrase:
            continue
        year = (d.date or "")[:4]
        kind = len(out) % 7
        if kind == 0:
            q = f"What did {d.delegation} say about {phrase}?"
        elif kind == 1:
            q = f"What did {d.delegation} say in {year} about {phrase}?"
        elif kind == 2:
            words = sent.split()[:16]
            q = "Which delegation said that " + " ".join(words).rstrip(".,;:") + "?"
        elif kind == 3:
            other = rng.choice(delegations)
            q = f"How did {d.delegation} and {other} differ on {phrase}?"
        elif kind == 4:
            q = f"Who spoke about {phrase}?"
        elif kind == 5:
            q = f"Did {d.delegation} mention {phrase} in {int(year) + rng.choice([-30, 25]) if year else 1950}?"
        else:
            q = f"When did {d.delegation} raise {_phrase(sent, rng, 1, 2) or phrase}?"
        out.append(q)
    return out


# --- measuring -------------------------------------------------------------------------

def rss_mb(peak: bool = False) -> float:
    key = "VmHWM:" if peak else "VmRSS:"
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(ms: list[float]) -> dict:
    a = np.asarray(ms)
    return {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
            "p99": float(np.percentile(a, 99)), "n": len(ms)}


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


def query_encoder(kind: str, model: str, threads: int = 1):
    """The real model for questions: sentence-transformers (torch) or ONNX Runtime."""
    if kind == "onnx":
        from .onnx_encoder import OnnxEncoder
        return OnnxEncoder(model, threads=threads)
    from .embedding import Embedder
    enc = Embedder(model)
    import torch
    torch.set_num_threads(threads)
    return enc


def build_size(n: int, workdir: Path, settings: Settings, source: Path = UN_CORPUS) -> dict:
    """Corpus folder + index for one size (run in its own process: peak RSS is the build's)."""
    from .index import update_index

    corpus = workdir / f"corpus-{size_label(n)}"
    index_dir = workdir / f"index-{size_label(n)}"
    t0 = time.perf_counter()
    if not corpus.exists():
        make_corpus(n, corpus, source, log=lambda m: print(m, file=sys.stderr))
    t_corpus = time.perf_counter() - t0
    s = settings.with_(corpus_dir=corpus, index_dir=index_dir)
    shutil.rmtree(index_dir, ignore_errors=True)      # time a whole build, not "up to date"
    t0 = time.perf_counter()
    index, stats = update_index(s, embedder=StandInEmbedder(), progress=False,
                                log=lambda m: print(m, file=sys.stderr))
    build = time.perf_counter() - t0
    return {"size": n, "statements": stats.documents, "passages": stats.chunks, "corpus_s": t_corpus,
            "build_s": build, "build_peak_rss_mb": rss_mb(peak=True), "disk_mb": disk_mb(index.path),
            "index_dir": str(index_dir), "corpus_dir": str(corpus), "up_to_date": stats.up_to_date}


def bench_settings(settings: Settings) -> Settings:
    """The product's settings, but for the one rule that reads the stand-in's cosines: "best
    passage similarity below abstain_threshold" would abstain on meaningless scores and skip
    the rest of abstention and the lead sentences. Every other rule runs as in the product."""
    return settings.with_(abstain_threshold=-1.0)


def measure_size(index_dir: Path, settings: Settings, questions: int, encoder: str, profile: bool,
                 methods: tuple[str, ...] = METHODS) -> dict:
    """Load, then time ask() per retriever and the raw floor, in this (fresh) process."""
    from .answer import ask
    from .index import Index
    from .retrieval import Retriever
    from .text import bm25_tokenize


    settings = bench_settings(settings)
    base_rss = rss_mb()
    t0 = time.perf_counter()
    index = Index.load(index_dir)
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mb()
    t0 = time.perf_counter()
    enc = query_encoder(encoder, index.manifest["settings"]["model"])
    model_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    retriever = Retriever(index, settings, embedder=enc)
    retriever_s = time.perf_counter() - t0
    qs = make_questions(index.documents, questions)
    t0 = time.perf_counter()
    ask(retriever, qs[0], method="hybrid")
    first_s = time.perf_counter() - t0
    for q in qs[1:4]:                     # warm caches the way a running app has them
        ask(retriever, q, method="hybrid")

    lat = {m: [] for m in methods}
    abstained = {m: 0 for m in methods}
    for m in methods:
        for q in qs:
            t = time.perf_counter()
            a = ask(retriever, q, method=m)
            lat[m].append((time.perf_counter() - t) * 1000)
            abstained[m] += a.result.abstained

    # the floor: encode the question, FAISS search (at the index's search breadth), bm25s
    # scores of the query's terms and the top n of the passages they score; nothing else.
    # (Not bm25s' `retrieve`: its argpartition over every passage, most at score 0, is
    # numpy's worst case for ties: 15 ms at 100k, 300+ ms at 1M.)
    floor, enc_ms = [], []
    n = min(settings.candidates, len(index.chunks))
    vocab = index.bm25.vocab_dict
    index.configure(settings)
    for q in qs:
        t = time.perf_counter()
        qv = enc.encode_query(q)
        te = time.perf_counter()
        index.faiss.search(qv[None, :], n, params=index._search_params(None, n))
        toks = bm25_tokenize([q], return_ids=False)[0]
        toks = [x for x in toks if x in vocab]
        if toks:
            scores = index.bm25.get_scores(toks)
            hit = np.flatnonzero(scores > 0)
            if len(hit) > n:
                hit = hit[np.argpartition(-scores[hit], n - 1)[:n]]
            hit[np.argsort(-scores[hit])]
        floor.append((time.perf_counter() - t) * 1000)
        enc_ms.append((te - t) * 1000)

    out = {"passages": len(index.chunks), "statements": len(index.documents), "load_s": load_s,
           "rss_before_mb": base_rss, "rss_loaded_mb": rss_loaded, "model_s": model_s,
           "retriever_s": retriever_s, "first_ask_s": first_s, "rss_after_mb": rss_mb(),
           "peak_rss_mb": rss_mb(peak=True), "questions": len(qs), "encoder": encoder,
           "ask": {m: percentiles(v) for m, v in lat.items()}, "abstained": abstained,
           "floor": percentiles(floor), "encode": percentiles(enc_ms)}
    if profile:
        pr = cProfile.Profile()
        q = next((q for q in qs if q.startswith("What did") and " in " in q), qs[1])
        pr.enable()
        ask(retriever, q, method="hybrid")
        pr.disable()
        # the project's own functions by cumulative time (where the query path spends it),
        # then the leaf functions by own time (what the time is spent on)
        buf = io.StringIO()
        pstats.Stats(pr, stream=buf).sort_stats("cumulative").print_stats(r"/qa/", 10)
        out["profile"] = _trim_profile(buf.getvalue())
        buf = io.StringIO()
        pstats.Stats(pr, stream=buf).sort_stats("tottime").print_stats(10)
        out["profile"] += "\n\nby own time:\n" + _trim_profile(buf.getvalue(), head=False)
        out["profile_question"] = q
    return out


def _trim_profile(text: str, head: bool = True) -> str:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    head = [line for line in lines[:start] if "function calls" in line] if head else []
    import sysconfig
    text = "\n".join(head + lines[start:]).replace(str(ROOT) + "/", "")
    return text.replace(sysconfig.get_paths()["purelib"] + "/", "").strip()


def concurrency(index_dir: Path, settings: Settings, encoder: str, threads: int, clients: list[int],
                per_level: int = 40) -> dict:
    """Single-query latency while `c` requests run at once (server threads), per c: about
    `per_level` questions at each level, at least two per client."""
    import faiss

    from .answer import ask
    from .index import Index
    from .retrieval import Retriever

    faiss.omp_set_num_threads(threads)
    settings = bench_settings(settings)
    index = Index.load(index_dir)
    enc = query_encoder(encoder, index.manifest["settings"]["model"], threads)
    retriever = Retriever(index, settings, embedder=enc)
    per_client = {c: max(2, per_level // c) for c in clients}
    qs = make_questions(index.documents, max(c * per_client[c] for c in clients), seed=23)
    for q in qs[:5]:
        ask(retriever, q)
    out = {}
    lock = threading.Lock()
    for c in clients:
        lat: list[float] = []

        def worker(w: int, n: int = per_client[c]):
            for q in qs[w * n:(w + 1) * n]:
                t = time.perf_counter()
                ask(retriever, q)
                with lock:
                    lat.append((time.perf_counter() - t) * 1000)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(c) as pool:
            list(pool.map(worker, range(c)))
        wall = time.perf_counter() - t0
        out[c] = {**percentiles(lat), "qps": len(lat) / wall}
    return out


def app_ready(index_dir: Path, corpus_dir: Path, port: int = 7871, asks: int = 5,
              encoder: str = "onnx") -> dict:
    """Start `app.py` on an index and time it to HTTP 200 on /api/health; then time `asks`
    fresh client processes asking /api/ask (what a `qa ask` talking to a running server costs)."""
    import urllib.request

    env = {**os.environ, "QA_ENCODER": encoder}
    cmd = [sys.executable, str(ROOT / "app.py"), "--port", str(port), "--index-dir", str(index_dir),
           "--corpus-dir", str(corpus_dir)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {proc.returncode}: {proc.stderr.read()[-500:]}")
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        ready = time.perf_counter() - t0
        client = ("import json, sys, urllib.parse, urllib.request\n"
                  "url = sys.argv[1] + '/api/ask?' + urllib.parse.urlencode({'q': sys.argv[2]})\n"
                  "print(json.load(urllib.request.urlopen(url))['passages'][0]['citation'])\n")
        walls = []
        for q in ["What did the delegation say about the elections?"] * asks:
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", client, base, q], check=True, capture_output=True)
            walls.append(time.perf_counter() - t)
        return {"ready_s": ready, "client_ask_s": percentiles([w * 1000 for w in walls])}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# --- report --------------------------------------------------------------------------------

def _ms(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def report(rows: list[dict], header: str) -> str:
    lines = [header, "",
             f"Document vectors: {STAND_IN}. Questions: encoded by the real model; "
             "abstention and lead sentences on (abstain_threshold off: it reads the stand-in's cosines); k=5.",
             "",
             "| passages | statements | build | build peak RSS | disk | load | RSS after load | RSS serving | "
             "model + Retriever() + first ask |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['passages']:,} | {r['statements']:,} | {r['build_s']:.0f} s | "
                     f"{r['build_peak_rss_mb']:,.0f} MB | {r['disk_mb']:,.0f} MB | "
                     f"{r['load_s']:.1f} s | {r['rss_loaded_mb']:,.0f} MB | {r['rss_after_mb']:,.0f} MB | "
                     f"{r['model_s']:.1f} + {r['retriever_s']:.1f} + {r['first_ask_s']:.1f} s |")
    lines += ["", "`ask` latency in ms (p50 / p95 / p99) over the generated questions; the floor is "
              "encode + FAISS search + bm25s scores and their top n, for the same questions in the same process:", "",
              "| passages | questions | dense | bm25 | hybrid | floor | hybrid p50 / floor p50 | abstained (d/b/h) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        a = r["ask"]
        cells = [" / ".join(_ms(a[m][p]) for p in ("p50", "p95", "p99")) if m in a else "–" for m in METHODS]
        fl = r["floor"]
        lines.append(f"| {r['passages']:,} | {r['questions']} | " + " | ".join(cells) +
                     f" | {_ms(fl['p50'])} / {_ms(fl['p95'])} / {_ms(fl['p99'])} | "
                     f"{a['hybrid']['p50'] / fl['p50']:.1f}× | "
                     + "/".join(str(r["abstained"].get(m, "–")) for m in METHODS) + " |")
    prof = [r for r in rows if r.get("profile")]
    if prof:
        r = prof[-1]
        lines += ["", f"cProfile of one hybrid `ask` at {r['passages']:,} passages "
                  f"(“{r['profile_question']}”), the project's functions by cumulative time, then "
                  "all functions by own time:", "", "```",
                  r["profile"], "```"]
    return "\n".join(lines) + "\n"


def _run_child(args: list[str]) -> dict:
    """Run one step in a fresh interpreter (clean RSS, no shared caches); its last stdout line is JSON."""
    proc = subprocess.run([sys.executable, "-m", "qa.bench", *args], stdout=subprocess.PIPE, cwd=ROOT,
                          text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"qa.bench {' '.join(args)} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def estimate(sizes: list[int], source: Path = UN_CORPUS) -> str:
    """A dry run: what each size would build, from a measured sample of the corpus."""
    from .documents import parse_statement, read_text

    files = un_files(source)
    sample = random.Random(7).sample(files, min(40, len(files)))
    t0 = time.perf_counter()
    passages = sum(estimated_passages(parse_statement(read_text(p), source=p.name).paragraphs) for p in sample)
    parse_s = (time.perf_counter() - t0) / passages
    per_file = passages / len(sample)
    lines = [f"UN corpus: {len(files):,} statements, ~{per_file:.0f} passages each "
             f"(~{per_file * len(files):,.0f} in all); parsing {parse_s * 1e3:.2f} ms/passage",
             f"build measured at ~{BUILD_S_PER_PASSAGE * 1e3:.1f} ms/passage on current main (2 shared cores)"]
    for n in sizes:
        lines.append(f"{size_label(n)}: ~{n / per_file:,.0f} statements"
                     + (f" (corpus used {n / (per_file * len(files)):.1f}×)" if n > per_file * len(files) else "")
                     + f", build ~{n * BUILD_S_PER_PASSAGE / 60:.0f} min")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="qa bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10k,100k", help="comma-separated passage counts (10k,100k,1m)")
    p.add_argument("--workdir", type=Path, default=ROOT / "index" / "bench",
                   help="where corpus folders (symlinks + sidecars) and indexes go (default index/bench)")
    p.add_argument("--source", type=Path, default=UN_CORPUS,
                   help=f"UN General Debate folder (Session NN - YYYY/XXX_NN_YYYY.txt; default {UN_CORPUS})")
    p.add_argument("--questions", type=int, default=250)
    p.add_argument("--encoder", choices=["torch", "onnx"], default=None,
                   help="query encoder (default: the `encoder` setting, as the product runs)")
    p.add_argument("--methods", default=",".join(METHODS), help="retrievers to time (default dense,bm25,hybrid)")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "scale.md", help="Markdown file to append to")
    p.add_argument("--label", default="", help="heading of the appended table (default: date and git commit)")
    p.add_argument("--dry-run", action="store_true", help="print what would be built and an estimate; build nothing")
    p.add_argument("--threads", action="store_true",
                   help="latency under 1/4/20 concurrent requests, intra-op threads 1 and 2 (needs --index)")
    p.add_argument("--index", type=Path, help="an index folder for --threads and --app")
    p.add_argument("--app", action="store_true",
                   help="time app.py to HTTP 200 on --index/--corpus, then fresh-process clients of /api/ask")
    p.add_argument("--corpus", type=Path, help="the corpus folder of --index (for --app)")
    # internal steps, each run in a fresh process by the parent
    p.add_argument("--_build", type=int, help=argparse.SUPPRESS)
    p.add_argument("--_measure", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--_concurrency", type=int, help=argparse.SUPPRESS)
    p.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    settings = Settings.from_env()
    args.encoder = args.encoder or settings.encoder

    if args._build:
        print(json.dumps(build_size(args._build, args.workdir, settings, args.source)))
        return 0
    if args._measure:
        methods = tuple(m for m in args.methods.split(",") if m)
        print(json.dumps(measure_size(args._measure, settings, args.questions, args.encoder, args.profile, methods)))
        return 0
    if args._concurrency:
        print(json.dumps(concurrency(args.index, settings, args.encoder, args._concurrency, [1, 4, 20])))
        return 0

    if args.app:
        if not (args.index and args.corpus):
            p.error("--app needs --index DIR and --corpus DIR")
        r = app_ready(args.index, args.corpus, encoder=args.encoder)
        print(f"app ready (HTTP 200) in {r['ready_s']:.1f} s; a fresh client process per question: "
              f"p50 {r['client_ask_s']['p50']:.0f} ms wall")
        return 0
    if args.threads:
        if not args.index:
            p.error("--threads needs --index DIR")
        lines = [f"### Latency under concurrent requests ({args.index.name}, {time.strftime('%Y-%m-%d %H:%M')} UTC)",
                 "", "ms per `ask` (hybrid), p50 / p95, and throughput, with C requests in flight:", "",
                 "| query encoder | intra-op threads | C=1 | C=4 | C=20 |", "| --- | --- | --- | --- | --- |"]
        for enc in ("torch", "onnx"):
            for t in (1, 2):
                r = _run_child(["--_concurrency", str(t), "--index", str(args.index), "--encoder", enc])
                lines.append(f"| {enc} | {t} | " + " | ".join(
                    f"{_ms(r[c]['p50'])} / {_ms(r[c]['p95'])} ({r[c]['qps']:.2f} q/s)" for c in ("1", "4", "20"))
                    + " |")
                print(lines[-1], file=sys.stderr)
        _append(args.out, "\n".join(lines) + "\n")
        return 0

    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.dry_run:
        print(estimate(sizes, args.source))
        return 0
    rows = []
    for i, n in enumerate(sizes):
        print(f"[{size_label(n)}] building …", file=sys.stderr)
        b = _run_child(["--_build", str(n), "--workdir", str(args.workdir), "--source", str(args.source)])
        print(f"[{size_label(n)}] built {b['passages']:,} passages in {b['build_s']:.0f} s; measuring …",
              file=sys.stderr)
        extra = ["--profile"] if i == len(sizes) - 1 else []
        m = _run_child(["--_measure", b["index_dir"], "--questions", str(args.questions),
                        "--encoder", args.encoder, "--methods", args.methods, *extra])
        rows.append({**b, **m})
        print(json.dumps(rows[-1]), file=sys.stderr)
    label = args.label or f"{time.strftime('%Y-%m-%d %H:%M')} UTC, commit {_commit()}, query encoder {args.encoder}"
    _append(args.out, report(rows, f"### Run: {label}"))
    print(f"appended to {args.out}", file=sys.stderr)
    return 0


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip() or "?"
    except OSError:
        return "?"


def _append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n" + text)


if __name__ == "__main__":
    sys.exit(main())
