"""The adapter's small pieces on their own: deep links, keyboards, the retrying send helper, log redaction."""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

import pytest
from telegram import Chat, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.answers.reply import Button, Reply, para
from bot.kb.loader import load_knowledge
from bot.kb.models import ReplyKind
from bot.service.announcements import RecipientGone, RetryLater
from bot.service.engine import Engine
from bot.service.releases import job_name
from bot.service.stats import feedback_buttons
from bot.service.store import Store
from bot.settings import Settings
from bot.transports.telegram.app import (
    ADMIN_COMMANDS,
    CALLBACK_DATA_LIMIT,
    CHOICE_MARK,
    COMMANDS,
    DELIVERY_ATTEMPTS,
    MENU,
    Assistant,
    RedactToken,
    action_from_payload,
    announcement_sender,
    deliver,
    is_feedback,
    keyboard,
    payload_for,
    question_text,
    retry_after_seconds,
    with_notice,
)
from tests.helpers_lifecycle import copy_knowledge, embargoed_doc, review, write_reviews
from tests.kb_builders import FIXTURE_KNOWLEDGE


def reply_with(*buttons: Button, kind: ReplyKind = ReplyKind.ANSWER, suggestions: tuple[str, ...] = ()) -> Reply:
    return Reply(kind=kind, blocks=(para("text"),), buttons=buttons, suggestions=suggestions)


# ----- the command table -----------------------------------------------------------------------------


def test_every_command_is_valid_for_telegram_and_names_live_actions(engine: Engine) -> None:
    names = [c.name for c in COMMANDS]
    assert len(set(names)) == len(names)
    for command in COMMANDS:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command.name)
        assert 1 <= len(command.description) <= 256
        assert command.actions
        for action in command.actions:
            reply = engine.act(action)
            assert reply is not None and reply.blocks, f"/{command.name}: {action} answers nothing"


def test_the_menu_has_the_subscriptions_and_hides_the_admin_commands() -> None:
    names = [name for name, _ in MENU]
    assert names == [c.name for c in COMMANDS] + ["subscribe", "unsubscribe"]
    assert not set(names) & set(ADMIN_COMMANDS)
    for name, description in MENU:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", name) and 1 <= len(description) <= 256


# ----- deep links ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "action"),
    [
        ("review-child-e", "review:child-e"),
        ("review-child-c-d", "review:child-c-d"),
        ("theme-neglect", "theme:neglect"),
        ("latest_reviews", "latest_reviews"),
        ("help", "help"),
        ("glossary-cspr", "glossary:cspr"),
    ],
)
def test_deep_link_payloads_and_actions_map_both_ways(payload: str, action: str) -> None:
    assert action_from_payload(payload) == action
    assert payload_for(action) == payload


@pytest.mark.parametrize("action", ["review:" + "x" * 60, "review:child e", "review:é", ""])
def test_actions_telegram_cannot_carry_have_no_payload(action: str) -> None:
    assert payload_for(action) is None


# ----- groups ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("@reviews_bot child e", "child e"),
        ("child e @Reviews_Bot", "child e"),
        ("@reviews_bot", ""),
        ("@reviews_botty child e", "@reviews_botty child e"),
        ("mail a@reviews_bot please", "mail a@reviews_bot please"),
    ],
)
def test_the_mention_is_taken_out_of_the_question(text: str, question: str) -> None:
    message = Message(1, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), Chat(-100, "supergroup"), text=text)
    assert question_text(message, "reviews_bot") == question


# ----- keyboards ---------------------------------------------------------------------------------------


