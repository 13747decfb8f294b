"""A bounded load test of the real app on loopback, run in CI (`make test`).

The app starts as a subprocess on a free 127.0.0.1 port over the seed corpus. Twenty
client threads send a few hundred questions to /api/ask, among them one question at
the length cap, one just over it, and one 1 MB body. Checked: no 5xx and no connection
error; over-cap questions are refused at once, without waiting for the worker; small
questions' p95 latency stays within a bound of their median (one long question does
not hold everyone up); RSS growth after warm-up stays under a stated bound; and SIGTERM
with requests in flight stops the process within 5 s.

The same code measures longer runs for docs/hardening.md:

    .venv/bin/python tests/test_load.py --requests 2500 --clients 20
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:   # run as a script: import the worktree's qa package
    sys.path.insert(0, str(ROOT))

from qa.settings import Settings  # noqa: E402

pytestmark = pytest.mark.load

START_TIMEOUT = 120      # seconds: import gradio + model load + index build on 2 busy cores
CAP = Settings().max_question_chars
SMALL = [
    "Which observers did Russia say found the Kazakh vote fair?",
    "What did the United States say about media freedom in 2016?",
    "How did Russia and the EU differ on the January 2021 elections in Kazakhstan?",
    "What did the EU say about Kazakhstan's January 2021 elections?",
    "Who won the 2022 presidential election in Kazakhstan?",
    "What did the European Union say about fundamental freedoms?",
    "Which international observers monitored the vote?",
    "What was said about the OSCE/ODIHR recommendations?",
]
WORDS = ("the OSCE observers said Russia and Kazakhstan elections were free and fair while the "
         "European Union noted limits on fundamental freedoms media and assembly").split()


def prose(n_chars: int, seed: int = 0) -> str:
    """Question-like filler of exactly n_chars characters (words, some capitalised names)."""
    rng = random.Random(seed)
    words, length = [], 0
    while length < n_chars:
        w = rng.choice(WORDS)
        words.append(w.capitalize() if rng.random() < 0.2 else w)
        length += len(w) + 1
    return " ".join(words)[:n_chars - 1].rstrip() + "?"


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class App:
    """app.py in a subprocess over the seed corpus with a temporary index."""

    def __init__(self, workdir: Path, extra_env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "QA_CORPUS_DIR": str(ROOT / "corpus"), "QA_INDEX_DIR": str(workdir / "index"),
               "GRADIO_TEMP_DIR": str(workdir / "gradio"), **(extra_env or {})}
        self.log_path = workdir / "app.log"
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(self.port)],
                                     cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"app not serving after {START_TIMEOUT}s:\n{self.log()}")
            time.sleep(0.5)

    def log(self) -> str:
        return self.log_path.read_text()[-3000:]

    def rss(self) -> float:
        return rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


@dataclass
class Run:
    results: list = field(default_factory=list)   # (kind, status, seconds); status 0 = connection error
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.results.append((kind, status, seconds))

    def of(self, kind: str) -> list:
        return [r for r in self.results if r[0] == kind]


def post(client, url: str, body: bytes) -> int:
    import httpx
    try:
        return client.post(url + "/api/ask", content=body, headers={"content-type": "application/json"}).status_code
    except httpx.HTTPError:
        return 0


def load(url: str, requests: list[tuple[str, bytes]], clients: int, run: Run | None = None) -> Run:
    """Send every (kind, body) to POST /api/ask from `clients` threads; returns the results."""
    import httpx

    run = run or Run()
    todo = list(requests)
    todo_lock = threading.Lock()

    def worker():
        with httpx.Client(timeout=180) as client:   # longer than any wait for the worker
            while True:
                with todo_lock:
                    if not todo:
                        return
                    kind, body = todo.pop()
                t = time.perf_counter()
                status = post(client, url, body)
                run.add(kind, status, time.perf_counter() - t)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return run


def mix(n: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """n small questions with one at the cap, one over it and one 1 MB body spread among them."""
    rng = random.Random(seed)
    body = lambda q: json.dumps({"question": q, "k": 5}).encode()   # noqa: E731
    out = [("small", body(rng.choice(SMALL))) for _ in range(n)]
    out[n // 4] = ("at_cap", body(prose(CAP, seed)))
    out[n // 2] = ("over_cap", body(prose(CAP + 1, seed)))
    out[3 * n // 4] = ("1MB", body(prose(1_000_000, seed)))
    out.reverse()   # load() pops from the end
    return out


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def measure(app: App, requests: int, clients: int, warmup: int) -> dict:
    load(app.url, mix(warmup, seed=1), clients)
    rss_warm = app.rss()
    t = time.perf_counter()
    run = load(app.url, mix(requests), clients)
    wall = time.perf_counter() - t
    small = [s for _, st, s in run.of("small")]
    return {
        "requests": len(run.results), "clients": clients, "seconds": round(wall, 1),
        "per_second": round(len(run.results) / wall, 1),
        "errors": sum(1 for _, st, _ in run.results if st == 0 or st >= 500),
        "statuses": {k: sorted({st for _, st, _ in run.of(k)}) for k in ("small", "at_cap", "over_cap", "1MB")},
        "small_median_s": round(statistics.median(small), 3), "small_p95_s": round(p95(small), 3),
        "at_cap_s": round(run.of("at_cap")[0][2], 3), "over_cap_s": round(run.of("over_cap")[0][2], 3),
        "1MB_s": round(run.of("1MB")[0][2], 3),
        "rss_after_warmup_mb": round(rss_warm), "rss_end_mb": round(app.rss()),
        "rss_growth_mb": round(app.rss() - rss_warm),
    }


def sigterm_with_requests_in_flight(app: App, clients: int = 20) -> float:
    """Seconds from SIGTERM to exit while `clients` requests are running or queued."""
    run = Run()
    body = json.dumps({"question": SMALL[0]}).encode()
    threading.Thread(target=load, args=(app.url, [("small", body)] * (clients * 5), clients, run),
                     daemon=True).start()
    time.sleep(1.0)
    t = time.monotonic()
    app.proc.send_signal(signal.SIGTERM)
    try:
        app.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    return time.monotonic() - t


# --- the CI test ---------------------------------------------------------------------

RSS_GROWTH_BOUND_MB = 150   # after warm-up, over the 200 requests of the test


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    # A long wait for the worker: this test asks whether anything fails under load, on
    # whatever else the CI machine runs; the 503 of a full queue is tested in test_server.py.
    app = App(tmp_path_factory.mktemp("load"), {"QA_WAIT_SECONDS": "60"})
    yield app
    app.stop()


def test_load_no_errors_bounded_latency_and_memory(app):
    m = measure(app, requests=200, clients=20, warmup=40)
    print(json.dumps(m))
    assert m["errors"] == 0, m
    assert m["statuses"] == {"small": [200], "at_cap": [200], "over_cap": [422], "1MB": [413]}, m
    # refused questions never wait for the worker
    assert m["over_cap_s"] < 1.0 and m["1MB_s"] < 2.0, m
    # one worker, 20 clients: a small question waits for the others in the queue, so its
    # latency is about 20 answers long; p95 within 3x the median means no single question
    # (the one at the cap included) held the queue up for long
    assert m["small_p95_s"] <= 3 * m["small_median_s"] + 0.5, m
    assert m["rss_growth_mb"] < RSS_GROWTH_BOUND_MB, m


def test_sigterm_stops_the_app_within_5_s(app):
    seconds = sigterm_with_requests_in_flight(app)
    assert app.proc.poll() is not None and seconds < 5, (seconds, app.log())


def compare_workers(questions: int = 40) -> dict:
    """In one process over the index in $QA_INDEX_DIR: ms per question for a small question
    and one at the cap, and questions per second with one worker vs two threads each
    holding its own model copy (the tokenizer cannot be shared between threads)."""
    from qa.answer import ask
    from qa.embedding import Embedder
    from qa.index import load_current
    from qa.retrieval import Retriever

    settings = Settings.from_env()
    index = load_current(settings, rebuild=True)
    one = Retriever(index, settings)
    out = {}
    for name, q in (("small_ms", SMALL[0]), ("at_cap_ms", prose(CAP))):
        ask(one, q)
        t = time.perf_counter()
        for _ in range(questions // 2):
            ask(one, q)
        out[name] = round((time.perf_counter() - t) / (questions // 2) * 1000)
    two = Retriever(index, settings, embedder=Embedder(index.manifest["settings"]["model"]))
    for workers in ([one], [one, two]):
        def run(r):
            for i in range(questions // len(workers)):
                ask(r, SMALL[i % len(SMALL)])
        threads = [threading.Thread(target=run, args=(r,)) for r in workers]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        out[f"per_second_{len(workers)}_workers"] = round(questions / (time.perf_counter() - t), 2)
    return out


def trace_memory(warmup: int = 20, questions: int = 150, top: int = 5) -> list[str]:
    """In one process over the index in $QA_INDEX_DIR: the Python allocations that grew
    most (tracemalloc) over `questions` questions after `warmup`; one in three is 50 to
    2,000 characters of filler prose, the rest small questions made unique."""
    import tracemalloc

    from qa.index import load_current
    from qa.retrieval import Retriever
    from qa.server import Service

    settings = Settings.from_env()
    index = load_current(settings, rebuild=True)
    service = Service(index, Retriever(index, settings), settings)
    rng = random.Random(0)

    def question(i):
        return f"{rng.choice(SMALL)} {i}" if i % 3 else prose(rng.randint(50, CAP), seed=i)
    for i in range(warmup):
        service.ask(question(i))
    tracemalloc.start(10)
    before = tracemalloc.take_snapshot()
    for i in range(warmup, warmup + questions):
        service.ask(question(i))
    after = tracemalloc.take_snapshot()
    lines = [f"{questions} questions after {warmup}: Python heap {sum(s.size for s in after.statistics('filename')) / 2**20:.1f} MiB "
             f"traced, grew {sum(d.size_diff for d in after.compare_to(before, 'filename')) / 2**10:.0f} KiB"]
    for d in after.compare_to(before, "lineno")[:top]:
        lines.append(f"{d.size_diff / 2**10:+8.0f} KiB {d.count_diff:+6d} blocks  {d.traceback[0]}")
    return lines


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="load the app on loopback and print the figures as JSON")
    p.add_argument("--compare-workers", action="store_true",
                   help="instead: time questions in-process, one worker vs two (index: $QA_INDEX_DIR)")
    p.add_argument("--tracemalloc", action="store_true",
                   help="instead: what Python allocations grow over 150 questions (index: $QA_INDEX_DIR)")
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--warmup", type=int, default=60)
    p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra app environment")
    args = p.parse_args(argv)
    if args.tracemalloc:
        print("\n".join(trace_memory()))
        return 0
    if args.compare_workers:
        print(json.dumps(compare_workers(), indent=1))
        return 0
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        app = App(Path(tmp), dict(kv.split("=", 1) for kv in args.env))
        try:
            rss_start = app.rss()
            m = measure(app, args.requests, args.clients, args.warmup)
            m["rss_start_mb"] = round(rss_start)
            m["sigterm_exit_s"] = round(sigterm_with_requests_in_flight(app), 2)
        finally:
            app.stop()
    print(json.dumps(m, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
