"""Retrieval evaluation: `qa eval DATASET`.

Two kinds of dataset, one pipeline:

* a **question set** (JSONL, e.g. eval/osce-dev.jsonl) over the normal index.
  Relevance is judged per *passage* (chunk): a chunk is relevant when it
  contains one of the question's `evidence` strings (after `normalize`), or
  when it belongs to a listed `{doc, paragraph}`.
* a **BEIR folder** (corpus.jsonl, queries.jsonl, qrels/test.tsv). Its corpus
  is indexed into its own cached index; relevance is judged per *document*, a
  document ranking where each document takes the rank of its best chunk.

Each retriever (dense, bm25, hybrid) runs every question once through
`Retriever.search`, exactly as `qa ask` would. Ranking metrics come from ranx;
abstention, score distributions and latency are simple counts done here.

Reading order: data (questions, BEIR, relevance) -> running -> metrics ->
reports (text and JSON) -> `run_eval_command`, the CLI entry point.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import sys
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .documents import Document
from .settings import Settings

# Headline cut-offs; `-k` replaces the 10 (recall@k, mrr@k, ndcg@k).
RECALL_CUTOFFS = (1, 3, 5)
MAP_DEPTH = 100
SIGNIFICANCE_P = 0.05
TAG_METRICS = ("recall@5", "mrr@{k}")

Warn = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


# --- the evidence matcher --------------------------------------------------------

# Quote and dash variants that copy-paste and word processors produce.
_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟″«»"})
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad]")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Case, whitespace, quote and dash differences removed, for substring matching."""
    text = unicodedata.normalize("NFKC", text)       # no-break spaces, ligatures, full-width forms
    text = _DASHES.sub("-", text.translate(_QUOTES))
    return _SPACE.sub(" ", text).strip().casefold()


# --- question sets (JSONL) ---------------------------------------------------------

@dataclass
class Question:
    id: str
    question: str
    history: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    relevant: list[tuple[str, int]] = field(default_factory=list)   # (doc id, paragraph)
    answerable: bool = True
    tags: list[str] = field(default_factory=list)
    relevant_docs: list[str] = field(default_factory=list)           # BEIR: judged documents

    def expected(self) -> list[str]:
        """What a correct answer cites, for the failure listing."""
        from .retrieval import citation
        if self.relevant_docs:
            return self.relevant_docs
        return [citation(d, [p]) for d, p in self.relevant] + [f"“{e}”" for e in self.evidence]


def parse_question(obj) -> Question:
    """One JSONL object -> Question; ValueError says what is wrong. Unknown keys are ignored."""
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    qid, text = obj.get("id"), obj.get("question")
    if not isinstance(qid, (str, int)) or str(qid).strip() == "":
        raise ValueError('missing "id"')
    if not isinstance(text, str) or not text.strip():
        raise ValueError('missing "question"')

    def strings(key: str) -> list[str]:
        value = obj.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise ValueError(f'"{key}" must be a list of strings')
        return value

    relevant = []
    for r in obj.get("relevant") or []:
        if not isinstance(r, dict) or "doc" not in r or "paragraph" not in r:
            raise ValueError('"relevant" entries must be {"doc": ID, "paragraph": N}')
        try:
            relevant.append((str(r["doc"]), int(r["paragraph"])))
        except (TypeError, ValueError):
            raise ValueError(f'"relevant": paragraph {r["paragraph"]!r} is not a number') from None
    answerable = obj.get("answerable", True)
    if not isinstance(answerable, bool):
        raise ValueError('"answerable" must be true or false')
    evidence = [e for e in strings("evidence") if e.strip()]
    if answerable and not evidence and not relevant:
        raise ValueError('an answerable question needs "evidence" or "relevant"')
    return Question(str(qid), text.strip(), strings("history"), evidence, relevant, answerable, strings("tags"))


def read_questions(path: Path, warn: Warn = _stderr) -> list[Question]:
    """Parse a JSONL question set; a bad line is reported with its number and skipped."""
    questions, seen = [], set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                q = parse_question(json.loads(line))
            except json.JSONDecodeError as e:
                warn(f"{path}:{n}: skipped: invalid JSON ({e.msg})")
                continue
            except ValueError as e:
                warn(f"{path}:{n}: skipped: {e}")
                continue
            if q.id in seen:
                warn(f"{path}:{n}: skipped: duplicate id {q.id!r}")
                continue
            seen.add(q.id)
            questions.append(q)
    return questions


