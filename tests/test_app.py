"""The app without a browser: HTML rendering and escaping, citation anchors, inputs, and the HTTP API."""

from __future__ import annotations

import html
import json
import re

import pytest

from qa.answer import Answer, Sentence, ask, to_json
from qa.server import Service
from qa.app_ui import (NO_ANSWER, SORTS, answer_markdown, chat_fn, cite_href, date_bound, doc_href, esc,
                       followups, highlight, list_statements, make_filters, parse_cite, parse_permalink,
                       permalink, remove_filter, render_answer, render_api_docs, render_chips, render_citation,
                       render_document, render_statement_list, stored_history, user_turns)
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
    # links are our own fragments only: citations, copy and share
    assert all(h.startswith(("#cite=", "#copy", "#share=")) for h in hrefs(out)), hrefs(out)
    assert sum(h.startswith("#cite=") for h in hrefs(out)) == 3
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


def test_abstention_says_so_plainly_and_keeps_the_reason_out_of_the_page():
    answer = Answer(Result("Who won the 2019 budget vote?", "q", [], abstained=True,
                           reason="best passage similarity 0.00 is below 0.15"))
    out = render_answer(answer, "Who won <the> 2019 budget vote?")
    assert "qa-passage" not in out
    text = html.unescape(re.sub(r"<[^>]+>", " ", out))
    assert NO_ANSWER in text and "broader question" in text
    assert "similarity" not in text and "0.15" not in text
    assert "budget vote" not in text           # the question is not quoted back


def test_abstention_offers_the_nearest_statements_as_links():
    answer = hostile_answer()
    answer.result.abstained, answer.result.reason = True, "no statement mentions Ruritania"
    out = render_answer(answer, "What did Ruritania say?")
    assert_inert(out)
    links = re.findall(r'<li><a class="qa-cite" href="([^"]*)"', out)
    assert links == [html.escape(cite_href(answer.hits[0].doc.id, 2))]   # one per statement, its best passage
    assert "Ruritania" not in html.unescape(out)
    assert answer_markdown(answer).startswith(NO_ANSWER)


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


def test_no_answer_is_plain_and_filters_that_match_nothing_say_so(retriever):
    from qa.retrieval import Filters

    answer = ask(retriever, "What did Germany's delegation say about Kazakhstan's elections?")
    assert answer.result.abstained and answer.result.reason      # the reason stays in the JSON API
    out = render_answer(answer)
    assert NO_ANSWER in html.unescape(out) and "Why" not in out and answer.result.reason not in html.unescape(out)
    empty = ask(retriever, "elections", filters=Filters(since="2030-01-01"))
    assert "No statement matches these filters." in render_answer(empty)


# --- copy, permalink, chips, follow-ups ----------------------------------------------

def test_markdown_copy_has_the_quotes_with_citations_and_no_html(retriever):
    answer = ask(retriever, RU_Q)
    md = answer_markdown(answer, RU_Q)
    assert "<" not in md and "qa-" not in md
    first = answer.lead[0]
    assert md.splitlines()[0] == f"“{first.text}” — {first.citation}"
    assert all(f"— {h.citation}" in md for h in answer.hits)
    # the rendered answer carries it, escaped, in one HTML block (no raw newline)
    out = render_answer(answer, RU_Q)
    block = re.search(r'<pre class="qa-md">(.*?)</pre>', out).group(1)
    assert "\n" not in out and html.unescape(block) == md


def test_markdown_copy_escapes_markdown_in_statement_text():
    md = answer_markdown(hostile_answer())
    assert "[click](javascript" not in md and r"\[click\](javascript" in md
    assert "<script>" not in md


@pytest.mark.parametrize("filters,history", [
    (None, []),
    (make_filters(["European Union", "Russian Federation"], "2021", "2021-06", ["PC.DEL/64/21"]), ["First?", "x&y"]),
])
def test_permalink_round_trips(filters, history):
    q = "What did they say about 'free' & fair elections?"
    link = permalink(q, filters, history)
    got = parse_permalink(link)
    assert got["q"] == q and got["history"] == history
    if filters:
        assert got["delegation"] == filters.delegations and got["doc"] == filters.docs
        assert make_filters(got["delegation"], got["since"], got["until"], got["doc"]) == filters
    assert parse_permalink("") is None and parse_permalink("?delegation=EU") is None


