"""What people expect of a cited-answer chat, in Chromium at desktop and phone sizes:
copy as text, filter chips and Clear, permalinks, a chat that survives a reload,
export, suggested follow-ups, the statement browser, and the API docs offline."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from playwright.sync_api import expect

from .conftest import ask, no_sideways_scroll, open_app

pytestmark = pytest.mark.browser

RU_Q = "Which observers did Russia say found the Kazakh vote fair?"
EU_Q = "What was said about the elections in Kazakhstan?"
SIZES = ["desktop", "phone"]


def citations(message) -> list[str]:
    return [t.strip() for t in message.locator("a.qa-cite").all_inner_texts()]


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def choose_delegation(page, name: str) -> None:
    field = page.locator("#qa-delegation input")
    if not field.is_visible():
        page.locator("#qa-filters").get_by_text("Filters").first.click()
    field.click()
    page.get_by_role("option", name=name).click()
    page.keyboard.press("Escape")


@pytest.mark.parametrize("viewport", SIZES)
def test_copy_gives_text_with_citations_not_html(new_page, app_url, viewport):
    page = new_page(viewport)
    open_app(page, app_url)
    bot = ask(page, RU_Q)
    bot.locator("a.qa-copy").click()
    expect(bot.locator("a.qa-copy")).to_have_text("Copied ✓")
    text = clipboard(page)
    assert "<" not in text and "qa-" not in text, text[:300]
    lead = bot.locator(".qa-lead-s").first
    quote = lead.locator(".qa-quote").inner_text().strip()
    cite = lead.locator("a.qa-cite").inner_text().strip()
    assert text.splitlines()[0] == f"{quote} — {cite}"          # “…” — PC.DEL/64/21 ¶5
    assert re.match(r"^“.+” — PC\.DEL/64/21 ¶\d+$", text.splitlines()[0])
    for c in citations(bot):
        assert c in text


@pytest.mark.parametrize("viewport", SIZES)
def test_filter_chips_show_remove_and_clear_resets_everything(new_page, app_url, viewport):
    page = new_page(viewport)
    open_app(page, app_url)
    choose_delegation(page, "European Union")
    chip = page.locator("#qa-chips .qa-filter-chip")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text("Delegation: European Union")
    # the chip sits above the question box
    assert chip.bounding_box()["y"] < page.locator("#qa-input textarea").bounding_box()["y"]
    bot = ask(page, EU_Q)
    assert citations(bot) and all(c.startswith("PC.DEL/80/21/Rev.1") for c in citations(bot))
    chip.locator("a.qa-chip-x").click()
    expect(chip).to_have_count(0)
    bot = ask(page, EU_Q)
    assert any(not c.startswith("PC.DEL/80/21/Rev.1") for c in citations(bot)), citations(bot)

    # Clear: chat, filters and the statement panel all reset
    choose_delegation(page, "Russian Federation")
    expect(chip).to_have_count(1)
    bot.locator("a.qa-cite").first.click()
    expect(page.locator("#qa-doc-panel .qa-docview")).to_have_count(1)
    if viewport == "phone":       # the drawer covers the chat until closed
        page.locator("#qa-doc-panel a.qa-close").click()
    page.locator("#qa-clear").click()
    expect(page.locator("#chatbot [data-testid='bot']")).to_have_count(0)
    expect(chip).to_have_count(0)
    expect(page.locator("#qa-doc-panel .qa-docview")).to_have_count(0)
    expect(page.locator("#qa-delegation")).not_to_contain_text("Russian Federation")
    page.reload(wait_until="load")
    page.locator("#chatbot").wait_for()
    page.wait_for_function("document.body.classList.contains('qa-ready')")
    expect(page.locator("#chatbot [data-testid='bot']")).to_have_count(0)   # cleared for good


@pytest.mark.parametrize("viewport", SIZES)
def test_permalink_opens_the_same_answer_and_a_reload_keeps_the_chat(new_page, app_url, viewport):
    page = new_page(viewport)
    outside = open_app(page, app_url)
    choose_delegation(page, "European Union")
    bot = ask(page, EU_Q)
    first = citations(bot)
    bot.locator("a.qa-share").click()
    expect(bot.locator("a.qa-share")).to_have_text("Link copied ✓")
    link = clipboard(page)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    assert query == {"q": [EU_Q], "delegation": ["European Union"]}
    assert link.startswith(app_url)

    other = new_page(viewport)
    open_app(other, link)
    shared = other.locator("#chatbot [data-testid='bot']")
    expect(shared).to_have_count(1)
    assert citations(shared.first) == first
    expect(other.locator("#chatbot [data-testid='user']")).to_have_text(EU_Q)
    expect(other.locator("#qa-chips .qa-filter-chip")).to_contain_text("European Union")
    assert "q=" not in other.url          # a reload now keeps the conversation, not the link

    # the conversation survives a reload
    ask(page, "And what did they say about observers?")
    # "Link copied ✓" is a passing confirmation, not part of the conversation
    expect(bot.locator("a.qa-share")).to_have_text("Copy link")
    texts = page.locator("#chatbot [data-testid='bot']").all_inner_texts()
    page.reload(wait_until="load")
    page.locator("#chatbot").wait_for()
    page.wait_for_function("document.body.classList.contains('qa-ready')")
    expect(page.locator("#chatbot [data-testid='bot']")).to_have_count(2)
    assert page.locator("#chatbot [data-testid='bot']").all_inner_texts() == texts
    # a follow-up after the reload still uses the restored conversation
    again = ask(page, "And Russia?")
    expect(again.locator(".qa-searched")).to_be_visible()
    no_sideways_scroll(page)
    assert outside == [], f"requests left the machine: {outside}"


def test_export_downloads_the_chat_as_markdown(new_page, app_url):
    page = new_page("desktop")
    open_app(page, app_url)
    bot = ask(page, RU_Q)
    with page.expect_download() as dl:
        page.locator("#qa-export").click()
    download = dl.value
    assert download.suggested_filename.endswith(".md")
    text = open(download.path(), encoding="utf-8").read()
    assert f"## {RU_Q}" in text
    assert all(c in text for c in citations(bot))
    assert "<div" not in text


@pytest.mark.parametrize("viewport", SIZES)
def test_suggested_follow_up_is_asked_on_click(new_page, app_url, viewport):
    page = new_page(viewport)
    open_app(page, app_url)
    bot = ask(page, RU_Q)
    chips = bot.locator("a.qa-ask")
    expect(chips.first).to_be_visible()
    suggestion = chips.first.inner_text().strip()
    m = re.fullmatch(r"What did (?:the )?(.+) say\?", suggestion)
    assert m, suggestion
    speaker = m.group(1)
    assert speaker not in bot.locator(".qa-doc-meta").all_inner_texts()[0]
    bots = page.locator("#chatbot [data-testid='bot']")
    chips.first.click()
    expect(bots).to_have_count(2, timeout=30_000)
    answer = bots.nth(1)
    expect(answer.locator(".qa-answer")).to_be_visible(timeout=30_000)
    expect(page.locator("#chatbot [data-testid='user']").nth(1)).to_have_text(suggestion)
    # the follow-up was completed from the conversation, and says what was searched
    expect(answer.locator(".qa-searched")).to_contain_text("Searched for:")
    expect(answer.locator(".qa-doc-meta").first).to_contain_text(speaker)
    no_sideways_scroll(page)


@pytest.mark.parametrize("viewport", SIZES)
def test_statement_browser_lists_filters_sorts_opens_and_finds(new_page, app_url, viewport):
    page = new_page(viewport)
    open_app(page, app_url)
    page.get_by_role("tab", name="Statements").click()
    rows = page.locator("#qa-browser table.qa-list tbody tr")
    expect(rows).to_have_count(6)                  # the seed statements and the hostile one
    dates = [r.locator("td").first.inner_text() for r in rows.all()]
    assert dates == sorted(dates, reverse=True)
    page.get_by_label("Oldest first").check()
    expect(rows.first.locator("td").first).to_have_text(min(dates))
    page.locator("#qa-browse-delegation input").click()
    page.get_by_role("option", name="Russian Federation").click()
    expect(rows).to_have_count(2)
    page.locator("#qa-browse-text textarea, #qa-browse-text input").first.fill("1299th")
    expect(rows).to_have_count(1)
    rows.first.locator("a.qa-doclink").click()
    panel = page.locator("#qa-doc-panel")
    expect(panel.locator(".qa-docview-title")).to_have_text("On the parliamentary elections in Kazakhstan")
    expect(panel.locator(".qa-docview-title")).to_be_in_viewport()
    expect(panel.locator(".qa-para .qa-pn").first).to_have_text("1")
    page.locator("#qa-find textarea, #qa-find input").first.fill("observers")
    expect(panel.locator(".qa-find-count")).to_contain_text("paragraphs contain “observers”")
    expect(panel.locator("mark.qa-found").first).to_be_visible()
    no_sideways_scroll(page)


def test_api_docs_work_offline(new_page, app_url):
    page = new_page("desktop")
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(app_url) else outside.append(r.url))
    page.goto(app_url + "api/docs", wait_until="load")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("body")).to_contain_text("GET /api/ask")
    expect(page.locator("body")).to_contain_text("POST /api/statements")
    assert outside == [], outside
