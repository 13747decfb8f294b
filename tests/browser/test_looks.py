"""How the app looks at desktop (1400×1000) and phone (390×844) sizes, light and dark:
WCAG AA contrast measured on the rendered page, the theme toggle, the phone layout,
the statement panel, and the README's screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import ask, contrast, no_sideways_scroll, open_app, shot

pytestmark = pytest.mark.browser

RU_Q = "Which observers did Russia say found the Kazakh vote fair?"
NO_Q = "What did Germany say about the OSCE budget for 2019?"
AA = 4.5   # WCAG AA for body text

COMBOS = [(v, s) for v in ("desktop", "phone") for s in ("light", "dark")]


def assert_readable(locator, what: str) -> None:
    assert locator.count(), f"nothing rendered for {what}"
    c = contrast(locator.first)
    assert c["ratio"] >= AA, f"{what}: contrast {c['ratio']:.2f} (text {c['fg']} on {c['bg']})"


@pytest.mark.parametrize("viewport,scheme", COMBOS)
def test_contrast_layout_and_panel(new_page, app_url, viewport, scheme):
    page = new_page(viewport, scheme)
    outside = open_app(page, app_url)
    assert page.evaluate("document.body.classList.contains('dark')") == (scheme == "dark")
    # the question box is on screen without scrolling
    expect(page.locator("#qa-input textarea")).to_be_in_viewport()
    shot(page, f"start-{viewport}-{scheme}")

    bot = ask(page, RU_Q)
    no_sideways_scroll(page)
    assert_readable(bot.locator("mark.qa-hl"), "highlighted sentence")
    assert_readable(bot.locator("a.qa-cite"), "citation chip")
    assert_readable(bot.locator(".qa-quote"), "lead quote")
    assert_readable(bot.locator(".qa-doc-meta"), "statement heading")
    assert_readable(bot.locator(".qa-doc-id"), "document id")
    assert_readable(bot.locator(".qa-ptext"), "passage text")
    if bot.locator("a.qa-ask").count():
        assert_readable(bot.locator("a.qa-ask"), "suggested follow-up")
    # citation labels never stick out of the message
    msg_right = bot.bounding_box()["x"] + bot.bounding_box()["width"]
    for box in bot.locator("a.qa-cite").evaluate_all("els => els.map(e => e.getBoundingClientRect().right)"):
        assert box <= msg_right + 1
    shot(page, f"answer-{viewport}-{scheme}", docs=True)

    # a citation opens the statement in view, its title visible; nothing shifts sideways
    bot.locator(".qa-lead a.qa-cite").first.click()
    panel = page.locator("#qa-doc-panel")
    expect(panel.locator(".qa-docview-title")).to_be_in_viewport()
    expect(panel.locator(".qa-para.is-cited")).to_be_in_viewport()
    no_sideways_scroll(page)
    assert_readable(panel.locator(".qa-docview-title"), "statement title")
    assert_readable(panel.locator(".qa-para:not(.is-cited) p"), "statement paragraph")
    assert_readable(panel.locator(".qa-para.is-cited p"), "cited paragraph")
    assert_readable(panel.locator(".qa-facts dd"), "statement facts")
    shot(page, f"statement-{viewport}-{scheme}", docs=True)
    # the title stays in view while the statement scrolls
    panel.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(panel.locator(".qa-docview-title")).to_be_in_viewport()
    # close: on a phone the drawer goes, and the chat is back
    panel.locator("a.qa-close").click()
    expect(panel.locator(".qa-docview")).to_have_count(0)
    if viewport == "phone":
        expect(page.locator("#qa-doc-panel")).to_be_hidden()
        expect(page.locator("#qa-input textarea")).to_be_in_viewport()

    bot = ask(page, NO_Q)
    assert_readable(bot.locator(".qa-refusal-h"), "refusal")
    assert_readable(bot.locator(".qa-refusal p").last, "refusal advice")
    no_sideways_scroll(page)
    assert outside == [], f"requests left the machine: {outside}"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_theme_toggle_overrides_the_system_and_persists(new_page, app_url, viewport):
    page = new_page(viewport, "light")
    open_app(page, app_url)
    body_dark = "document.body.classList.contains('dark')"
    assert not page.evaluate(body_dark)
    page.locator("#qa-theme-dark").click()
    expect(page.locator("body")).to_have_class(re.compile(r"\bdark\b"))
    expect(page.locator("#qa-theme-dark")).to_have_attribute("aria-pressed", "true")
    page.reload(wait_until="load")
    page.locator("#chatbot").wait_for()
    expect(page.locator("#qa-theme-dark")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(body_dark)
    assert_readable(page.locator(".qa-top p"), "header text in dark")
    page.locator("#qa-theme-system").click()
    expect(page.locator("#qa-theme-system")).to_have_attribute("aria-pressed", "true")
    assert not page.evaluate(body_dark)      # the system (emulated) is light


def test_light_choice_wins_over_a_dark_system(new_page, app_url):
    page = new_page("desktop", "dark")
    open_app(page, app_url)
    assert page.evaluate("document.body.classList.contains('dark')")
    page.locator("#qa-theme-light").click()
    expect(page.locator("#qa-theme-light")).to_have_attribute("aria-pressed", "true")
    assert not page.evaluate("document.body.classList.contains('dark')")
