"""End to end: the real Application polls the loopback fake Bot API; each test plays a practitioner.

The `telegram` fixture also checks, after every test, that Telegram refused none of the bot's requests and
that every message was HTML without link previews. Expected texts come from the engine itself, so these
tests also pin that the adapter adds no answering logic of its own.
"""

from __future__ import annotations

import logging

import pytest

from bot.answers.render import telegram_html
from bot.answers.reply import Reply
from bot.kb.models import ReplyKind
from bot.service.engine import apology
from bot.service.stats import feedback_buttons
from bot.transports.telegram.app import (
    ADMIN_COMMANDS,
    BUTTON_EXPIRED,
    CHOICE_MARK,
    COMMANDS,
    LINK_EXPIRED,
    TEXT_ONLY,
    UNKNOWN_COMMAND,
    WELCOME,
)
from tests.conftest import TelegramHarness
from tests.fakes.bot_api import MESSAGE_LIMIT, NOT_MODIFIED, QUERY_TOO_OLD, SentMessage


def html_of(reply: Reply | None) -> list[str]:
    assert reply is not None
    return telegram_html(reply)


def labels(reply: Reply) -> list[str]:
    return [b.label for b in reply.buttons]


def shown_labels(message: SentMessage) -> list[str]:
    return [b.text for b in message.buttons]


# ----- commands ------------------------------------------------------------------------------------


async def test_the_command_menu_is_registered_at_start(telegram: TelegramHarness) -> None:
    registered = telegram.api.commands["default:"]
    assert [c["command"] for c in registered] == [
        "start",
        "help",
        "latest",
        "reviews",
        "themes",
        "resources",
        "contacts",
        "about",
        "subscribe",
        "unsubscribe",
    ]
    assert not {c["command"] for c in registered} & set(ADMIN_COMMANDS)  # admins know them; nobody else sees them
    assert all(c["description"] for c in registered)
    assert len(telegram.api.calls_to("setMyCommands")) == 1


async def test_start_welcomes_and_shows_the_menu(telegram: TelegramHarness) -> None:
    [welcome] = await telegram.api.conversation().say("/start")
    assert welcome.html.startswith(f"<b>{WELCOME}</b>\n\n")
    assert welcome.html.removeprefix(f"<b>{WELCOME}</b>\n\n") == html_of(telegram.engine.act("help"))[0]
    assert "999" in welcome.text
    assert welcome.rows == [["Latest reviews", "Themes"], ["How reviews work", "Urgent contacts"]]
    assert all(b.callback_data for b in welcome.buttons)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.name != "start"], ids=lambda c: c.name)
async def test_every_command_sends_the_engine_reply_for_its_actions(telegram: TelegramHarness, command: object) -> None:
    from bot.transports.telegram.app import Command

    assert isinstance(command, Command)
    replies = [telegram.engine.act(action) for action in command.actions]
    expected = [text for reply in replies for text in html_of(reply)]
    messages = await telegram.api.conversation().say(f"/{command.name}", expect=len(expected))
    assert [m.html for m in messages] == expected
    last_reply = replies[-1]
    assert last_reply is not None and shown_labels(messages[-1]) == labels(last_reply)


async def test_resources_sends_frameworks_then_themes(telegram: TelegramHarness) -> None:
    framework, themes = await telegram.api.conversation().say("/resources", expect=2)
    assert "Working Together" in framework.text
    assert "NSPCC" in themes.text and "Neglect" in shown_labels(themes)


async def test_an_unknown_command_says_so_with_the_menu(telegram: TelegramHarness) -> None:
    [message] = await telegram.api.conversation().say("/frobnicate")
    assert message.text.startswith(UNKNOWN_COMMAND)
    assert "Latest reviews" in shown_labels(message)


