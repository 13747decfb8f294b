"""The programmatic APIs against the running app: plain HTTP JSON and gradio_client's /chat."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.browser   # `make test-fast` deselects these

Q = "Which observers did Russia say found the Kazakh vote fair?"


def test_http_api_returns_cli_json(app_url):
    url = app_url + "api/ask?" + urllib.parse.urlencode({"q": Q, "k": 3})
    with urllib.request.urlopen(url, timeout=30) as r:
        data = json.load(r)
    assert set(data) == {"question", "query", "abstained", "abstain_reason", "answer", "passages"}
    assert data["passages"][0]["citation"].startswith("PC.DEL/64/21 ¶")
    assert len(data["passages"]) == 3


def test_gradio_client_chat_endpoint(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    html = client.predict(Q, api_name="/chat")          # the filters are optional
    assert "PC.DEL/64/21 ¶" in html and 'class="qa-cite"' in html
    # the filters are the endpoint's other parameters
    html = client.predict("What was said about the elections?", delegations=["European Union"], since="2021",
                          api_name="/chat")
    assert "PC.DEL/80/21/Rev.1" in html and "PC.DEL/64/21" not in html


def declare_large_body(app_url: str, size: int = 1_000_000):
    """Announce a 1 MB body and wait for the answer before sending it, as a client with
    `Expect: 100-continue` would: the app must refuse on the declared length alone. (Sending
    the whole body first races the server's early 413 against the client's write, which then
    sees a reset connection: that is the client's problem, not a 500.)"""
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(app_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.putrequest("POST", "/api/ask")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def test_live_server_refuses_bad_requests_in_one_line_and_keeps_answering(app_url):
    """Over real HTTP (uvicorn, not the test client): a 1 MB body is refused before it is
    read, a lone surrogate is a 422, health is ok, and the same question still answers."""
    def call(body: bytes):
        req = urllib.request.Request(app_url + "api/ask", data=body, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    before = call(json.dumps({"question": Q, "k": 3}).encode())
    assert declare_large_body(app_url) == (413, {"detail": "request body is larger than 65,536 bytes"})
    assert call(b'{"question": "\\ud800 x"}') == \
        (422, {"detail": "question is not valid Unicode text (a lone surrogate at character 0)"})
    with urllib.request.urlopen(app_url + "api/health", timeout=10) as r:
        assert json.load(r)["status"] == "ok"
    assert call(json.dumps({"question": Q, "k": 3}).encode()) == before and before[0] == 200


def test_gradio_client_chat_with_a_null_message_gets_a_plain_reply(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    for message in (None, 123):
        html = client.predict(message, api_name="/chat")
        assert "Ask a question about the statements" in html and "Traceback" not in html