def passage_qrels(questions: list[Question], chunks, warn: Warn = _stderr,
                  resolve=lambda doc_id: doc_id) -> dict[str, dict[str, int]]:
    """{question id: {chunk id: 1}} for every chunk of the index that is relevant.

    Evidence matching depends on passage text, so we scan all chunks once per
    question instead of judging only what was retrieved: recall needs the full
    set of relevant passages as its denominator.
    """
    texts = [normalize(c.text) for c in chunks]
    qrels: dict[str, dict[str, int]] = {}
    for q in questions:
        if not q.answerable:
            continue
        evidence = [normalize(e) for e in q.evidence]
        wanted = {(resolve(d).casefold(), p) for d, p in q.relevant}   # a file name or alias -> the id
        hits = {}
        for c, text in zip(chunks, texts):
            doc = c.doc_id.casefold()
            if any((doc, p) in wanted for p in c.paragraphs) or any(e in text for e in evidence):
                hits[c.passage_id] = 1
        # Dataset checks: evidence that occurs nowhere is usually a typo or a
        # paraphrase; a split paragraph can also cut a long evidence string.
        for e, raw in zip(evidence, q.evidence):
            if not any(e in t for t in texts):
                warn(f"{q.id}: evidence occurs in no passage of the index: {raw!r}")
        known = {(c.doc_id.casefold(), p) for c in chunks for p in c.paragraphs}
        for d, p in q.relevant:
            if (resolve(d).casefold(), p) not in known:
                warn(f"{q.id}: relevant {d} ¶{p} is not in the index")
        if hits:
            qrels[q.id] = hits
        else:
            warn(f"{q.id}: no passage of the index is relevant; left out of the metrics")
    return qrels


def _doc_id(index, name: str) -> str:
    try:
        return index.document(name).id
    except KeyError:
        return name


# --- BEIR folders -------------------------------------------------------------

def read_jsonl(path: Path, warn: Warn = _stderr) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                warn(f"{path}:{n}: skipped: invalid JSON ({e.msg})")
                continue
            if not isinstance(row, dict) or "_id" not in row:
                warn(f'{path}:{n}: skipped: no "_id"')
                continue
            rows.append(row)
    return rows


def read_beir_qrels(path: Path, warn: Warn = _stderr) -> dict[str, dict[str, int]]:
    """qrels/test.tsv: header line, then query-id TAB corpus-id TAB score. Score 0 = judged not relevant."""
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if n == 1 and not (len(parts) == 3 and parts[2].strip().lstrip("-").isdigit()):
                continue   # the header
            if not line.strip():
                continue
            if len(parts) != 3 or not parts[2].strip().lstrip("-").isdigit():
                warn(f"{path}:{n}: skipped: expected query-id<TAB>corpus-id<TAB>score")
                continue
            qid, did, score = parts[0].strip(), parts[1].strip(), int(parts[2])
            if score > 0:
                qrels.setdefault(qid, {})[did] = score
    return qrels


def beir_documents(rows: list[dict], source: str) -> list[Document]:
    """BEIR corpus rows -> Documents of one paragraph each.

    The title goes in Document.title: with embed_context (the default) the
    chunker prefixes it to every embedded piece, which is BEIR's title + text
    convention, and a long abstract split at sentence boundaries keeps its
    title in each piece.
    """
    docs, seen = [], set()
    for row in rows:
        did = str(row["_id"])
        title = (row.get("title") or "").strip() or None
        text = (row.get("text") or "").strip() or (title or "")
        if not text or did in seen:
            continue
        seen.add(did)
        docs.append(Document(id=did, source=source, paragraphs=[text], title=title))
    return docs


BM25_KEYS = ("bm25_k1", "bm25_b")


def _with_bm25_of(index, settings: Settings):
    """The cached index, its BM25 rebuilt in memory when built with other parameters."""
    built = index.manifest.get("settings", {})
    if any(built.get(k) != getattr(settings, k) for k in BM25_KEYS):
        from .retrieval import build_bm25
        index._bm25 = build_bm25(index.chunks, settings.bm25_k1, settings.bm25_b)
    return index


