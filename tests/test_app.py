"""The app without a browser: HTML rendering and escaping, citation anchors, inputs, and the HTTP API."""

from __future__ import annotations

import html
import json
import re

import pytest

from qa.answer import Answer, Sentence, ask, no_answer_message, to_json
from qa.server import Service
from qa.app_ui import (chat_fn, cite_href, date_bound, esc, highlight, make_filters, parse_cite,
                       render_answer, render_citation, render_document, user_turns)
from qa.chunking import Chunk
from qa.documents import Document
from qa.retrieval import Hit, Result

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
MDLINK = "[click](javascript:window.__pwned=1)"
US_Q = "What did the United States say about media freedom in 2016?"
RU_Q = "Which observers did Russia say found the Kazakh vote fair?"


def hostile_answer() -> Answer:
    paras = ["Mr. Chairperson,",
             f"We saw {SCRIPT} on the ministry's page.",
             f"It showed {IMG} and told readers to {MDLINK} now.",
             "Thank you."]
    doc = Document(id='EVIL/1/21"><b>x</b>', source="evil.txt", paragraphs=paras, date="2021-03-04",
                   delegation="<b>Freedonia</b>", title=f"Title {SCRIPT}")
    hits = [Hit(Chunk(doc.id, [2], paras[1], paras[1]), doc, 0.9, 0.9),
            Hit(Chunk(doc.id, [3], paras[2], paras[2]), doc, 0.8, 0.8)]
    answer = Answer(Result("q", "q", hits))
    answer.lead = [Sentence(doc.id, 2, paras[1], 0.9)]
    answer.highlights = {0: Sentence(doc.id, 2, paras[1], 0.9), 1: Sentence(doc.id, 3, paras[2], 0.8)}
    return answer


def tags(markup: str) -> list[str]:
    return re.findall(r"<[^>]*>", markup)


def assert_inert(markup: str) -> None:
    """No element or attribute in `markup` comes from the corpus: only our own tags."""
    for tag in tags(markup):
        assert not re.match(r"</?(script|img|b|iframe)\b", tag), tag
        assert "onerror" not in tag and "javascript" not in tag, tag
    for bad in ("](", "<script", "<img"):
        assert bad not in markup


