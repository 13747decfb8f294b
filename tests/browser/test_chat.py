"""The chat app in Chromium: answers, click-through, follow-ups, filters, abstention, injection."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import hostile
from .conftest import ask, open_app, shot

pytestmark = pytest.mark.browser   # `make test-fast` deselects these

US_DOC = "us-pc-2016-04-07-kazakhstan-elections"


def citations(message) -> list[str]:
    return [t.strip() for t in message.locator("a.qa-cite").all_inner_texts()]


def test_us_media_freedom_answer_is_cited(page, app_url):
    outside = open_app(page, app_url)
    bot = ask(page, "What did the United States say about media freedom in 2016?")
    shot(page, "us-media-freedom")
    expect(bot.locator("a.qa-cite").first).to_be_visible()
    assert any(c.startswith(f"{US_DOC} ¶") for c in citations(bot)), citations(bot)
    # the best-matching sentence of each passage is marked, and it is the passage's own text
    marks = bot.locator(".qa-passage mark.qa-hl")
    assert marks.count() >= 1
    # one click on the US citation opens the statement with that paragraph highlighted
    link = bot.locator("a.qa-cite", has_text=US_DOC).first
    para = re.search(r"¶(\d+)", link.inner_text()).group(1)
    link.click()
    cited = page.locator(f"#qa-doc-panel .qa-para.is-cited#p-{para}")
    expect(cited).to_be_in_viewport()
    expect(page.locator("#qa-doc-panel .qa-facts")).to_contain_text("United States")
    shot(page, "answer", docs=True)   # the README's screenshot: docs/screenshots/answer.png
    assert outside == [], f"requests left the machine: {outside}"


def test_example_click_then_citation_opens_paragraph_highlighted(page, app_url):
    outside = open_app(page, app_url)
    page.get_by_text("Which observers did Russia say found the Kazakh vote fair?").first.click()
    bot = page.locator("#chatbot [data-testid='bot']").first
    expect(bot.locator("a.qa-cite").first).to_be_visible(timeout=30_000)
    lead = bot.locator(".qa-lead a.qa-cite").first
    label = lead.inner_text().strip()               # e.g. "PC.DEL/64/21 ¶3"
    doc_id, para = re.fullmatch(r"(.+) ¶(\d+)(?:–\d+)?", label).groups()
    lead.click()

    panel = page.locator("#qa-doc-panel")
    cited = panel.locator(f".qa-para.is-cited#p-{para}")
    expect(cited).to_be_visible()
    expect(panel.locator(".qa-facts")).to_contain_text(doc_id)
    expect(cited).to_be_in_viewport()
    # the quoted lead sentence is verbatim in the highlighted paragraph
    quote = bot.locator(".qa-lead .qa-quote").first.inner_text().strip().strip("“”")
    assert quote in cited.inner_text()
    assert page.locator(".qa-para.is-cited").count() == 1
    assert len(page.context.pages) == 1, "a citation must not open a new tab"
    shot(page, "citation-panel")

    # a second citation, further down the same answer, moves the highlight
    other = bot.locator(".qa-passage a.qa-cite").last
    m = re.fullmatch(r"(.+) ¶(\d+)(?:–\d+)?", other.inner_text().strip())
    other.click()
    expect(panel.locator(f".qa-para.is-cited#p-{m.group(2)}")).to_be_in_viewport()
    expect(panel.locator(".qa-facts")).to_contain_text(m.group(1))
    assert outside == [], f"requests left the machine: {outside}"


def test_follow_up_uses_the_conversation(page, app_url):
    open_app(page, app_url)
    first = ask(page, "What did the EU say about Kazakhstan's January 2021 elections?")
    assert any(c.startswith("PC.DEL/80/21/Rev.1") for c in citations(first)), citations(first)
    second = ask(page, "And how did Russia assess them?")
    shot(page, "follow-up")
    cites = citations(second)
    assert any(c.startswith("PC.DEL/64/21 ¶") for c in cites), cites


def test_delegation_filter_keeps_only_that_delegation(page, app_url):
    open_app(page, app_url)
    page.locator("#qa-filters").get_by_text("Filters").first.click()
    dropdown = page.locator("#qa-delegation input")
    dropdown.click()
    page.get_by_role("option", name="European Union").click()
    page.keyboard.press("Escape")
    bot = ask(page, "What was said about the elections in Kazakhstan?")
    shot(page, "filter-eu")
    cites = citations(bot)
    assert cites, "expected an answer"
    assert all(c.startswith("PC.DEL/80/21/Rev.1") for c in cites), cites
    expect(bot.locator(".qa-doc-meta").first).to_contain_text("European Union")
    assert set(bot.locator(".qa-doc-meta").all_inner_texts()) == {
        bot.locator(".qa-doc-meta").first.inner_text()}


def test_no_answer_is_said_plainly(page, app_url):
    open_app(page, app_url)
    q = "What did Germany say about the OSCE budget for 2019?"
    bot = ask(page, q)
    shot(page, "no-answer")
    refusal = bot.locator(".qa-refusal")
    expect(refusal).to_contain_text("The statements don't answer this.")
    expect(refusal).not_to_contain_text("similarity")
    expect(refusal).not_to_contain_text(q)                  # the question is not quoted back
    assert bot.locator(".qa-passage").count() == 0
    # the nearest statements are links that open them
    nearest = refusal.locator(".qa-nearest a.qa-cite")
    if nearest.count():
        nearest.first.click()
        expect(page.locator("#qa-doc-panel .qa-para.is-cited")).to_be_visible()


def test_hostile_statement_renders_as_text_and_runs_nothing(page, app_url):
    open_app(page, app_url)
    bot = ask(page, hostile.QUESTION)
    cites = citations(bot)
    assert any(c.startswith(hostile.DOC_ID) for c in cites), cites
    # open the hostile statement in the panel: every paragraph, title included, is rendered
    bot.locator("a.qa-cite", has_text=hostile.DOC_ID).first.click()
    panel = page.locator("#qa-doc-panel")
    expect(panel.locator(".qa-docview-title")).to_have_text(hostile.TITLE)
    for payload in (hostile.SCRIPT, hostile.IMG, hostile.MDLINK):
        expect(panel).to_contain_text(payload)       # visible as text
    expect(bot).to_contain_text("Freedonia")
    page.wait_for_timeout(500)   # give any injected handler (img onerror) time to fire
    shot(page, "injection")

    assert page.evaluate("typeof window.__pwned") == "undefined"
    for root in ("#chatbot", "#qa-doc-panel"):
        assert page.locator(f"{root} script").count() == 0
        assert page.locator(f"{root} img[src='x']").count() == 0
        assert page.locator(f"{root} [onerror]").count() == 0
        assert page.locator(f"{root} a[href^='javascript']").count() == 0
    # the page's own inline scripts (Gradio's config carries the statement titles) hold no raw markup
    scripts = "".join(page.locator("script").evaluate_all("els => els.map(e => e.textContent)"))
    for raw in (hostile.SCRIPT, "<img src=x", "</script><img"):
        assert raw not in scripts
    # the visible chat text shows whatever payload passages were retrieved, as text
    chat_text = bot.inner_text()
    for payload in (hostile.SCRIPT, hostile.IMG, hostile.MDLINK):
        if payload.split("window")[0] in chat_text:
            assert payload in chat_text