@pytest.mark.parametrize(
    ("text", "actions"),
    [
        ("/latest", ["latest_reviews"]),
        ("/start review-child-e", ["review:child-e"]),
        ("/resources", ["framework", "themes"]),
    ],
)
async def test_commands_without_entities_from_emulators_still_work(
    telegram: TelegramHarness, text: str, actions: list[str]
) -> None:
    chat = telegram.api.conversation()
    message = telegram.api.post_text(chat.user, text, entities=False)
    assert "entities" not in message
    expected = [html for action in actions for html in html_of(telegram.engine.act(action))]
    messages = await telegram.api.wait_messages(chat.chat_id, 0, len(expected))
    assert [m.html for m in messages] == expected


# ----- deep links -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "action"),
    [
        ("review-child-e", "review:child-e"),
        ("review-child-c-d", "review:child-c-d"),
        ("theme-neglect", "theme:neglect"),
        ("latest_reviews", "latest_reviews"),
        ("statement-baby-scr", "statement:baby-scr"),
        ("contacts", "contacts"),
    ],
)
async def test_deep_links_open_what_they_name(telegram: TelegramHarness, payload: str, action: str) -> None:
    expected = html_of(telegram.engine.act(action))
    messages = await telegram.api.conversation().say(f"/start {payload}", expect=len(expected))
    assert [m.html for m in messages] == expected


@pytest.mark.parametrize("payload", ["review-nobody", "review-child-k", "nonsense", "glossary-"])
async def test_a_deep_link_to_nothing_visible_says_it_expired(telegram: TelegramHarness, payload: str) -> None:
    [message] = await telegram.api.conversation().say(f"/start {payload}")
    assert message.text.startswith(LINK_EXPIRED)
    assert "Latest reviews" in shown_labels(message)


# ----- questions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("latest reviews", "latest_reviews"),
        ("chld e", "review"),  # a typo
        ("where can I read the child c and d report", "where_to_read"),
        ("what is an scr", "glossary"),
        ("neglect", "theme"),
        ("how do reviews work", "how_reviews_work"),
        ("NSPCC repository", "national_repository"),
        ("hello", "greeting"),
        ("I am worried about a child who is in danger", "urgent"),
        ("what's the weather tomorrow", None),
    ],
)
async def test_questions_get_the_engine_answer(telegram: TelegramHarness, question: str, intent: str | None) -> None:
    reply = telegram.engine.answer(question)
    assert reply.intent == intent
    expected = telegram_html(reply)
    messages = await telegram.api.conversation().say(question, expect=len(expected))
    assert [m.html for m in messages] == expected
    helpful = [b.label for b in feedback_buttons(reply)]  # "Helpful: yes / no" under answers only
    assert bool(helpful) == (reply.kind == ReplyKind.ANSWER)
    assert shown_labels(messages[-1]) == [b.label for b in reply.buttons if b.url or b.action] + helpful


async def test_an_urgent_concern_puts_999_first(telegram: TelegramHarness) -> None:
    [message] = await telegram.api.conversation().say("a child is in danger right now, what do I do")
    assert message.text.startswith("If a child is in immediate danger, call 999 now.")
    assert message.entities[0] == {
        "offset": 0,
        "length": len("If a child is in immediate danger, call 999 now."),
        "type": "bold",
    }


async def test_a_long_answer_is_split_under_the_limit_with_the_keyboard_last(telegram: TelegramHarness) -> None:
    expected = html_of(telegram.engine.answer("child l"))
    assert len(expected) >= 2
    messages = await telegram.api.conversation().say("child l", expect=len(expected))
    assert [m.html for m in messages] == expected
    assert all(len(m.text) <= MESSAGE_LIMIT for m in messages)
    assert [bool(m.buttons) for m in messages] == [False] * (len(messages) - 1) + [True]
    whole = "".join(m.text for m in messages)
    assert whole.count("late & did not escalate concerns <in time>.") == 90  # escaped, split, nothing lost