def hrefs(markup: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', markup)


# --- escaping --------------------------------------------------------------------

def test_esc_is_reversible_and_leaves_no_markup_or_markdown():
    for s in (SCRIPT, IMG, MDLINK, "a & b 'c' \"d\" $$x$$ `y` *z* _w_ # h |t|", "country&#x27;s"):
        out = esc(s)
        assert html.unescape(out) == s
        assert not set(out) & set("<>\"'[]()*_`$|")


def test_hostile_passage_renders_as_text():
    out = render_answer(hostile_answer())
    assert_inert(out)
    assert all(h.startswith("#cite=") for h in hrefs(out))
    # the payloads are all still there, as text
    text = html.unescape(re.sub(r"<[^>]+>", "", out))
    for payload in (SCRIPT, IMG, MDLINK, "<b>Freedonia</b>"):
        assert payload in text


def test_hostile_document_panel_renders_as_text():
    doc = hostile_answer().hits[0].doc
    out = render_document(doc, [3])
    assert_inert(out)
    assert '<div class="qa-para is-cited" id="p-3">' in out
    assert out.count("is-cited") == 1
    assert html.unescape(re.sub(r"<[^>]+>", "", out)).count(SCRIPT) == 2   # title and ¶2


def test_highlight_marks_only_a_verbatim_sentence():
    text = "First <one>. Second sentence here. Third."
    out = highlight(text, "Second sentence here.")
    assert out == 'First &#60;one&#62;. <mark class="qa-hl">Second sentence here.</mark> Third.'
    assert "<mark" not in highlight(text, "A sentence that is not there.")
    assert highlight(text, None) == esc(text)


# --- citations ----------------------------------------------------------------------

@pytest.mark.parametrize("doc_id", ["PC.DEL/64/21", "PC.DEL/80/21/Rev.1", "a|b c#d", "us-pc-2016-04-07-x"])
def test_cite_href_round_trips(doc_id):
    assert parse_cite(cite_href(doc_id, 3)) == (doc_id, [3])
    assert parse_cite(cite_href(doc_id, [3, 4])) == (doc_id, [3, 4])
    assert cite_href(doc_id, 3).startswith("#cite=")


@pytest.mark.parametrize("bad", ["", "#cite=", "#cite=x", "#cite=x|", "#cite=x|a", "#other=x|3",
                                 "#cite=x|5-2", "#cite=x|1-999", "javascript:alert(1)"])
def test_parse_cite_rejects_malformed(bad):
    assert parse_cite(bad) is None


def test_answer_citations_point_at_real_paragraphs_and_quotes_are_verbatim(retriever, seed_index):
    answer = ask(retriever, RU_Q)
    assert not answer.result.abstained
    out = render_answer(answer, RU_Q)
    links = re.findall(r'<a class="qa-cite" href="([^"]*)"[^>]*>([^<]*)</a>', out)
    assert len(links) == len(answer.lead) + len(answer.hits)
    for href, label in links:
        doc_id, paras = parse_cite(html.unescape(href))
        doc = seed_index.document(doc_id)
        assert all(1 <= p <= len(doc.paragraphs) for p in paras)
        assert html.unescape(label).startswith(f"{doc_id} ¶{paras[0]}")
    # every lead quote and every <mark> is verbatim in the paragraph it cites
    for s in answer.lead:
        assert s.text in seed_index.document(s.doc_id).paragraphs[s.paragraph - 1]
        assert f"“{esc(s.text)}”" in out
    marks = [html.unescape(m) for m in re.findall(r'<mark class="qa-hl">(.*?)</mark>', out)]
    assert marks and len(marks) == len(answer.highlights)
    for pos, s in answer.highlights.items():
        assert s.text in marks
        assert s.text in seed_index.document(s.doc_id).paragraphs[s.paragraph - 1]
        assert s.paragraph in answer.hits[pos].chunk.paragraphs
    # passages are grouped by statement, in order of each statement's best hit
    assert out.count('class="qa-doc"') == len(answer.groups())


def test_render_citation_opens_the_cited_paragraph(seed_index):
    doc = seed_index.document("PC.DEL/64/21")
    out = render_citation(seed_index, cite_href(doc.id, 3))
    assert '<div class="qa-para is-cited" id="p-3">' in out
    assert len(re.findall(r'class="qa-para( is-cited)?"', out)) == len(doc.paragraphs)
    assert "No statement with id" in render_citation(seed_index, cite_href("NOPE/1", 1))
    assert "is-cited" not in render_citation(seed_index, "#cite=bogus")


def test_abstention_says_so_plainly():
    answer = Answer(Result("Who won the 2019 budget vote?", "q", [], abstained=True, reason="a <b>reason</b>"))
    out = render_answer(answer, "Who won <the> 2019 budget vote?")
    assert "qa-passage" not in out
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == \
        no_answer_message("Who won <the> 2019 budget vote?") + "Why: a <b>reason</b>."


# --- inputs --------------------------------------------------------------------------

def test_date_bounds():
    assert date_bound("2021") == "2021-01-01" and date_bound("2021", end=True) == "2021-12-31"
    assert date_bound("2024-02", end=True) == "2024-02-29" and date_bound("2021-12", end=True) == "2021-12-31"
    assert date_bound(" 2021-01-22 ") == "2021-01-22" and date_bound("") is None
    for bad in ("21-1-2", "2021-13", "yesterday", "2021-02-30"):
        with pytest.raises(ValueError):
            date_bound(bad)


def test_make_filters():
    assert make_filters(None, "", "", None) is None
    f = make_filters(["European Union"], "2021", "2021-02", [])
    assert (f.delegations, f.since, f.until, f.docs) == (["European Union"], "2021-01-01", "2021-02-28", [])
    assert make_filters("Russian Federation", None, None, "PC.DEL/64/21").docs == ["PC.DEL/64/21"]


def test_user_turns_reads_gradio_history_formats():
    history = [{"role": "user", "content": "First?"}, {"role": "assistant", "content": "<div>…</div>"},
               {"role": "user", "content": [{"type": "text", "text": "Second?"}]},
               {"role": "assistant", "content": "x"}]
    assert user_turns(history) == ["First?", "Second?"]
    assert user_turns(None) == []


def test_chat_fn_passes_history_and_filters(retriever, seed_index, seed_settings):
    chat = chat_fn(Service(seed_index, retriever, seed_settings))
    first = "What did the EU say about Kazakhstan's January 2021 elections?"
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": "…"}]
    out = chat("And how did Russia assess them?", history, [], "", "", [])
    assert "PC.DEL/64/21 ¶" in out
    out = chat("What was said about the elections?", [], ["European Union"], "", "", [])
    labels = re.findall(r'class="qa-cite"[^>]*>([^<]*)<', out)
    assert labels and all(label.startswith("PC.DEL/80/21/Rev.1") for label in labels)
    assert "not a date" in chat("Anything?", [], [], "last year", "", [])


# --- HTTP API ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(retriever, seed_index, seed_settings):
    from fastapi.testclient import TestClient

    from qa.server import create_app
    with TestClient(create_app(Service(seed_index, retriever, seed_settings))) as c:
        yield c


def roundtrip(d: dict) -> dict:
    return json.loads(json.dumps(d))


def test_api_get_returns_the_cli_json(client, retriever):
    r = client.get("/api/ask", params={"q": RU_Q, "k": 3})
    assert r.status_code == 200
    assert r.json() == roundtrip(to_json(ask(retriever, RU_Q, k=3)))
    assert set(r.json()) == {"question", "query", "abstained", "abstain_reason", "answer", "passages"}


def test_api_post_with_filters_and_history(client, retriever):
    from qa.retrieval import Filters
    body = {"question": "What was said about the elections?", "k": 4, "delegation": ["European Union"],
            "since": "2021", "until": "2021-12-31"}
    r = client.post("/api/ask", json=body)
    assert r.status_code == 200
    expected = ask(retriever, body["question"], k=4,
                   filters=Filters(delegations=["European Union"], since="2021-01-01", until="2021-12-31"))
    assert r.json() == roundtrip(to_json(expected))
    assert {p["delegation"] for p in r.json()["passages"]} == {"European Union"}

    first = "What did the EU say about Kazakhstan's January 2021 elections?"
    r = client.get("/api/ask", params={"q": "And how did Russia assess them?", "history": [first]})
    assert any(p["doc_id"] == "PC.DEL/64/21" for p in r.json()["passages"])


def test_api_rejects_bad_input(client):
    assert client.get("/api/ask", params={"q": "x", "since": "soon"}).status_code == 422
    assert client.get("/api/ask", params={"q": " "}).status_code == 422
    assert client.get("/api/ask", params={"q": "x", "k": 0}).status_code == 422
    assert client.get("/api/ask").status_code == 422
    assert client.post("/api/ask", json={"question": "x", "retriever": "magic"}).status_code == 422


def test_ui_is_served_beside_the_api(client):
    r = client.get("/")
    assert r.status_code == 200 and "gradio" in r.text.lower()
    assert client.get("/api/health").json()["documents"] >= 5


def test_no_answer_says_why_and_filters_that_match_nothing_say_so(retriever):
    from qa.retrieval import Filters

    answer = ask(retriever, "What did Germany's delegation say about Kazakhstan's elections?")
    out = render_answer(answer)
    assert "No statement in the corpus addresses" in out and "Why: no statement mentions Germany" in out
    empty = ask(retriever, "elections", filters=Filters(since="2030-01-01"))
    assert "No statement matches these filters." in render_answer(empty)