def beir_cache_dir(folder: Path, settings: Settings) -> Path:
    """<index_dir>/beir-<name>-<fingerprint>: one cached index per corpus bytes + build settings."""
    from .index import build_settings
    h = hashlib.sha256((folder / "corpus.jsonl").read_bytes())
    # BEIR documents bypass the statement parser: a parser change needs no new index; nor does
    # a BM25 parameter, whose model beir_index rebuilds from the passages in seconds
    build = {k: v for k, v in build_settings(settings).items() if k not in ("parser_version", *BM25_KEYS)}
    h.update(json.dumps(build, sort_keys=True).encode())
    name = re.sub(r"[^\w.-]+", "-", folder.resolve().name) or "beir"
    return Path(settings.index_dir) / f"beir-{name}-{h.hexdigest()[:12]}"


def beir_index(folder: Path, settings: Settings, log: Warn = _stderr, progress: bool = False):
    """Load the cached index of a BEIR corpus, building it on first use."""
    from .embedding import get_embedder
    from .index import Index, IndexError_, write_lock

    cache = beir_cache_dir(folder, settings)
    try:
        return _with_bm25_of(Index.load(cache), settings)
    except IndexError_:
        pass
    with write_lock(cache):
        try:   # another process may have built it while we waited
            return _with_bm25_of(Index.load(cache), settings)
        except IndexError_:
            pass
        docs = beir_documents(read_jsonl(folder / "corpus.jsonl", log), str(folder / "corpus.jsonl"))
        log(f"indexing {len(docs)} documents of {folder} into {cache} (once; later runs reuse it)")
        fingerprint = cache.name.rsplit("-", 1)[-1]
        index, stats = Index.build(docs, settings, get_embedder(settings.model), fingerprint=fingerprint,
                                   progress=progress)
        index.save(cache)
        log(f"indexed {stats.documents} documents as {stats.chunks} passages in {stats.seconds:.0f} s")
        return index


# --- a dataset, ready to run ---------------------------------------------------

@dataclass
class Dataset:
    name: str
    kind: str                                  # "questions" | "beir"
    questions: list[Question]
    qrels: dict[str, dict[str, int]]           # judged answerable questions only
    index: object
    unit: str                                  # what is ranked and judged: "passage" | "document"


