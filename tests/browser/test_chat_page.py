"""The chat page in a real browser: Debian's headless Chromium (/usr/bin/chromium) driven by Playwright, against
the real web server on 127.0.0.1. A person's way through it: type a question and read the answer, tap a
follow-up, pick a "Did you mean" choice, get the urgent reply with numbers to tap, say whether it helped,
all with the keyboard too; then axe-core (from npm, installed by .ci/run) checks the page with that
conversation on it. No browser is downloaded: Playwright only drives the system's Chromium.

Set WEB_CHAT_SCREENSHOT=$PWD/docs/web-chat.png (an absolute path) and run `-k phone` to remake the README's
phone-width screenshot.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright, expect

from bot.service.conversation import Conversations
from bot.service.engine import Engine
from bot.settings import Settings
from bot.transports.web.chat import ChatRoutes
from bot.transports.web.guard import RateLimiter
from bot.transports.web.server import Address, WebServer
from tests.conftest import EMBARGO_SECRETS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


@pytest.fixture
async def base_url(engine: Engine, tmp_path: Path) -> AsyncIterator[str]:
    settings = Settings(data_dir=tmp_path / "data")
    service = Conversations.from_settings(engine, settings)
    await service.open()
    server = WebServer([ChatRoutes(service, settings, RateLimiter(burst=1000)).mount(Address("127.0.0.1", 0))])
    await server.start()
    server.health.ready = True
    try:
        [port] = server.ports()
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.stop()
        await service.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: apt-get install -y chromium (.ci/run does)"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@asynccontextmanager
async def chat_page(browser: Browser, base_url: str, *, bypass_csp: bool = False) -> AsyncIterator[Page]:
    """A phone-sized page with the chat loaded; afterwards, no console error (a CSP violation is one) and
    no cookie. Only the accessibility check bypasses the CSP: to inject axe-core, a script of the test's own."""
    context = await browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, bypass_csp=bypass_csp)
    opened = await context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    opened.on("console", lambda message: _problem(message, problems))
    opened.on("pageerror", lambda error: problems.append(str(error)))
    await opened.goto(base_url + "/")
    await expect(opened.locator(".msg-bot").first).to_contain_text("Welcome to the Learning-from-Reviews assistant.")
    yield opened
    cookies = await context.cookies()
    await context.close()
    assert problems == []
    assert cookies == []


@pytest.fixture
async def page(browser: Browser, base_url: str) -> AsyncIterator[Page]:
    async with chat_page(browser, base_url) as opened:
        yield opened


def _problem(message: ConsoleMessage, problems: list[str]) -> None:
    if message.type in ("error", "warning"):
        problems.append(message.text)


async def ask(page: Page, question: str) -> None:
    """Type a question and press Enter, then wait for the answer to it."""
    answers = await page.locator(".msg-bot").count()
    await page.get_by_label("Your question").fill(question)
    await page.get_by_label("Your question").press("Enter")
    await expect(page.locator(".msg-bot")).to_have_count(answers + 1)


async def test_type_a_question_tap_a_follow_up_and_a_did_you_mean_choice(page: Page, engine: Engine) -> None:
    await ask(page, "chld e")
    answer = page.locator(".msg-bot").nth(1)
    await expect(answer).to_contain_text("Child E (LCSPR)")
    link = answer.get_by_role("link", name="read it")
    assert await link.get_attribute("href") == "https://lcitylscb.org/learning-from-reviews"
    assert await link.get_attribute("target") == "_blank"

    before = await page.locator(".msg-bot").count()
    await answer.get_by_role("button", name="Latest reviews").click()
    await expect(page.locator(".msg-bot")).to_have_count(before + 1)
    await expect(page.locator(".msg-me").last).to_have_text("Latest reviews")
    latest = engine.act("latest_reviews")
    assert latest is not None
    await expect(page.locator(".msg-bot").last).to_contain_text(latest.blocks[0].lines[0][0].text)

    await ask(page, "child")
    question = page.locator(".msg-bot").nth(await page.locator(".msg-bot").count() - 1)  # fixed, unlike .last
    await expect(question).to_contain_text("Did you mean")
    choices = question.get_by_role("group", name="Did you mean")
    before = await page.locator(".msg-bot").count()
    await choices.get_by_role("button", name="Child E").click()
    await expect(page.locator(".msg-bot")).to_have_count(before + 1)
    await expect(page.locator(".msg-bot").last).to_contain_text("Child E (LCSPR)")
    await expect(choices.get_by_role("button", name="Child E")).to_be_disabled()  # a choice is made once


