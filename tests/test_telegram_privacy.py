"""Nothing that is not public leaks through any Telegram path, and nothing private reaches the logs.

The knowledge copy (see conftest) adds Child K, whose only document is embargoed until 2030-01-01 09:00
London time, and an embargoed report beside Child L's public briefing; the engine's clock is fixed before
that moment. The fixture knowledge already holds a withheld report (the baby serious case review).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answers.render import telegram_html
from bot.kb.loader import load_knowledge
from bot.kb.models import KnowledgeBase, PublishedDocument
from bot.kb.visibility import public_view
from bot.service.engine import Engine
from bot.service.releases import job_name
from bot.transports.telegram.app import BUTTON_EXPIRED, FEEDBACK_THANKS, LINK_EXPIRED, protect_logs
from tests.conftest import (
    BEFORE_EMBARGO,
    EMBARGO_LIFTS,
    EMBARGO_SECRETS,
    Clock,
    TelegramHarness,
    check_requests,
    running_bot,
    write_test_knowledge,
)
from tests.fakes.bot_api import JSON, FakeBotAPI, InlineAnswer, SentMessage

QUESTIONS = (
    "child k",
    "Kestrelmoor review",
    "child k report",
    "latest reviews",
    "what reviews are there",
    "child l",
    "lanternfish report",
    "where can I read the child l report",
    "child",
    "is the child l report published",
    "/reviews",
    "/latest",
    "/start review-child-k",
    "/start latest_reviews",
)
INLINE_QUERIES = ("child k", "", "child l", "kestrelmoor", "child", "latest")


def public_urls(kb: KnowledgeBase, harness: TelegramHarness) -> set[str]:
    view = public_view(kb, harness.engine.now())
    urls = {d.url for r in view.reviews for d in r.documents if isinstance(d, PublishedDocument)}
    urls |= {r.url for r in view.resources} | {s.url for s in view.statements}
    urls |= {p.website for p in view.partnerships} | {c.url for c in view.contacts if c.url}
    return urls | {"https://t.me/reviews_test_bot"}


def shown(messages: list[SentMessage], answers: list[InlineAnswer]) -> str:
    """Everything a user could see: texts, HTML, button labels and URLs, inline results."""
    parts = [m.html + "\n" + m.text + "\n" + json.dumps(m.markup) for m in messages]
    parts += [json.dumps(a.results, ensure_ascii=False) for a in answers]
    return "\n".join(parts)


def links(messages: list[SentMessage], answers: list[InlineAnswer]) -> set[str]:
    urls = {url.split("?start=")[0] for m in messages for url in m.links}
    for answer in answers:
        for result in answer.results:
            urls |= set(re.findall(r'href="([^"]+)"', result["input_message_content"]["message_text"]))
            rows = (result.get("reply_markup") or {}).get("inline_keyboard", [])
            urls |= {b["url"].split("?start=")[0] for row in rows for b in row}
    return urls


def reply_count(harness: TelegramHarness, question: str) -> int:
    """How many messages the bot sends for `question` (long replies are split)."""
    command = {"/reviews": "latest_reviews", "/latest": "latest_reviews"}.get(question)
    if question.startswith("/start"):
        return 1
    reply = harness.engine.act(command) if command else harness.engine.answer(question)
    assert reply is not None
    return len(telegram_html(reply))


async def walk_every_path(harness: TelegramHarness) -> tuple[list[SentMessage], list[InlineAnswer], list[JSON]]:
    """Ask everything, tap every button (and old ones naming Child K), run the inline queries."""
    chat = harness.api.conversation()
    for question in QUESTIONS:
        await chat.say(question, expect=reply_count(harness, question))
    menu = chat.received[0]
    taps = []
    for data in ("review:child-k", "?review:child-k", "statement:child-k"):
        taps.append(await harness.api.wait_answer(harness.api.post_callback(chat.user, menu, data)))
    buttons = [(m, b.callback_data) for m in chat.received for b in m.buttons if b.callback_data]
    for message, data in buttons:
        if data.startswith("feedback:"):  # counted and thanked in the callback answer; no message
            await chat.tap_data(message, data, expect=0)
            continue
        reply = harness.engine.act(data.removeprefix("?"))
        assert reply is not None
        await chat.tap_data(message, data, expect=len(telegram_html(reply)))
    answers = [await chat.inline(query) for query in INLINE_QUERIES]
    return chat.received, answers, taps


async def test_an_embargoed_review_never_leaks_through_any_path(
    telegram: TelegramHarness, embargo_kb: KnowledgeBase
) -> None:
    messages, answers, taps = await walk_every_path(telegram)
    everything = shown(messages, answers).lower()
    assert [secret for secret in EMBARGO_SECRETS if secret.lower() in everything] == []
    assert links(messages, answers) <= public_urls(embargo_kb, telegram)
    assert [t.get("text") for t in taps] == [BUTTON_EXPIRED] * 3
    assert len(messages) > len(QUESTIONS) + 20  # every button was followed
    deep_link = next(m for m in messages if m.text.startswith(LINK_EXPIRED))
    assert deep_link.buttons


async def test_the_same_paths_show_it_once_the_embargo_lifts_without_a_restart(
    telegram: TelegramHarness, embargo_kb: KnowledgeBase, clock: Clock
) -> None:
    """The positive control: the checks above can fail, because after the moment the items do show."""
    chat = telegram.api.conversation()
    [before] = await chat.say("child k")
    assert "Kestrelmoor" not in before.text
    clock.now = EMBARGO_LIFTS
    [after] = await chat.say("child k")
    assert "Child K" in after.text
    assert "https://embargoed.example.org/child-k/kestrelmoor-report.pdf" in after.links
    callback, [old_button] = await chat.tap_data(before, "review:child-k")
    assert "text" not in callback and "Child K" in old_button.text
    inline = await chat.inline("child k")
    assert "Kestrelmoor" in json.dumps(inline.results)
    report = await chat.say("child l", expect=2)
    assert "https://embargoed.example.org/child-l/lanternfish-report.pdf" in report[-1].links
    assert links(chat.received, [inline]) <= public_urls(embargo_kb, telegram)
    clock.now = BEFORE_EMBARGO


async def test_a_withheld_report_is_explained_never_linked(telegram: TelegramHarness) -> None:
    chat = telegram.api.conversation()
    messages = [
        m
        for q in ("baby review", "is the baby report published", "where can I read the baby report")
        for m in await chat.say(q)
    ]
    answers = [await chat.inline("baby review")]
    text = "\n".join(m.text for m in messages)
    assert "will not be" in text
    assert "potential impact on surviving siblings" in text
    linked_labels = [label for m in messages for label in re.findall(r"<a [^>]*>(.*?)</a>", m.html)]
    linked_labels += re.findall(r"<a [^>]*>(.*?)</a>", answers[0].results[0]["input_message_content"]["message_text"])
    assert linked_labels and not [label for label in linked_labels if "report" in label.lower()]
    assert "learning briefing" in " ".join(linked_labels).lower()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    names = ("httpx", "httpcore", "aiohttp", "telegram")
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = list(logging.getLogger().handlers)
    filters = {handler: list(handler.filters) for handler in handlers}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for handler in handlers:
        handler.filters[:] = filters[handler]


PRIVATE_QUESTION = "Zephyrine Quockerwodger at 12 Acacia Avenue, is she in the child e review?"


async def test_logs_hold_neither_the_token_nor_what_users_typed(
    telegram: TelegramHarness, caplog: pytest.LogCaptureFixture, restore_logging: None
) -> None:
    caplog.set_level(logging.DEBUG)
    protect_logs(telegram.api.token)
    telegram.api.inject("sendMessage", status=500)  # so that the bot and the libraries have things to log
    telegram.api.inject("answerInlineQuery", status=429, retry_after=1)
    chat = telegram.api.conversation()
    await chat.say(PRIVATE_QUESTION)
    await chat.inline(PRIVATE_QUESTION[:60])
    assert len(caplog.records) >= 2, "nothing was logged: the checks below would prove nothing"
    assert telegram.api.token not in caplog.text
    assert telegram.api.token.split(":")[1] not in caplog.text
    assert "Quockerwodger" not in caplog.text and "Acacia" not in caplog.text


async def test_without_protection_the_libraries_would_log_both(
    telegram: TelegramHarness, caplog: pytest.LogCaptureFixture, restore_logging: None
) -> None:
    """The control for the test above: python-telegram-bot at DEBUG does log the text. (httpx logged the URL,
    which holds the token, when it was the transport; aiohttp does not log requests.)"""
    caplog.set_level(logging.DEBUG)
    for name in ("aiohttp", "telegram"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    await telegram.api.conversation().say(PRIVATE_QUESTION)
    assert "Quockerwodger" in caplog.text


MARKERS = ("Quockerwodger", "Zephyrine", "Acacia", "900123")
FALLBACK_QUESTION = "Quockerwodger said Zephyrine rang 07700 900123 about the weather"


def stored_bytes(data_dir: Path) -> bytes:
    """Every byte the bot keeps on disk: the database and its WAL and shared-memory files."""
    files = sorted(data_dir.iterdir())
    assert files, "nothing stored: the checks below would prove nothing"
    return b"".join(path.read_bytes() for path in files)


def assert_nothing_typed_in(stored: bytes, what: str) -> None:
    lowered = stored.lower()
    found = [marker for marker in MARKERS if marker.lower().encode() in lowered]
    assert found == [], f"user text in {what}: {found}"


async def test_a_whole_conversation_leaves_no_user_text_in_the_logs_or_the_database(
    bot_api: FakeBotAPI, clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture, restore_logging: None
) -> None:
    """Questions, a fallback, subscriptions with odd arguments, a vote, a group, inline mode, every admin
    command, a release with its announcement, and failures to log: then the logs and the SQLite files."""
    caplog.set_level(logging.DEBUG)
    protect_logs(bot_api.token)
    knowledge = write_test_knowledge(tmp_path / "knowledge")
    engine = Engine(load_knowledge(knowledge), clock)
    data_dir = tmp_path / "data"
    admin = bot_api.conversation(bot_api.user("Admin"))
    chat = bot_api.conversation(bot_api.user("Zephyrine", username="quockerwodger"))
    group = bot_api.conversation(chat.user, bot_api.group("Quockerwodger family support"))
    async with running_bot(
        bot_api, engine, data_dir=data_dir, admin_ids=[admin.user.id], knowledge_dir=knowledge
    ) as application:
        [subscribed] = await chat.say("/subscribe")
        assert subscribed.text.startswith("Subscribed")
        await chat.say("/subscribe Quockerwodger Acacia")  # not a topic: nothing stored
        await chat.say("/subscribe neglect")
        [answer] = await chat.say(PRIVATE_QUESTION)
        callback, _ = await chat.tap(answer, "Helpful: yes", expect=0)
        assert callback["text"] == FEEDBACK_THANKS
        [fallback] = await chat.say(FALLBACK_QUESTION)
        assert not fallback.buttons or all("Helpful" not in b.text for b in fallback.buttons)
        await chat.say("/unsubscribe Zephyrine")
        await chat.say("/reload Quockerwodger")  # not an admin: the unknown-command reply
        await group.say("@reviews_test_bot Zephyrine Quockerwodger child e")
        await group.say("/subscribe@reviews_test_bot Acacia")
        await chat.inline("Zephyrine Quockerwodger child e")
        [unanswered] = await admin.say("/unanswered")
        assert "[name]" in unanswered.text  # the fallback was kept, redacted
        assert [m for m in MARKERS if m in unanswered.text] == []
        await admin.say("/stats Quockerwodger")
        await admin.say("/reload")
        clock.now = EMBARGO_LIFTS
        assert application.job_queue is not None
        [job] = application.job_queue.get_jobs_by_name(job_name(EMBARGO_LIFTS))
        await job.run(application)  # the release: the announcement goes to the subscribed chat
        assert any(m.text.startswith("New review published: Child K") for m in chat.received)
        bot_api.inject("sendMessage", status=500)  # something for the bot and the libraries to log
        await chat.say("Acacia Avenue again, child e")
        assert_nothing_typed_in(stored_bytes(data_dir), "the database while running")
    check_requests(bot_api)
    stored = stored_bytes(data_dir)
    assert_nothing_typed_in(stored, "the database")
    assert b"document:child-k-report" in stored and b"theme:neglect" in stored  # the file was really read
    assert len(caplog.records) >= 3, "nothing was logged: the checks below would prove nothing"
    assert [m for m in MARKERS if m.lower() in caplog.text.lower()] == []
    assert bot_api.token not in caplog.text and bot_api.token.split(":")[1] not in caplog.text