def test_buttons_become_callbacks_and_links_laid_out_for_a_phone() -> None:
    markup = keyboard(
        reply_with(
            Button("Open: Improvements made briefing", url="https://example.org/doc"),
            Button("What the chair said", "statement:child-e"),
            Button("Latest reviews", "latest_reviews"),
            Button("Menu", "help"),
            Button("Themes", "themes"),
        )
    )
    assert markup is not None
    rows = [[(b.text, b.callback_data, b.url) for b in row] for row in markup.inline_keyboard]
    assert rows == [
        [("Open: Improvements made briefing", None, "https://example.org/doc")],
        [("What the chair said", "statement:child-e", None)],  # too long to share a row
        [("Latest reviews", "latest_reviews", None), ("Menu", "help", None)],
        [("Themes", "themes", None)],
    ]


def test_helpful_buttons_are_a_last_row_of_their_own() -> None:
    reply = reply_with(Button("Latest reviews", "latest_reviews"))
    reply = Reply(reply.kind, reply.blocks, intent="review", buttons=reply.buttons)
    markup = keyboard(reply, feedback=feedback_buttons(reply))
    assert markup is not None
    assert [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard] == [
        [("Latest reviews", "latest_reviews")],
        [("Helpful: yes", "feedback:yes:review"), ("Helpful: no", "feedback:no:review")],
    ]
    assert [is_feedback(b) for row in markup.inline_keyboard for b in row] == [False, True, True]
    only = keyboard(reply_with(), feedback=feedback_buttons(reply))
    assert only is not None and len(only.inline_keyboard) == 1


def test_keyboards_are_built_once_per_distinct_buttons() -> None:
    first = keyboard(reply_with(Button("Latest reviews", "latest_reviews"), Button("Menu", "help")))
    again = keyboard(reply_with(Button("Latest reviews", "latest_reviews"), Button("Menu", "help")))
    other = keyboard(reply_with(Button("Menu", "help")))
    assert first is again  # immutable, so shared between replies
    assert first is not None
    fresh = InlineKeyboardMarkup(first.inline_keyboard).to_dict()
    assert first.to_dict() == fresh and first.to_dict() is first.to_dict()  # serialised once, the same as PTB's
    assert other is not first and other is not None and len(other.inline_keyboard) == 1


def test_no_buttons_no_keyboard() -> None:
    assert keyboard(reply_with()) is None
    assert keyboard(reply_with(Button("Nothing to do"))) is None


def test_callback_data_over_64_bytes_is_skipped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    fits = "review:" + "a" * (CALLBACK_DATA_LIMIT - len("review:"))
    too_long = "review:" + "é" * 30  # 67 bytes in 37 characters
    with caplog.at_level(logging.WARNING, logger="bot.transports.telegram.app"):
        markup = keyboard(reply_with(Button("Fits", fits), Button("Too long", too_long), Button("Menu", "help")))
    assert markup is not None
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == [fits, "help"]
    assert "skipped a button whose action is 67 bytes" in caplog.text


def test_did_you_mean_choices_are_marked_unless_the_mark_would_not_fit() -> None:
    at_limit = "review:" + "b" * (CALLBACK_DATA_LIMIT - len("review:"))
    reply = reply_with(
        Button("Child E", "review:child-e"),
        Button("Child B", at_limit),
        Button("Menu", "help"),
        kind=ReplyKind.CLARIFY,
        suggestions=("Child E", "Child B"),
    )
    markup = keyboard(reply)
    assert markup is not None
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == [
        f"{CHOICE_MARK}review:child-e",
        at_limit,
        "help",
    ]
    not_a_question = reply_with(Button("Child E", "review:child-e"), suggestions=("Child E",))
    unmarked = keyboard(not_a_question)
    assert unmarked is not None and unmarked.inline_keyboard[0][0].callback_data == "review:child-e"


def test_shared_messages_get_deep_links_instead_of_callbacks() -> None:
    markup = keyboard(
        reply_with(
            Button("Doc", url="https://example.org/doc"),
            Button("Child E", "review:child-e"),
            Button("Far too long", "review:" + "z" * 70),
        ),
        username="reviews_bot",
    )
    assert markup is not None
    assert [(b.text, b.url, b.callback_data) for row in markup.inline_keyboard for b in row] == [
        ("Doc", "https://example.org/doc", None),
        ("Child E", "https://t.me/reviews_bot?start=review-child-e", None),
    ]


