"""The HTTP service under bad input: every bad request is a 4xx whose JSON `detail` is one
exact line, nothing is a 500, and the service then answers the same question identically.
Also the question caps of qa/limits.py, the worker queue (503) and /api/health."""

from __future__ import annotations

import json
import threading

import pytest

from qa.limits import Busy, QuestionError, check_history, check_question
from qa.server import Service

Q = "Which observers did Russia say found the Kazakh vote fair?"
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def service(retriever, seed_index, seed_settings):
    return Service(seed_index, retriever, seed_settings.with_(wait_seconds=0.5))


@pytest.fixture(scope="module")
def client(service):
    from fastapi.testclient import TestClient

    from qa.server import create_app
    with TestClient(create_app(service), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def reference(client):
    r = client.get("/api/ask", params={"q": Q, "k": 3})
    assert r.status_code == 200
    return r.json()


over_cap = "why " * 500 + "?"     # 2,001 characters
many_tokens = "ʘ" * 600             # 600 characters, 1,200 cl100k_base tokens

# (what is sent, expected status, expected detail). Raw bytes are sent as they are.
BAD_POSTS = [
    (b'{"question": "\\ud800 x"}', 422, "question is not valid Unicode text (a lone surrogate at character 0)"),
    (b'{"question": "x", "k": 1e400}', 422, "k: input should be a finite number"),
    (b'{"question": "x", "k": 0}', 422, "k: input should be greater than or equal to 1"),
    (b'{"question": "x", "k": 51}', 422, "k: input should be less than or equal to 50"),
    (b'{"question": "x", "k": "many"}', 422,
     "k: input should be a valid integer, unable to parse string as an integer"),
    (b'{"question": "x", ', 422, "body is not valid JSON: Expecting property name enclosed in double quotes "
                                 "(character 18)"),
    (b"[1, 2]", 422, 'body must be a JSON object, e.g. {"question": "..."}'),
    (b"", 422, 'request body is missing: send a JSON object, e.g. {"question": "..."}'),
    (b"{}", 422, "question is required"),
    (b'{"question": null}', 422, "question: input should be a valid string"),
    (b'{"question": 123}', 422, "question: input should be a valid string"),
    (b'{"question": ["a"]}', 422, "question: input should be a valid string"),
    (b'{"question": "   "}', 422, "question is empty"),
    (json.dumps({"question": over_cap}).encode(), 422,
     "question is too long: 2,001 characters (at most 2,000); ask about one thing at a time"),
    (json.dumps({"question": many_tokens}).encode(), 422,
     "question is too long: 1,200 tokens (at most 1,000); ask about one thing at a time"),
    (json.dumps({"question": "x" * 70_000}).encode(), 413, "request body is larger than 65,536 bytes"),
    (json.dumps({"question": "x", "delegation": ["EU"] * 101}).encode(), 422,
     "delegation has 101 values (at most 100)"),
    (json.dumps({"question": "x", "doc": ["PC.DEL/64/21"] * 1000}).encode(), 422,
     "doc has 1,000 values (at most 100)"),
    (json.dumps({"question": "x", "history": ["y"] * 21}).encode(), 422,
     "history has 21 turns (at most 20); send the latest ones"),
    (json.dumps({"question": "x", "history": [over_cap]}).encode(), 422,
     "history[0] is too long: 2,001 characters (at most 2,000); ask about one thing at a time"),
    (b'{"question": "x", "history": "earlier?"}', 422, "history: input should be a valid list"),
    (b'{"question": "x", "history": [null]}', 422, "history.0: input should be a valid string"),
    (b'{"question": "x", "delegation": ["\\udc00"]}', 422,
     "delegation[0] is not valid Unicode text (a lone surrogate at character 0)"),
    (b'{"question": "x", "since": "\\ud800"}', 422, "since is not valid Unicode text (a lone surrogate at character 0)"),
    (b'{"question": "x", "history": ["\\ud800?"]}', 422,
     "history[0] is not valid Unicode text (a lone surrogate at character 0)"),
    (b'{"question": "x", "since": "2021-02-30"}', 422, "since '2021-02-30' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"),
    (b'{"question": "x", "since": 2021}', 422, "since: input should be a valid string"),
    (b'{"question": "x", "retriever": "magic"}', 422, "retriever must be dense, bm25 or hybrid"),
]


@pytest.mark.parametrize("body,status,detail", BAD_POSTS, ids=[d[:40] for _, _, d in BAD_POSTS])
def test_bad_post_bodies_get_one_exact_line_and_the_service_still_answers(client, reference, body, status, detail):
    r = client.post("/api/ask", content=body, headers=JSON)
    assert (r.status_code, r.json()) == (status, {"detail": detail})
    again = client.get("/api/ask", params={"q": Q, "k": 3})
    assert again.status_code == 200 and again.json() == reference


BAD_GETS = [
    ("q=x&k=1e400", 422, "k: input should be a valid integer, unable to parse string as an integer"),
    ("q=x&k=-1", 422, "k: input should be greater than or equal to 1"),
    ("k=3", 422, "q is required"),
    ("q=", 422, "question is empty"),
    ("q=x&until=2021-13-45", 422, "until '2021-13-45' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"),
    ("q=x&since=2022&until=2021", 422, "since '2022' is after until '2021': nothing can match"),
    ("q=" + "a" * 2001, 422, "question is too long: 2,001 characters (at most 2,000); ask about one thing at a time"),
    ("q=x&" + "&".join(["doc=a"] * 101), 422, "doc has 101 values (at most 100)"),
]


@pytest.mark.parametrize("query,status,detail", BAD_GETS, ids=[q[:30] for q, _, _ in BAD_GETS])
def test_bad_get_queries_get_one_exact_line(client, reference, query, status, detail):
    r = client.get("/api/ask?" + query)
    assert (r.status_code, r.json()) == (status, {"detail": detail})
    assert client.get("/api/ask", params={"q": Q, "k": 3}).json() == reference


def test_invalid_utf8_in_a_query_string_is_replaced_not_a_500(client):
    r = client.get("/api/ask?q=%ED%A0%80%20elections")   # a surrogate, UTF-8 encoded
    assert r.status_code == 200 and r.json()["question"] == "\ufffd\ufffd\ufffd elections"


def test_streamed_body_over_the_limit_is_413_and_bad_content_length_400(client):
    def chunks():
        for _ in range(100):
            yield b"x" * 1000
    r = client.post("/api/ask", content=chunks(), headers=JSON)
    assert (r.status_code, r.json()) == (413, {"detail": "request body is larger than 65,536 bytes"})
    r = client.post("/api/ask", content=b'{"question": "x"}', headers={**JSON, "content-length": "lots"})
    assert (r.status_code, r.json()) == (400, {"detail": "Content-Length is not a number"})


def test_a_question_at_the_cap_is_answered(client):
    q = ("What did the delegations say about the elections in Kazakhstan " * 40)[:2000]
    r = client.post("/api/ask", json={"question": q, "k": 2})
    assert r.status_code == 200 and r.json()["question"] == q.strip()


def test_an_unexpected_error_is_a_short_500_and_logged(client, service, monkeypatch, caplog):
    def boom(*a, **kw):
        raise RuntimeError("secret internals")
    monkeypatch.setattr("qa.server.ask", boom)
    r = client.get("/api/ask", params={"q": Q})
    assert (r.status_code, r.json()) == (500, {"detail": "internal error; the server log has the details"})
    assert "secret internals" not in r.text
    assert any("RuntimeError: secret internals" in (rec.exc_text or "") for rec in caplog.records)


# --- the worker queue and health ---------------------------------------------------------

def test_busy_worker_gives_503_and_health_reports_a_stuck_question(client, service, monkeypatch):
    started, release = threading.Event(), threading.Event()

    def slow(*a, **kw):
        started.set()
        release.wait(10)
        raise RuntimeError("released")
    monkeypatch.setattr("qa.server.ask", slow)
    monkeypatch.setattr(service, "settings", service.settings.with_(stuck_seconds=0.2))
    t = threading.Thread(target=lambda: client.get("/api/ask", params={"q": "first"}))
    t.start()
    try:
        assert started.wait(10)
        r = client.get("/api/ask", params={"q": "second"})   # waits wait_seconds=0.5, then gives up
        assert r.status_code == 503 and r.json() == {"detail": "busy: no answer slot within 0.5 s; "
                                                               "try again in a few seconds"}
        assert r.headers["retry-after"] == "2"
        h = client.get("/api/health")
        assert h.status_code == 503 and h.json()["status"] == "degraded" and h.json()["running_seconds"] > 0.2
    finally:
        release.set()
        t.join()
    h = client.get("/api/health")
    assert h.status_code == 200 and h.json()["status"] == "ok" and h.json()["running_seconds"] == 0


def test_full_queue_refuses_at_once(service, monkeypatch):
    monkeypatch.setattr(service, "settings", service.settings.with_(max_waiting=0))
    with pytest.raises(Busy, match="busy: 0 questions are waiting"):
        service.ask(Q)


# --- the caps themselves -----------------------------------------------------------------

def test_check_question(seed_settings):
    assert check_question("  Who spoke?  ", seed_settings) == "Who spoke?"
    assert check_question("x" * 2000, seed_settings) == "x" * 2000
    for bad, message in [(None, "question is missing"), (123, "question must be text, not int"),
                         ("", "question is empty"), ("\ud800 x", "question is not valid Unicode text"),
                         ("x" * 2001, "question is too long: 2,001 characters")]:
        with pytest.raises(QuestionError, match=message.replace("(", r"\(")):
            check_question(bad, seed_settings)
    with pytest.raises(QuestionError, match="history must be a list"):
        check_history("a question", seed_settings)


def test_service_checks_every_path_and_keeps_a_chats_latest_turns(service, seed_settings):
    with pytest.raises(QuestionError, match="too long"):
        service.ask("x" * 2001)
    # a long conversation keeps working: only its latest turns are used
    first = "What did the EU say about Kazakhstan's January 2021 elections?"
    answer = service.ask("And how did Russia assess them?", history=["Hello?"] * 30 + [first])
    assert any(h.doc.id == "PC.DEL/64/21" for h in answer.hits)
