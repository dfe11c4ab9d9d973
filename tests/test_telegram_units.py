"""The adapter's small pieces on their own: deep links, keyboards, the retrying send helper, log redaction."""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings

import pytest
from telegram import Chat, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.engine import Engine
from bot.models import ReplyKind
from bot.reply import Button, Reply, para
from bot.telegram_app import (
    CALLBACK_DATA_LIMIT,
    CHOICE_MARK,
    COMMANDS,
    DELIVERY_ATTEMPTS,
    RedactToken,
    action_from_payload,
    deliver,
    keyboard,
    payload_for,
    question_text,
    retry_after_seconds,
    with_notice,
)


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


# ----- deep links ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("payload", "action"),
    [("review-child-e", "review:child-e"), ("review-child-c-d", "review:child-c-d"), ("theme-neglect", "theme:neglect"),
     ("latest_reviews", "latest_reviews"), ("help", "help"), ("glossary-cspr", "glossary:cspr")],
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
    [("@reviews_bot child e", "child e"), ("child e @Reviews_Bot", "child e"), ("@reviews_bot", ""),
     ("@reviews_botty child e", "@reviews_botty child e"), ("mail a@reviews_bot please", "mail a@reviews_bot please")],
)
def test_the_mention_is_taken_out_of_the_question(text: str, question: str) -> None:
    message = Message(1, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), Chat(-100, "supergroup"), text=text)
    assert question_text(message, "reviews_bot") == question


# ----- keyboards ---------------------------------------------------------------------------------------

def test_buttons_become_callbacks_and_links_laid_out_for_a_phone() -> None:
    markup = keyboard(reply_with(
        Button("Open: Improvements made briefing", url="https://example.org/doc"),
        Button("What the chair said", "statement:child-e"),
        Button("Latest reviews", "latest_reviews"),
        Button("Menu", "help"),
        Button("Themes", "themes"),
    ))
    assert markup is not None
    rows = [[(b.text, b.callback_data, b.url) for b in row] for row in markup.inline_keyboard]
    assert rows == [
        [("Open: Improvements made briefing", None, "https://example.org/doc")],
        [("What the chair said", "statement:child-e", None)],  # too long to share a row
        [("Latest reviews", "latest_reviews", None), ("Menu", "help", None)],
        [("Themes", "themes", None)],
    ]


def test_no_buttons_no_keyboard() -> None:
    assert keyboard(reply_with()) is None
    assert keyboard(reply_with(Button("Nothing to do"))) is None


def test_callback_data_over_64_bytes_is_skipped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    fits = "review:" + "a" * (CALLBACK_DATA_LIMIT - len("review:"))
    too_long = "review:" + "é" * 30  # 67 bytes in 37 characters
    with caplog.at_level(logging.WARNING, logger="bot.telegram_app"):
        markup = keyboard(reply_with(Button("Fits", fits), Button("Too long", too_long), Button("Menu", "help")))
    assert markup is not None
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == [fits, "help"]
    assert "skipped a button whose action is 67 bytes" in caplog.text


def test_did_you_mean_choices_are_marked_unless_the_mark_would_not_fit() -> None:
    at_limit = "review:" + "b" * (CALLBACK_DATA_LIMIT - len("review:"))
    reply = reply_with(Button("Child E", "review:child-e"), Button("Child B", at_limit), Button("Menu", "help"),
                       kind=ReplyKind.CLARIFY, suggestions=("Child E", "Child B"))
    markup = keyboard(reply)
    assert markup is not None
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == [
        f"{CHOICE_MARK}review:child-e", at_limit, "help"]
    not_a_question = reply_with(Button("Child E", "review:child-e"), suggestions=("Child E",))
    unmarked = keyboard(not_a_question)
    assert unmarked is not None and unmarked.inline_keyboard[0][0].callback_data == "review:child-e"


def test_shared_messages_get_deep_links_instead_of_callbacks() -> None:
    markup = keyboard(reply_with(Button("Doc", url="https://example.org/doc"), Button("Child E", "review:child-e"),
                                 Button("Far too long", "review:" + "z" * 70)), username="reviews_bot")
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

    monkeypatch.setattr("bot.telegram_app.asyncio.sleep", record)
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
    record = logging.LogRecord("httpx", logging.WARNING, __file__, 1, "HTTP Request: POST %s",
                               (f"https://api.telegram.org/bot{TOKEN}/getUpdates",), None)
    assert formatted(record) == "HTTP Request: POST https://api.telegram.org/bot<token>/getUpdates"


def test_the_token_is_redacted_from_tracebacks() -> None:
    try:
        raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")
    except ConnectionError as error:
        record = logging.LogRecord("telegram", logging.ERROR, __file__, 1, "failed", (), (type(error), error, None))
    text = formatted(record)
    assert TOKEN not in text and "bot<token>/getMe" in text