def test_a_notice_is_a_first_paragraph_and_nothing_else_changes() -> None:
    reply = reply_with(Button("Menu", "help"))
    noticed = with_notice("Welcome.", reply, emphasis=True)
    assert noticed.blocks[1:] == reply.blocks and noticed.buttons == reply.buttons
    assert noticed.blocks[0].lines[0][0].strong and noticed.blocks[0].lines[0][0].text == "Welcome."


# ----- deliver ------------------------------------------------------------------------------------------


class Flaky:
    """A Bot API call that raises the given errors in turn, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "sent"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record deliver's waits instead of sleeping."""
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("bot.transports.telegram.app.asyncio.sleep", record)
    return waits


def retry_after(seconds: int) -> RetryAfter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RetryAfter(seconds)


async def test_deliver_honours_retry_after(sleeps: list[float]) -> None:
    call = Flaky(retry_after(3), retry_after(1))
    assert await deliver(call) == "sent"
    assert sleeps == [3.0, 1.0] and call.calls == 3


async def test_deliver_backs_off_on_timeouts_and_network_errors(sleeps: list[float]) -> None:
    call = Flaky(TimedOut(), NetworkError("Bad Gateway"), TimedOut())
    assert await deliver(call) == "sent"
    assert sleeps == [0.5, 1.0, 2.0]


async def test_deliver_gives_up_after_its_attempts(sleeps: list[float]) -> None:
    call = Flaky(*[NetworkError("Internal Server Error")] * DELIVERY_ATTEMPTS)
    with pytest.raises(NetworkError):
        await deliver(call)
    assert call.calls == DELIVERY_ATTEMPTS and len(sleeps) == DELIVERY_ATTEMPTS - 1


@pytest.mark.parametrize("error", [BadRequest("Bad Request: chat not found"), Forbidden("blocked"), retry_after(3600)])
async def test_deliver_does_not_retry_what_will_not_get_better(sleeps: list[float], error: Exception) -> None:
    call = Flaky(error)
    with pytest.raises(type(error)):
        await deliver(call)
    assert call.calls == 1 and sleeps == []


