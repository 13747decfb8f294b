"""Could a learned abstainer catch what the rules miss? (tenth pass, docs/benchmarks.md)

    python scripts/learned_abstention.py            # features of every split, then the fit

For every question of every split that the rules do not refuse, it takes 14 features of the
search (best cosine, cosines of the first and fifth hit, fused score and its drop to the
fifth, the idf-weighted share of the question's terms in the first hit and the best of five,
the share and the largest idf of terms no top-five passage has, the number of terms, whether
an answer type is asked and held, follow-up, the named speaker among the top five), fits a
logistic regression on the dev splits (numpy, class-balanced, standardised features) and
prints, for thresholds that refuse at most 3 % of dev's answerable questions, what it
catches on dev and on the test splits.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from qa.settings import Settings, offline_environment  # noqa: E402

offline_environment()
import numpy as np  # noqa: E402

from qa.answer_types import holds  # noqa: E402
from qa.evaluation import load_dataset  # noqa: E402
from qa.retrieval import Retriever, bm25_coverage, bm25_idf, bm25_query_tokens  # noqa: E402

MIXED = ("index/mixed-corpus", "index/mixed")
UN = ("index/un-2015/corpus", "index/un-2015/index")
SETS = [(f"{n}-{sp}", MIXED) for sp in ("dev", "test")
        for n in "mixed mixed2 mixed3 mixed4 mixed5 chat chat2 chat3 chat4 chat5 chat6 stance stance2".split()]
SETS += [(f"{n}-{sp}", UN) for sp in ("dev", "test") for n in "un un2 un3 un4".split()]
SETS += [("unanswerable-dev", MIXED), ("chat7-dev", MIXED), ("chat8-dev", MIXED), ("fresh-test", MIXED),
         ("rules-mixed-test", MIXED), ("rules9-mixed-test", MIXED), ("rules-un-test", UN), ("rules9-un-test", UN),
         ("regions-un-test", UN), ("osce-dev", ("corpus", "index")), ("osce-heldout", ("corpus", "index"))]
FEATURES = ["best", "cos1", "cos5", "score1", "score_drop", "cov1", "cov5", "missing_share", "missing_max_idf",
            "n_terms", "kinds", "kinds_missing", "followup", "own_speaker"]


def features(r, res, positions) -> list[float]:
    u, hits, bm = res.understood, res.hits, r.index.bm25
    cos = [h.dense for h in hits] or [0.0]
    ids = np.array([positions[id(h.chunk)] for h in hits], dtype=np.int64)
    terms = sorted(set(bm25_query_tokens(bm, u.own)))
    cov1 = cov5 = missing_share = missing_max = 0.0
    if terms and len(ids):
        cov = bm25_coverage(bm, terms, ids)
        cov1, cov5 = float(cov[0]), float(cov[:5].max())
        indptr = bm.scores["indptr"]
        idf = bm25_idf(bm, np.array([indptr[t + 1] - indptr[t] for t in terms], dtype=np.float64))
        found = np.array([bm25_coverage(bm, [t], ids[:5]).max() > 0 for t in terms])
        missing_share = float(idf[~found].sum() / idf.sum())
        missing_max = float(idf[~found].max()) if (~found).any() else 0.0
    own = any(sp == h.doc.delegation for sp in u.speakers for h in hits[:5]) if u.speakers else True
    return [res.top_dense or 0.0, cos[0], cos[min(4, len(cos) - 1)], hits[0].score if hits else 0.0,
            (hits[0].score - hits[min(4, len(hits) - 1)].score) if hits else 0.0, cov1, cov5, missing_share,
            missing_max, len(terms), float(bool(u.kinds)),
            float(bool(u.kinds) and not any(holds(h.chunk.text, u.kinds, u.counts or None) for h in hits[:5])),
            float(u.followup), float(own)]


def fit(X, y, steps=3000, lr=0.1, l2=1e-2):
    """Class-balanced logistic regression by gradient descent (X standardised)."""
    w, b = np.zeros(X.shape[1]), 0.0
    weight = np.where(y, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        g = weight * (p - y)
        w -= lr * (X.T @ g / len(y) + l2 * w)
        b -= lr * g.mean()
    return w, b


def main():
    rows, retrievers = [], {}
    for name, (corpus, idx) in SETS:
        s = Settings.from_env().with_(corpus_dir=corpus, index_dir=idx)
        ds = load_dataset(f"eval/{name}.jsonl", s, log=lambda *a: None)
        r = retrievers.get(idx) or retrievers.setdefault(idx, Retriever(ds.index, s))
        positions = {id(c): i for i, c in enumerate(r.index.chunks)}
        for q in ds.questions:
            res = r.search(q.question, k=10, history=q.history)
            if not res.abstained:    # the rules' refusals stand; the question is what they miss
                test = name.endswith(("test", "heldout"))
                rows.append((test, not q.answerable, features(r, res, positions)))
    split = {t: (np.array([f for tt, _, f in rows if tt == t]), np.array([u for tt, u, _ in rows if tt == t]))
             for t in (False, True)}
    (Xd, yd), (Xt, yt) = split[False], split[True]
    mu, sd = Xd.mean(0), Xd.std(0) + 1e-9
    w, b = fit((Xd - mu) / sd, yd.astype(float))
    print("weights:", {f: round(float(x), 2) for f, x in zip(FEATURES, w)})
    pd, pt = (Xd - mu) / sd @ w + b, (Xt - mu) / sd @ w + b
    print(f"not refused by the rules: dev {(~yd).sum()} answerable, {yd.sum()} unanswerable; "
          f"test {(~yt).sum()} answerable, {yt.sum()} unanswerable")
    for q in (0.97, 0.98, 0.99, 1.0):
        th = np.quantile(pd[~yd], q)
        print(f"threshold at dev answerable quantile {q:.2f}: dev caught {(pd[yd] > th).sum()}/{yd.sum()}, "
              f"answerable refused {(pd[~yd] > th).sum()}/{(~yd).sum()} | test caught {(pt[yt] > th).sum()}/"
              f"{yt.sum()}, answerable refused {(pt[~yt] > th).sum()}/{(~yt).sum()}")


if __name__ == "__main__":
    main()