async def test_the_urgent_reply_is_unmistakable_and_its_numbers_are_tel_links(page: Page) -> None:
    await ask(page, "I'm worried a child in my class is being hurt at home")
    urgent = page.locator(".msg-urgent")
    await expect(urgent).to_have_count(1)
    await expect(urgent).to_contain_text("Urgent: a child may be at risk")
    await expect(urgent).to_contain_text("If a child is in immediate danger, call 999 now.")
    await expect(urgent.get_by_role("link", name="999", exact=True)).to_have_attribute("href", "tel:999")
    await expect(urgent.get_by_role("link", name="0116 454 1004")).to_have_attribute("href", "tel:01164541004")
    await expect(urgent.get_by_role("link", name="0808 800 5000")).to_have_attribute("href", "tel:08088005000")
    colour = await urgent.evaluate("node => getComputedStyle(node).borderTopColor")
    assert colour == "rgb(176, 0, 32)"  # the urgent red border, unlike any other reply


async def test_keyboard_only_feedback_and_screen_reader_announcements(page: Page) -> None:
    log = page.get_by_role("log", name="Conversation")
    await expect(log).to_have_attribute("aria-live", "polite")
    await page.get_by_label("Your question").focus()
    await page.keyboard.type("latest reviews")
    await page.keyboard.press("Enter")
    answer = page.locator(".msg-bot").nth(1)
    await expect(answer).to_contain_text("published")
    await expect(page.get_by_label("Your question")).to_be_focused()  # ready for the next question
    helpful = answer.get_by_role("button", name="Helpful: yes")
    await helpful.focus()
    await page.keyboard.press("Enter")
    await expect(answer).to_contain_text("Thank you: your answer is counted.")
    await expect(answer.get_by_role("button", name="Helpful: yes")).to_have_count(0)


async def test_dynamic_text_is_shown_as_text_never_as_markup(page: Page) -> None:
    attack = '<img src=x onerror="document.title=1">&lt;b&gt; <script>alert(1)</script>'
    await ask(page, attack)
    await expect(page.locator(".msg-me").last).to_have_text(attack)
    assert await page.locator("#log img, #log script").count() == 0
    await ask(page, "child k")
    shown = await page.locator("#log").inner_text()
    assert not [secret for secret in EMBARGO_SECRETS if secret in shown.replace("child k", "")]


async def test_at_phone_width_nothing_scrolls_sideways(page: Page, tmp_path: Path) -> None:
    """The README's screenshot: a question answered, then an urgent reply, at 390 x 844."""
    await page.emulate_media(reduced_motion="reduce")  # no smooth scrolling still under way at the screenshot
    await ask(page, "chld e")
    await ask(page, "I'm worried a child in my class is being hurt at home")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing wider than a phone: no sideways scrolling
    await page.locator(".msg-me").last.evaluate("node => node.scrollIntoView({block: 'start'})")
    await page.screenshot(path=os.environ.get("WEB_CHAT_SCREENSHOT") or str(tmp_path / "phone.png"))


async def test_a_deep_link_opens_what_it_names(browser: Browser, base_url: str) -> None:
    page = await browser.new_page()
    await page.goto(base_url + "/?start=review-child-e")
    await expect(page.locator(".msg-bot").first).to_contain_text("Child E (LCSPR)", timeout=TIMEOUT_MS)
    await page.close()


async def test_axe_finds_no_serious_or_critical_violation_with_a_conversation_on_the_page(
    browser: Browser, base_url: str
) -> None:
    async with chat_page(browser, base_url, bypass_csp=True) as page:
        await check_accessibility(page)


async def check_accessibility(page: Page) -> None:
    await ask(page, "child e")
    await ask(page, "child")
    await ask(page, "a child is in danger")
    await ask(page, "tell me a joke")
    assert AXE.exists(), "axe-core is missing: npm ci --prefix tests/browser (.ci/run does)"
    await page.add_script_tag(path=str(AXE))
    results = await page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length})); }"
    )
    assert results is not None
    serious = [v for v in results if v["impact"] in ("serious", "critical")]
    assert serious == []