def test_retry_after_is_read_as_seconds_without_warnings() -> None:
    error = retry_after(7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert retry_after_seconds(error) == 7.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert retry_after_seconds(RetryAfter(dt.timedelta(seconds=2.5))) == 2.5


# ----- logs ---------------------------------------------------------------------------------------------

TOKEN = "123456:SECRET-token_value"


def formatted(record: logging.LogRecord) -> str:
    RedactToken(TOKEN).filter(record)
    return logging.Formatter("%(message)s").format(record)


def test_the_token_is_redacted_from_messages_and_arguments() -> None:
    record = logging.LogRecord(
        "httpx",
        logging.WARNING,
        __file__,
        1,
        "HTTP Request: POST %s",
        (f"https://api.telegram.org/bot{TOKEN}/getUpdates",),
        None,
    )
    assert formatted(record) == "HTTP Request: POST https://api.telegram.org/bot<token>/getUpdates"


def test_the_token_is_redacted_from_tracebacks() -> None:
    try:
        raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")
    except ConnectionError as error:
        record = logging.LogRecord("telegram", logging.ERROR, __file__, 1, "failed", (), (type(error), error, None))
    text = formatted(record)
    assert TOKEN not in text and "bot<token>/getMe" in text


# ----- announcements: Telegram's refusals in the announcer's terms --------------------------------------


class RefusingBot:
    """Stands in for the bot: send_message raises `error` once (or records the message)."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.sent: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        self.sent.append((chat_id, text))


def announcement() -> Reply:
    return reply_with(Button("About Child E", "review:child-e"))


def sender(bot: RefusingBot, store: Store) -> Callable[[int, Reply], Awaitable[None]]:
    return announcement_sender(cast(Any, bot), store)


async def test_the_announcement_sender_sends_the_reply(store: Store) -> None:
    bot = RefusingBot()
    await sender(bot, store)(42, announcement())
    assert bot.sent == [(42, "text")]


async def test_a_migrated_group_is_followed_with_its_subscriptions(store: Store) -> None:
    await store.subscribe(-42, "theme:neglect")
    bot = RefusingBot(ChatMigrated(-100042))
    await sender(bot, store)(-42, announcement())
    assert bot.sent == [(-100042, "text")]
    assert [(s.chat_id, s.topic) for s in await store.subscriptions()] == [(-100042, "theme:neglect")]


@pytest.mark.parametrize(
    "error",
    [
        Forbidden("Forbidden: bot was blocked by the user"),
        Forbidden("Forbidden: user is deactivated"),
        BadRequest("Bad Request: chat not found"),
    ],
)
async def test_a_chat_that_is_gone_is_recipient_gone(error: Exception, store: Store) -> None:
    with pytest.raises(RecipientGone):
        await sender(RefusingBot(error), store)(42, announcement())


@pytest.mark.parametrize("wait", [3600, dt.timedelta(minutes=5)])
async def test_a_long_flood_wait_is_retry_later_with_its_seconds(wait: int | dt.timedelta, store: Store) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        error = RetryAfter(wait)
    with pytest.raises(RetryLater) as raised:
        await sender(RefusingBot(error), store)(42, announcement())
    assert raised.value.seconds == (3600.0 if wait == 3600 else 300.0)


async def test_other_refusals_are_failures_the_announcer_retries(store: Store) -> None:
    with pytest.raises(BadRequest):
        await sender(RefusingBot(BadRequest("Bad Request: message is too long")), store)(42, announcement())
    assert await store.subscriptions() == []


# ----- release jobs ----------------------------------------------------------------------------------------


class RecordingJobQueue:
    """Just what `schedule_releases` uses of PTB's JobQueue."""

    def __init__(self) -> None:
        self.added: list[tuple[dt.datetime, str]] = []

    def jobs(self) -> tuple[Any, ...]:
        return ()

    def get_jobs_by_name(self, name: str) -> tuple[Any, ...]:
        return ()

    def run_once(self, callback: Any, when: dt.datetime, name: str) -> None:
        self.added.append((when, name))


def test_a_moment_the_real_clock_has_passed_is_never_queued(tmp_path: Path) -> None:
    """With a clock that is not the real one (--now, tests), a moment after the engine's "now" may already
    be past in real time; queued, it would run at once, again and again. Only real-future moments are queued."""
    real_now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    past, future = real_now - dt.timedelta(days=1), real_now + dt.timedelta(days=1)
    directory = copy_knowledge(tmp_path)
    write_reviews(
        directory,
        [
            review("child-p", "Child P", [embargoed_doc("child-p-report", past.isoformat())]),
            review("child-q", "Child Q", [embargoed_doc("child-q-report", future.isoformat())]),
        ],
    )
    engine = Engine(load_knowledge(directory), lambda: real_now - dt.timedelta(days=2))
    queue = RecordingJobQueue()
    Assistant(engine, Settings()).schedule_releases(cast(Any, queue))
    assert queue.added == [(future, job_name(future))]


def test_settling_the_heap_builds_the_view_and_freezes_it() -> None:
    import gc

    from bot.transports.telegram.app import settle_heap

    engine = Engine(load_knowledge(FIXTURE_KNOWLEDGE), lambda: dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC))
    gc.unfreeze()
    try:
        settle_heap(engine)
        assert gc.get_freeze_count() > 0
        assert engine.snapshot().matcher is engine.snapshot().matcher  # built once, before the first question
    finally:
        gc.unfreeze()