def test_filter_chips_show_each_filter_and_remove_one():
    out = render_chips(["European Union", "<b>Freedonia</b>"], "2021", "", ["PC.DEL/64/21"])
    assert_inert(out)
    text = html.unescape(re.sub(r"<[^>]+>", " ", out))
    for label in ("Delegation: European Union", "Delegation: <b>Freedonia</b>", "Since: 2021",
                  "Statement: PC.DEL/64/21"):
        assert label in text
    assert "Until" not in text
    rm = [html.unescape(h) for h in hrefs(out)]
    assert len(rm) == 4
    assert remove_filter(rm[1], ["European Union", "<b>Freedonia</b>"], "2021", "", ["PC.DEL/64/21"]) == \
        (["European Union"], "2021", "", ["PC.DEL/64/21"])
    assert remove_filter(rm[2], ["European Union"], "2021", "", []) == (["European Union"], "", "", [])
    assert "qa-filter-chip" not in render_chips([], "", "", [])


def test_followups_name_delegations_retrieved_but_not_quoted(retriever):
    answer = ask(retriever, RU_Q)
    wider = retriever.search(answer.result.query, k=15).hits
    shown = {h.doc.delegation for h in answer.hits}
    got = followups(answer, wider)
    others = {h.doc.delegation for h in wider} - shown
    assert got and len(got) == min(3, len(others))
    assert all(not any(d in s for d in shown) for s in got)
    assert followups(answer, answer.hits) == []          # nothing beyond what is quoted: no suggestion


def test_rewritten_follow_up_shows_what_was_searched(retriever, seed_index, seed_settings):
    chat = chat_fn(Service(seed_index, retriever, seed_settings))
    first = "What did the EU say about Kazakhstan's January 2021 elections?"
    out = chat("And how did Russia assess them?", [{"role": "user", "content": esc(first)}])
    m = re.search(r'Searched for: <span class="qa-searched-q">(.*?)</span>', out)
    assert m and "election" in html.unescape(m.group(1)).lower()
    assert "Searched for" not in chat(first, [])


def test_stored_history_accepts_only_chat_messages():
    good = [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": [{"type": "text", "text": "A"}]}]
    assert stored_history(json.dumps(good)) == [{"role": "user", "content": "Q?"},
                                                {"role": "assistant", "content": "A"}]
    for bad in ("", "not json", "{}", json.dumps([{"role": "system", "content": "x"}, 3])):
        assert stored_history(bad) == []
    assert user_turns([{"role": "user", "content": esc("Kazakhstan's vote?")}]) == ["Kazakhstan's vote?"]


# --- statement browser and panel ----------------------------------------------------------

def test_statement_list_filters_sorts_and_links(seed_index):
    docs = seed_index.documents
    newest = list_statements(docs, None, "", SORTS[0])
    assert [d.date for d in newest] == sorted((d.date for d in docs), reverse=True)
    assert list_statements(docs, None, "", "Oldest first") == newest[::-1]
    ru = list_statements(docs, "Russian Federation", "", SORTS[0])
    assert ru and {d.delegation for d in ru} == {"Russian Federation"}
    assert [d.id for d in list_statements(docs, None, "1299th", SORTS[0])] == ["PC.DEL/64/21"]
    out = render_statement_list(ru, len(docs))
    assert f"{len(ru)} of {len(docs)} statements" in out
    assert all(parse_cite(html.unescape(h))[0] in {d.id for d in ru} for h in hrefs(out))


def test_document_opens_at_top_and_finds_within_it(seed_index):
    doc = seed_index.document("PC.DEL/64/21")
    assert parse_cite(doc_href(doc.id)) == (doc.id, [])
    out = render_citation(seed_index, doc_href(doc.id))
    assert "is-cited" not in out and 'href="#close"' in out
    found = render_document(doc, [], find="observers")
    n = sum("observers" in p.lower() for p in doc.paragraphs)
    assert n and f"{n} of {len(doc.paragraphs)} paragraphs contain" in found
    assert found.count('class="qa-para qa-nomatch"') == len(doc.paragraphs) - n
    assert_inert(render_document(hostile_answer().hits[0].doc, [], find="<script>"))


def test_document_panel_uses_printed_paragraph_numbers():
    doc = Document(id="A/1", source="a.txt", paragraphs=["One.", "Two.", "Three."], numbers=[176, 177, 180])
    out = render_document(doc, [177])
    assert re.findall(r'id="p-(\d+)"', out) == ["176", "177", "180"]
    assert '<div class="qa-para is-cited" id="p-177">' in out


def test_api_docs_page_is_local(client):
    r = client.get("/api/docs")
    assert r.status_code == 200
    assert "/api/ask" in r.text and "/api/statements" in r.text
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", r.text)


def test_api_docs_page_escapes_descriptions():
    out = render_api_docs({"info": {"title": "<x>"}, "paths": {"/a": {"get": {"summary": "<script>"}}}})
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_statement_view_shows_who_aligned_with_an_eu_statement(seed_index):
    doc = seed_index.document("PC.DEL/80/21/Rev.1")
    markup = render_document(doc)
    assert "<dt>Aligned</dt>" in markup and "North Macedonia" in markup and "Georgia" in markup
    assert "align themselves with this statement" in markup   # the clause itself, word for word