@pytest.mark.parametrize(
    "question",
    ["<b>child e</b>", "Child C & D <script>alert(1)</script>", "a < b && c > d; &amp; &#60;", "</i>latest<i>"],
)
async def test_html_in_a_question_is_never_sent_back_unescaped(telegram: TelegramHarness, question: str) -> None:
    expected = html_of(telegram.engine.answer(question))
    messages = await telegram.api.conversation().say(question, expect=len(expected))
    assert [m.html for m in messages] == expected  # and the fake parsed each as valid Telegram HTML
    assert all("<script>" not in m.html for m in messages)


async def test_a_5000_character_question_is_answered(telegram: TelegramHarness) -> None:
    question = ("I am worried about a pupil in my class and the child e review " * 90)[:5000]
    assert len(question) == 5000
    expected = html_of(telegram.engine.answer(question))
    messages = await telegram.api.conversation().say(question, expect=len(expected))
    assert [m.html for m in messages] == expected


async def test_non_text_messages_get_the_menu(telegram: TelegramHarness) -> None:
    chat = telegram.api.conversation()
    telegram.api.post_message(
        chat.user,
        {
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "u1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        },
    )
    [message] = await telegram.api.wait_messages(chat.chat_id, 0, 1)
    assert message.text.startswith(TEXT_ONLY)


# ----- buttons ------------------------------------------------------------------------------------------


async def test_follow_up_buttons_are_the_replys_buttons(telegram: TelegramHarness) -> None:
    chat = telegram.api.conversation()
    [answer] = await chat.say("child e")
    reply = telegram.engine.answer("child e")
    assert [(b.text, b.callback_data, b.url) for b in answer.buttons] == [
        (b.label, b.action, b.url) for b in (*reply.buttons, *feedback_buttons(reply))
    ]
    assert answer.rows == [
        ["Open: Improvements made briefing"],
        ["Latest reviews", "Menu"],
        ["Helpful: yes", "Helpful: no"],
    ]
    callback, [latest] = await chat.tap(answer, "Latest reviews")
    assert callback == {"callback_query_id": callback["callback_query_id"]}  # answered, quietly
    assert [latest.html] == html_of(telegram.engine.act("latest_reviews"))
    _, [review] = await chat.tap(latest, "Child C & D")
    assert [review.html] == html_of(telegram.engine.act("review:child-c-d"))
    _, [menu] = await chat.tap(review, "Menu")
    assert [menu.html] == html_of(telegram.engine.act("help"))


async def test_every_callback_fits_in_64_bytes(telegram: TelegramHarness) -> None:
    chat = telegram.api.conversation()
    for question in ("latest reviews", "themes", "child", "contacts", "how do reviews work", "baby review"):
        await chat.say(question)
    data = [b.callback_data for m in chat.received for b in m.buttons if b.callback_data]
    assert data and all(len(d.encode()) <= 64 for d in data)


async def test_did_you_mean_offers_choices_and_marks_the_one_taken(telegram: TelegramHarness) -> None:
    chat = telegram.api.conversation()
    reply = telegram.engine.answer("child")
    assert reply.kind == ReplyKind.CLARIFY and len(reply.suggestions) >= 2
    [question] = await chat.say("child")
    assert [question.html] == html_of(reply)
    assert question.text.startswith("Did you mean Child")
    choices = {b.label: b.action for b in reply.buttons if b.label in reply.suggestions}
    assert {b.text: b.callback_data for b in question.buttons if b.text in choices} == {
        label: f"{CHOICE_MARK}{action}" for label, action in choices.items()
    }
    label = "Child C & D"  # not the first choice, and a label that needs escaping
    assert label in reply.suggestions and reply.suggestions[0] != label
    callback, [answer] = await chat.tap(question, label)
    assert callback["callback_query_id"]
    assert [answer.html] == html_of(telegram.engine.act(str(choices[label])))
    await telegram.api.wait_until(lambda: bool(question.edits), "the question to be marked")
    assert question.html == f"{html_of(reply)[0]}\n\n→ <b>Child C &amp; D</b>"
    assert question.text.endswith(f"?\n\n→ {label}")
    assert question.buttons == []


async def test_tapping_a_choice_twice_at_once_answers_both_and_marks_once(telegram: TelegramHarness) -> None:
    telegram.allowed_errors.add(NOT_MODIFIED)  # the second mark is the same edit: Telegram refuses it
    chat = telegram.api.conversation()
    [question] = await chat.say("child")
    data = question.button("Child E").callback_data
    assert data is not None and data.startswith(CHOICE_MARK)
    first = telegram.api.post_callback(chat.user, question, data)
    second = telegram.api.post_callback(chat.user, question, data)  # both taps carry the keyboard
    await telegram.api.wait_answer(first)
    await telegram.api.wait_answer(second)
    answers = await telegram.api.wait_messages(chat.chat_id, 1, 2)
    assert [a.html for a in answers] == html_of(telegram.engine.act(data.removeprefix(CHOICE_MARK))) * 2
    await telegram.api.wait_until(lambda: len(telegram.api.calls_to("editMessageText")) == 2, "both marks")
    assert [c.status for c in telegram.api.calls_to("editMessageText")] == [200, 400]
    assert len(question.edits) == 1


async def test_a_button_naming_nothing_visible_says_it_expired(telegram: TelegramHarness) -> None:
    chat = telegram.api.conversation()
    [menu] = await chat.say("/help")
    for data in ("review:child-gone", "theme:nothing", "retired_intent", f"{CHOICE_MARK}review:child-k"):
        query = telegram.api.post_callback(chat.user, menu, data)
        answer = await telegram.api.wait_answer(query)
        assert answer["text"] == BUTTON_EXPIRED and answer["show_alert"] is True
    [next_reply] = await chat.say("hello")  # a barrier: nothing else was sent in between
    assert [next_reply.html] == html_of(telegram.engine.answer("hello"))


async def test_a_tap_seen_after_its_answer_window_still_gets_the_reply(telegram: TelegramHarness) -> None:
    telegram.allowed_errors.add(QUERY_TOO_OLD)
    chat = telegram.api.conversation()
    [menu] = await chat.say("/help")
    telegram.api.post_callback(chat.user, menu, "latest_reviews", expired=True)
    [latest] = await telegram.api.wait_messages(chat.chat_id, 1, 1)
    assert [latest.html] == html_of(telegram.engine.act("latest_reviews"))
    assert [c.description for c in telegram.api.errors] == [QUERY_TOO_OLD]


# ----- inline mode -----------------------------------------------------------------------------------------


async def test_inline_query_returns_the_answer_as_an_html_article(telegram: TelegramHarness) -> None:
    answer = await telegram.api.conversation().inline("child e")
    [result] = answer.results
    assert result["type"] == "article" and result["title"] == "Child E (LCSPR)"
    content = result["input_message_content"]
    assert content["message_text"] == html_of(telegram.engine.answer("child e"))[0]
    assert content["parse_mode"] == "HTML" and content["link_preview_options"] == {"is_disabled": True}
    buttons = [b for row in result["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["url"] for b in buttons] == [
        "https://lcitylscb.org/learning-from-reviews",
        "https://t.me/reviews_test_bot?start=latest_reviews",
        "https://t.me/reviews_test_bot?start=help",
    ]
    assert answer.params["button"] == {"text": "Open the assistant", "start_parameter": "help"}
    assert answer.params["is_personal"] is False


async def test_inline_did_you_mean_offers_each_choice(telegram: TelegramHarness) -> None:
    reply = telegram.engine.answer("child")
    actions = [b.action for b in reply.buttons if b.label in reply.suggestions]
    answer = await telegram.api.conversation().inline("child")
    assert len(answer.results) == len(reply.suggestions) >= 2
    assert [r["input_message_content"]["message_text"] for r in answer.results] == [
        html_of(telegram.engine.act(str(action)))[0] for action in actions
    ]
    assert [r["id"] for r in answer.results] == [str(i) for i in range(len(actions))]


async def test_inline_empty_query_offers_latest_and_contacts(telegram: TelegramHarness) -> None:
    answer = await telegram.api.conversation().inline("")
    assert [r["input_message_content"]["message_text"] for r in answer.results] == [
        html_of(telegram.engine.act("latest_reviews"))[0],
        html_of(telegram.engine.act("contacts"))[0],
    ]


async def test_inline_query_not_understood_offers_nothing(telegram: TelegramHarness) -> None:
    answer = await telegram.api.conversation().inline("weather tomorrow")
    assert answer.results == []
    assert answer.params["button"]["start_parameter"] == "help"


# ----- groups -----------------------------------------------------------------------------------------------


async def test_in_a_group_the_bot_answers_only_when_addressed(telegram: TelegramHarness) -> None:
    api = telegram.api
    group = api.group()
    alice = api.conversation(api.user("Alice"), group)
    alice.post("child e, anyone read it?")  # not addressed: ignored
    [answer] = await alice.say("@Reviews_Test_Bot child e")  # the barrier: the first reply is this one
    assert [answer.html] == html_of(telegram.engine.answer("child e"))
    assert answer.reply_to == alice.received[0].raw["reply_to_message"]["message_id"]
    [latest] = await alice.say("/latest@reviews_test_bot")
    assert [latest.html] == html_of(telegram.engine.act("latest_reviews"))
    [thanks] = await alice.say("thanks", reply_to=answer.message_id)  # a reply to the bot
    assert [thanks.html] == html_of(telegram.engine.answer("thanks"))
    [menu] = await alice.say("@reviews_test_bot")
    assert [menu.html] == html_of(telegram.engine.act("help"))
    handled = [c for c in api.calls_to("sendMessage") if c.params["chat_id"] == group]
    assert len(handled) == 4


async def test_in_a_group_a_mention_without_entities_still_counts(telegram: TelegramHarness) -> None:
    api = telegram.api
    group = api.group()
    alice = api.conversation(api.user("Alice"), group)
    api.post_text(alice.user, "what about reviews_test_bot and child e?", chat_id=group, entities=False)
    api.post_text(alice.user, "child e please @reviews_test_bot", chat_id=group, entities=False)
    [answer] = await api.wait_messages(group, 0, 1)
    assert [answer.html] == html_of(telegram.engine.answer("child e please"))
    assert answer.reply_to == 2  # the second message, not the first


async def test_a_group_reply_survives_the_question_being_deleted(telegram: TelegramHarness) -> None:
    api = telegram.api
    group = api.group()
    alice = api.conversation(api.user("Alice"), group)
    api.inject("sendMessage", delay=0.2)  # the user deletes the question while the bot is replying
    message = alice.post("@reviews_test_bot child e")
    api.delete(group, message["message_id"])
    [answer] = await api.wait_messages(group, 0, 1)
    assert [answer.html] == html_of(telegram.engine.answer("child e"))
    assert answer.reply_to is None


# ----- faults -----------------------------------------------------------------------------------------------


async def test_flood_control_is_waited_out_and_the_reply_arrives(telegram: TelegramHarness) -> None:
    telegram.api.inject("sendMessage", status=429, retry_after=1)
    [answer] = await telegram.api.conversation().say("child e")
    assert [answer.html] == html_of(telegram.engine.answer("child e"))
    assert [c.status for c in telegram.api.calls_to("sendMessage")] == [429, 200]


@pytest.mark.parametrize("status", [500, 502])
async def test_server_errors_are_retried(telegram: TelegramHarness, status: int) -> None:
    telegram.api.inject("sendMessage", status=status)
    [answer] = await telegram.api.conversation().say("latest reviews")
    assert [answer.html] == html_of(telegram.engine.answer("latest reviews"))
    assert [c.status for c in telegram.api.calls_to("sendMessage")] == [status, 200]


@pytest.mark.parametrize("bot_timeout", [1.0])
async def test_a_lost_request_times_out_and_is_sent_again(telegram: TelegramHarness) -> None:
    telegram.api.inject("sendMessage", drop=True)  # never answered: only the bot's 1 s read timeout ends it
    [answer] = await telegram.api.conversation().say("child e")
    assert [answer.html] == html_of(telegram.engine.answer("child e"))
    assert [(c.status, c.fault) for c in telegram.api.calls_to("sendMessage")] == [(0, True), (200, False)]


async def test_a_slow_response_is_not_sent_twice(telegram: TelegramHarness) -> None:
    telegram.api.inject("sendMessage", delay=0.2)
    chat = telegram.api.conversation()
    await chat.say("child e")
    await chat.say("hello")
    assert [c.status for c in telegram.api.calls_to("sendMessage")] == [200, 200]


async def test_callback_answers_and_inline_answers_are_retried(telegram: TelegramHarness) -> None:
    telegram.api.inject("answerCallbackQuery", status=500)
    telegram.api.inject("answerInlineQuery", status=429, retry_after=1)
    chat = telegram.api.conversation()
    [answer] = await chat.say("child e")
    _, [latest] = await chat.tap(answer, "Latest reviews")
    assert [latest.html] == html_of(telegram.engine.act("latest_reviews"))
    inline = await chat.inline("child e")
    assert inline.titles == ["Child E (LCSPR)"]
    assert [c.status for c in telegram.api.calls_to("answerCallbackQuery")] == [500, 200]
    assert [c.status for c in telegram.api.calls_to("answerInlineQuery")] == [429, 200]


async def test_when_sending_keeps_failing_the_user_gets_an_apology(
    telegram: TelegramHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.transports.telegram import app as telegram_app

    monkeypatch.setattr(telegram_app, "RETRY_BASE_DELAY", 0.01)
    telegram.api.inject("sendMessage", status=500, times=telegram_app.DELIVERY_ATTEMPTS)
    with caplog.at_level(logging.WARNING, logger="bot.transports.telegram.app"):
        [message] = await telegram.api.conversation().say("Quockerwodger child e")
    assert [message.html] == html_of(apology())
    statuses = [c.status for c in telegram.api.calls_to("sendMessage")]
    assert statuses == [500] * telegram_app.DELIVERY_ATTEMPTS + [200]
    assert "an update could not be handled: NetworkError" in caplog.text
    assert "Quockerwodger" not in caplog.text


async def test_a_failing_handler_is_logged_without_the_text_and_apologises(
    telegram: TelegramHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(action: str, now: object = None) -> Reply:
        raise RuntimeError("engine fault")

    chat = telegram.api.conversation()
    [menu] = await chat.say("/help")
    monkeypatch.setattr(telegram.engine, "act", broken)
    with caplog.at_level(logging.ERROR, logger="bot.transports.telegram.app"):
        query = telegram.api.post_callback(chat.user, menu, "latest_reviews")
        [message] = await telegram.api.wait_messages(chat.chat_id, 1, 1)
    assert [message.html] == html_of(apology())
    assert await telegram.api.wait_answer(query) == {"callback_query_id": query}
    assert [r.getMessage() for r in caplog.records] == ["an update could not be handled: RuntimeError"]


async def test_an_emulator_missing_optional_methods_still_gets_every_reply(telegram: TelegramHarness) -> None:
    """Marking a choice and answering a query are best effort: without them the reply still arrives."""
    telegram.allowed_errors.add("Not Found")
    for method in ("editMessageText", "answerCallbackQuery"):
        telegram.api.remove_method(method)
    chat = telegram.api.conversation()
    [question] = await chat.say("child")
    telegram.api.post_callback(chat.user, question, question.button("Child E").callback_data or "")
    [answer] = await telegram.api.wait_messages(chat.chat_id, 1, 1)
    assert [answer.html] == html_of(telegram.engine.act("review:child-e"))
    await telegram.api.wait_until(lambda: len(telegram.api.calls_to("editMessageText")) == 1, "the mark attempt")
    optional = [c for c in telegram.api.calls if c.method in ("answerCallbackQuery", "editMessageText")]
    assert [c.status for c in optional] == [404, 404]