def load_dataset(path: Path, settings: Settings, log: Warn = _stderr, progress: bool = False) -> Dataset:
    path = Path(path)
    if path.is_dir():
        missing = [p for p in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv") if not (path / p).is_file()]
        if missing:
            raise ValueError(f"{path}: not a BEIR folder (missing {', '.join(missing)})")
        qrels = read_beir_qrels(path / "qrels" / "test.tsv", log)
        # BEIR convention: only queries with judgements in the split are evaluated.
        questions = [Question(str(r["_id"]), str(r.get("text") or ""), relevant_docs=sorted(qrels[str(r["_id"])]))
                     for r in read_jsonl(path / "queries.jsonl", log) if str(r["_id"]) in qrels]
        if not questions:
            raise ValueError(f"{path}: no query of queries.jsonl appears in qrels/test.tsv")
        index = beir_index(path, settings, log, progress)
        return Dataset(path.resolve().name, "beir", questions, {q.id: qrels[q.id] for q in questions},
                       index, "document")
    if not path.is_file():
        raise ValueError(f"{path}: no such question set (a .jsonl file) or BEIR folder")
    from .index import load_current
    questions = read_questions(path, log)
    if not questions:
        raise ValueError(f"{path}: no valid questions")
    index = load_current(settings, log=log)
    qrels = passage_qrels(questions, index.chunks, log, resolve=lambda d: _doc_id(index, d))
    return Dataset(path.name, "questions", questions, qrels, index, "passage")


# --- running one retriever -------------------------------------------------------

@dataclass
class Outcome:
    """What one retriever did with one question."""
    ranking: list[str]             # chunk ids (passages) or doc ids (documents), best first
    citations: list[str]           # top 3 as citations, for the failure listing
    abstained: bool
    top_dense: float | None
    ms: float


def run_questions(dataset: Dataset, retriever, method: str, depth: int, progress: bool = False) -> dict[str, Outcome]:
    from tqdm import tqdm

    out = {}
    for q in tqdm(dataset.questions, desc=method, unit="q", disable=not progress, leave=False):
        r = retriever.search(q.question, k=depth, method=method, history=q.history)
        # Abstention never drops hits, so ranking metrics see the full ranking.
        if dataset.unit == "document":
            ranking = list(dict.fromkeys(h.chunk.doc_id for h in r.hits))   # rank of the best chunk
            cites = ranking[:3]
        else:
            ranking = [h.chunk.passage_id for h in r.hits]
            cites = [h.citation for h in r.hits[:3]]
        out[q.id] = Outcome(ranking, cites, r.abstained, r.top_dense, r.timings.get("total_ms", 0.0))
    return out


# --- metrics --------------------------------------------------------------------

def metric_names(k: int = 10) -> list[str]:
    recalls = sorted(set(RECALL_CUTOFFS) | {k})
    return [f"recall@{c}" for c in recalls] + [f"mrr@{k}", f"ndcg@{k}", f"map@{MAP_DEPTH}"]


def ranx_run(outcomes: dict[str, Outcome], query_ids, name: str):
    from ranx import Run
    # Scores from ranks, so ranx orders exactly as the retriever did (ties
    # included). A query with nothing retrieved gets one unjudged placeholder.
    d = {}
    for qid in query_ids:
        ranking = outcomes[qid].ranking
        d[qid] = {item: float(len(ranking) - i) for i, item in enumerate(ranking)} or {"(nothing retrieved)": 0.0}
    return Run.from_dict(d, name=name)


def ranking_metrics(qrels: dict, outcomes: dict[str, Outcome], metrics: list[str], name: str = "run"):
    """(mean per metric, {question id: {metric: value}}), with ranx."""
    from ranx import Qrels, evaluate
    qids = list(qrels)
    run = ranx_run(outcomes, qids, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # numba's "unsafe cast" chatter
        means = evaluate(Qrels.from_dict(qrels), run, metrics, return_mean=True)
    if len(metrics) == 1:
        means = {metrics[0]: means}
    per_query = {qid: {m: float(run.scores[m][qid]) for m in metrics} for qid in qids}
    return {m: float(v) for m, v in means.items()}, per_query


def abstention(questions: list[Question], outcomes: dict[str, Outcome]) -> dict:
    """"Positive" = abstained. Precision/recall are about catching the unanswerable questions."""
    ans = [q for q in questions if q.answerable]
    una = [q for q in questions if not q.answerable]
    abstained = [q for q in questions if outcomes[q.id].abstained]
    tp = sum(1 for q in una if outcomes[q.id].abstained)
    # Without unanswerable questions (BEIR) only the rate on answerable ones means anything.
    precision = tp / len(abstained) if abstained and una else None
    recall = tp / len(una) if una else None
    f1 = (2 * precision * recall / (precision + recall)) if precision and recall else (0.0 if una else None)
    return {"abstained": len(abstained), "unanswerable": len(una), "abstained_unanswerable": tp,
            "precision": precision, "recall": recall, "f1": f1,
            "rate_on_answerable": (sum(1 for q in ans if outcomes[q.id].abstained) / len(ans)) if ans else None}


def distribution(values: list[float]) -> dict | None:
    if not values:
        return None
    a = np.asarray(values, dtype=float)
    p10, p25, median, p75, p90 = (float(x) for x in np.percentile(a, [10, 25, 50, 75, 90]))
    return {"n": len(a), "min": float(a.min()), "p10": p10, "p25": p25, "median": median,
            "p75": p75, "p90": p90, "max": float(a.max())}


def best_threshold(answerable: list[float], unanswerable: list[float]) -> dict | None:
    """The top_dense threshold (abstain below it) with the best abstention F1, for calibration."""
    if not answerable or not unanswerable:
        return None
    values = sorted(set(answerable) | set(unanswerable))
    candidates = [(a + b) / 2 for a, b in zip(values, values[1:])] + [values[-1] + 1e-6]
    best = None
    for t in candidates:
        tp = sum(v < t for v in unanswerable)
        fp = sum(v < t for v in answerable)
        if tp == 0:
            continue
        p, r = tp / (tp + fp), tp / len(unanswerable)
        f1 = 2 * p * r / (p + r)
        if best is None or f1 > best["f1"]:
            best = {"threshold": round(t, 4), "precision": p, "recall": r, "f1": f1}
    return best


def latency(outcomes: dict[str, Outcome]) -> dict:
    ms = [o.ms for o in outcomes.values()]
    return {"median_ms": float(np.median(ms)), "p95_ms": float(np.percentile(ms, 95)),
            "mean_ms": float(np.mean(ms))} if ms else {}


@dataclass
class RetrieverReport:
    retriever: str
    metrics: dict[str, float]
    per_question: dict[str, dict[str, float]]
    abstention: dict
    latency: dict
    top_dense: dict                # {"answerable": distribution, "unanswerable": ..., "best_threshold": ...}
    per_tag: dict[str, dict]
    outcomes: dict[str, Outcome]


def evaluate_retriever(dataset: Dataset, outcomes: dict[str, Outcome], method: str, k: int) -> RetrieverReport:
    metrics = metric_names(k)
    means, per_q = ranking_metrics(dataset.qrels, outcomes, metrics, name=method)
    by_kind = {kind: [outcomes[q.id].top_dense for q in dataset.questions
                      if q.answerable == (kind == "answerable") and outcomes[q.id].top_dense is not None]
               for kind in ("answerable", "unanswerable")}
    tag_metrics = [m.format(k=k) for m in TAG_METRICS]
    per_tag: dict[str, dict] = {}
    for q in dataset.questions:
        for tag in q.tags:
            if q.id in per_q:
                per_tag.setdefault(tag, {"n": 0, **{m: 0.0 for m in tag_metrics}})
                per_tag[tag]["n"] += 1
                for m in tag_metrics:
                    per_tag[tag][m] += per_q[q.id][m]
    for row in per_tag.values():
        for m in tag_metrics:
            row[m] /= row["n"]
    return RetrieverReport(
        method, means, per_q, abstention(dataset.questions, outcomes), latency(outcomes),
        {**{kind: distribution(v) for kind, v in by_kind.items()},
         "best_threshold": best_threshold(by_kind["answerable"], by_kind["unanswerable"])},
        dict(sorted(per_tag.items())), outcomes)


def compare(dataset: Dataset, reports: list[RetrieverReport], k: int) -> dict | None:
    """Paired two-sided t-test (ranx.compare) between every pair of retrievers, per metric."""
    if len(reports) < 2:
        return None
    from ranx import Qrels
    from ranx import compare as ranx_compare
    metrics = metric_names(k)
    qids = list(dataset.qrels)
    runs = [ranx_run(r.outcomes, qids, r.retriever) for r in reports]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = ranx_compare(Qrels.from_dict(dataset.qrels), runs, metrics, stat_test="student",
                           max_p=SIGNIFICANCE_P).to_dict()
    pairs, significant = {}, []
    names = [r.retriever for r in reports]
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            pairs[f"{a} vs {b}"] = {}
            for m in metrics:
                p = float(rep[a]["comparisons"][b][m])
                sa, sb = rep[a]["scores"][m], rep[b]["scores"][m]
                pairs[f"{a} vs {b}"][m] = {a: sa, b: sb, "p_value": p}
                if p < SIGNIFICANCE_P and sa != sb:
                    hi, lo = (a, b) if sa > sb else (b, a)
                    significant.append(f"{hi} > {lo} on {m} ({max(sa, sb):.3f} vs {min(sa, sb):.3f}, p={p:.3g})")
    return {"test": "paired two-sided Student's t-test (ranx)", "alpha": SIGNIFICANCE_P,
            "questions": len(qids), "pairs": pairs, "significant": significant}


# --- reports --------------------------------------------------------------------

def _f(x, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(row):   # first column left-aligned, numbers right-aligned
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def summary(dataset: Dataset) -> dict:
    qs = dataset.questions
    answerable = sum(q.answerable for q in qs)
    return {"name": dataset.name, "kind": dataset.kind, "unit": dataset.unit, "questions": len(qs),
            "answerable": answerable, "unanswerable": len(qs) - answerable, "judged": len(dataset.qrels),
            "index": str(getattr(dataset.index, "path", "") or ""),
            "passages": len(dataset.index.chunks), "documents": len(dataset.index.documents)}


def format_text(dataset: Dataset, reports: list[RetrieverReport], comparison: dict | None, k: int,
                failures: int = 0) -> str:
    s = summary(dataset)
    out = [f"{s['name']}: {s['questions']} questions ({s['answerable']} answerable, {s['unanswerable']} "
           f"unanswerable; {s['judged']} judged), ranked by {s['unit']}; index {s['passages']} passages "
           f"of {s['documents']} documents", ""]
    names = [r.retriever for r in reports]
    rows = [[m] + [_f(r.metrics[m]) for r in reports] for m in metric_names(k)]
    rows.append(["latency median ms"] + [_f(r.latency.get("median_ms"), 1) for r in reports])
    rows.append(["latency p95 ms"] + [_f(r.latency.get("p95_ms"), 1) for r in reports])
    if s["unanswerable"]:
        for key, label in (("precision", "abstention precision"), ("recall", "abstention recall"),
                           ("f1", "abstention F1")):
            rows.append([label] + [_f(r.abstention[key]) for r in reports])
    rows.append(["abstained on answerable"] + [_f(r.abstention["rate_on_answerable"]) for r in reports])
    out.append(_table(["metric", *names], rows))

    if comparison:
        out += ["", f"Significant differences ({comparison['test']}, p < {comparison['alpha']}, "
                    f"{comparison['questions']} questions):"]
        out += [f"  {line}" for line in comparison["significant"]] or ["  none"]

    if s["unanswerable"]:
        out += ["", "Best dense cosine (top_dense) of answerable vs unanswerable questions:"]
        rows = []
        for r in reports:
            for kind in ("answerable", "unanswerable"):
                d = r.top_dense[kind]
                if d:
                    rows.append([r.retriever, kind, str(d["n"]), *(_f(d[x]) for x in
                                 ("min", "p10", "p25", "median", "p75", "p90", "max"))])
            bt = r.top_dense["best_threshold"]
            if bt:
                rows.append([r.retriever, f"best threshold {bt['threshold']:.3f}", "", "", "", "", "",
                             f"P {bt['precision']:.2f}", f"R {bt['recall']:.2f}", f"F1 {bt['f1']:.2f}"])
        out.append(_table(["retriever", "questions", "n", "min", "p10", "p25", "median", "p75", "p90", "max"], rows))

    tags = sorted({t for r in reports for t in r.per_tag})
    if tags:
        tag_metrics = [m.format(k=k) for m in TAG_METRICS]
        out += ["", "Per tag (answerable questions):"]
        header = ["tag", "n"] + [f"{n} {m}" for n in names for m in tag_metrics]
        rows = [[t, str(reports[0].per_tag.get(t, {}).get("n", 0))]
                + [_f(r.per_tag.get(t, {}).get(m)) for r in reports for m in tag_metrics] for t in tags]
        out.append(_table(header, rows))

    if failures:
        for r in reports:
            out += ["", format_failures(dataset, r, failures, k)]
    return "\n".join(out)


def first_relevant(ranking: list[str], relevant: dict) -> int | None:
    return next((i for i, item in enumerate(ranking, 1) if item in relevant), None)


def worst_questions(dataset: Dataset, report: RetrieverReport, n: int, k: int) -> list[str]:
    """Judged questions with the lowest reciprocal rank, then nDCG, then the deepest first relevant result."""
    pq = report.per_question

    def key(q: str):
        first = first_relevant(report.outcomes[q].ranking, dataset.qrels[q])
        return pq[q][f"mrr@{k}"], pq[q][f"ndcg@{k}"], -(first or float("inf")), q
    return sorted(pq, key=key)[:n]


def format_failures(dataset: Dataset, report: RetrieverReport, n: int, k: int) -> str:
    by_id = {q.id: q for q in dataset.questions}
    out = [f"{report.retriever}: {n} worst questions"]
    for qid in worst_questions(dataset, report, n, k):
        q, o = by_id[qid], report.outcomes[qid]
        rel = dataset.qrels[qid]
        first = first_relevant(o.ranking, rel)
        out.append(f"  {qid}  {q.question}")
        if q.history:
            out.append(f"      after: {' / '.join(q.history)}")
        out.append(f"      expected: {'; '.join(q.expected())}")
        marks = [f"{c}{' ✓' if item in rel else ''}" for c, item in zip(o.citations, o.ranking)]
        out.append(f"      retrieved: {'; '.join(marks) or '(nothing)'}"
                   f"  — first relevant at rank {first if first else f'>{len(o.ranking)}'}")
    missed = [q.id for q in dataset.questions if not q.answerable and not report.outcomes[q.id].abstained]
    if missed:
        out.append(f"  unanswerable but answered: {', '.join(missed)}")
    return "\n".join(out)


def to_json(dataset: Dataset, reports: list[RetrieverReport], comparison: dict | None, k: int,
            settings: Settings) -> dict:
    from dataclasses import fields
    by_id = {q.id: q for q in dataset.questions}
    retr = {}
    for r in reports:
        questions = []
        for qid, o in r.outcomes.items():
            questions.append({"id": qid, "answerable": by_id[qid].answerable, "abstained": o.abstained,
                              "top_dense": o.top_dense, "ms": round(o.ms, 2), "top3": o.citations,
                              "metrics": r.per_question.get(qid)})
        retr[r.retriever] = {"metrics": r.metrics, "abstention": r.abstention, "latency": r.latency,
                             "top_dense": r.top_dense, "per_tag": r.per_tag, "questions": questions}
    return {"dataset": summary(dataset), "k": k, "metrics": metric_names(k),
            # every setting, so a result can be traced to the tuning it was measured with
            "settings": {f.name: (str(v) if isinstance(v := getattr(settings, f.name), Path) else v)
                         for f in fields(settings)},
            "retrievers": retr, "comparison": comparison}


# --- the command -----------------------------------------------------------------

def parse_retrievers(value: str | None, default: str) -> list[str]:
    from .retrieval import RETRIEVERS
    names = list(dict.fromkeys(n.strip() for n in (value or default).split(",") if n.strip()))
    bad = [n for n in names if n not in RETRIEVERS]
    if bad or not names:
        raise ValueError(f"unknown retriever {', '.join(bad) or repr(value)}; choose from {', '.join(RETRIEVERS)}")
    return names


def evaluate_dataset(dataset: Dataset, settings: Settings, methods: list[str], k: int = 10,
                     progress: bool = False) -> tuple[list[RetrieverReport], dict | None]:
    from .retrieval import Retriever
    retriever = Retriever(dataset.index, settings)
    # The production candidate pool (settings.candidates) is kept unless k asks for more,
    # so hybrid fusion sees the same candidates as `qa ask`.
    depth = max(k, settings.candidates)
    # Warm-up: lazy one-off work (vocabulary for abstention, first FAISS/BM25 calls)
    # would otherwise be billed to the first question of the first retriever.
    for m in methods:
        retriever.search(dataset.questions[0].question, k=depth, method=m)
    reports = [evaluate_retriever(dataset, run_questions(dataset, retriever, m, depth, progress), m, k)
               for m in methods]
    return reports, compare(dataset, reports, k)


def typed_lowercase(dataset: Dataset) -> Dataset:
    """The same questions typed without capitals (history turns too): how the tool fares with
    what users type into a search box. Judgements are unchanged."""
    questions = [dataclasses.replace(q, question=q.question.lower(), history=[h.lower() for h in q.history])
                 for q in dataset.questions]
    return dataclasses.replace(dataset, name=f"{dataset.name} (lowercase)", questions=questions)


def misspelt_names(dataset: Dataset) -> Dataset:
    """The same questions with every delegation name of seven letters or more one letter short
    ("Kazakstan", "Uzbekstan"), history turns too: how the tool fares with names typed in haste."""
    from .delegations import CAPITALS, DELEGATION_ALIASES
    names = {a for a in [*DELEGATION_ALIASES, *CAPITALS] if a.isalpha() and len(a) >= 7}

    def short(m: re.Match) -> str:
        word, mid = m.group(0), len(m.group(0)) // 2
        return word[:mid] + word[mid + 1:] if word.lower() in names else word

    def misspell(text: str) -> str:
        return re.sub(r"[A-Za-z]+", short, text)
    questions = [dataclasses.replace(q, question=misspell(q.question), history=[misspell(h) for h in q.history])
                 for q in dataset.questions]
    return dataclasses.replace(dataset, name=f"{dataset.name} (misspelt names)", questions=questions)


def run_eval_command(args, settings: Settings) -> int:
    k = getattr(args, "k", 10)
    if k < 1:
        raise ValueError("-k must be at least 1")
    methods = parse_retrievers(getattr(args, "retriever", None), settings.retriever)
    progress = sys.stderr.isatty()
    dataset = load_dataset(args.dataset, settings, progress=progress)
    if getattr(args, "misspelt_names", False):
        dataset = misspelt_names(dataset)
    if getattr(args, "lowercase", False):
        dataset = typed_lowercase(dataset)
    if not dataset.qrels:
        raise ValueError(f"{args.dataset}: no answerable question has a relevant passage in the index")
    reports, comparison = evaluate_dataset(dataset, settings, methods, k, progress)
    if getattr(args, "json", False):
        print(json.dumps(to_json(dataset, reports, comparison, k, settings), ensure_ascii=False, indent=1))
    else:
        print(format_text(dataset, reports, comparison, k, getattr(args, "failures", 0) or 0))
    return 0
