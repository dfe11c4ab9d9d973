"""The fake Bot API is strict where Telegram is strict: each rule checked over real HTTP, as a bot would hit it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fakes.bot_api import BLOCKED, CALLBACK_DATA_LIMIT, MESSAGE_LIMIT, FakeBotAPI, HtmlError, parse_html

JSON = dict[str, Any]


class Client:
    """A minimal Bot API client: form-encoded like python-telegram-bot, or JSON."""

    def __init__(self, api: FakeBotAPI, http: httpx.AsyncClient) -> None:
        self.api = api
        self.http = http

    async def call(self, method: str, token: str | None = None, as_json: bool = False, **params: Any) -> JSON:
        url = f"{self.api.url}/bot{token or self.api.token}/{method}"
        if as_json:
            response = await self.http.post(url, json=params)
        else:
            form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
            response = await self.http.post(url, data=form)
        body: JSON = response.json()
        assert body["ok"] == (response.status_code == 200)
        if not body["ok"]:
            assert body["error_code"] == response.status_code
        return body

    async def ok(self, method: str, **params: Any) -> Any:
        body = await self.call(method, **params)
        assert body["ok"], body
        return body["result"]

    async def refused(self, method: str, status: int = 400, **params: Any) -> str:
        body = await self.call(method, **params)
        assert not body["ok"] and body["error_code"] == status, body
        return str(body["description"])


@pytest.fixture
async def client(bot_api: FakeBotAPI) -> AsyncIterator[Client]:
    async with httpx.AsyncClient(timeout=10.0) as http:
        yield Client(bot_api, http)


# ----- the HTML parser ------------------------------------------------------------------------------


def test_parse_html_gives_text_and_utf16_entities() -> None:
    text, entities = parse_html('👋 <b>Child C &amp; D</b> <a href="https://x.org/?a=1&amp;b=2">read</a>&#33;')
    assert text == "👋 Child C & D read!"
    assert entities == [
        {"offset": 3, "length": 11, "type": "bold"},  # the emoji is two UTF-16 units
        {"offset": 15, "length": 4, "type": "text_link", "url": "https://x.org/?a=1&b=2"},
    ]


def test_parse_html_knows_pre_with_a_language_and_nested_tags() -> None:
    text, entities = parse_html('<pre><code class="language-python">x &lt; 1</code></pre> <i><u>y</u></i>')
    assert text == "x < 1 y"
    assert {"offset": 0, "length": 5, "type": "pre", "language": "python"} in entities
    assert {e["type"] for e in entities} == {"pre", "italic", "underline"}


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("1 < 2", 'Unsupported start tag " "'),
        ("<b", "Unclosed start tag"),
        ("C & D", "Bare '&' at byte offset 2"),
        ("&nbsp;", "Bare '&'"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<script>alert(1)</script>", 'Unsupported start tag "script"'),
    ],
)
def test_parse_html_rejects_what_telegram_rejects(source: str, error: str) -> None:
    with pytest.raises(HtmlError) as caught:
        parse_html(source)
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")
    assert error in caught.value.description


# ----- sendMessage ----------------------------------------------------------------------------------


async def test_get_me_wrong_token_and_unknown_method(client: Client, bot_api: FakeBotAPI) -> None:
    me = await client.ok("getMe")
    assert me["is_bot"] and me["username"] == "reviews_test_bot"
    wrong = await client.call("getMe", token="1000000001:wrong")
    assert (wrong["error_code"], wrong["description"]) == (401, "Unauthorized")
    assert await client.refused("sendSticker", status=404, chat_id=1) == "Not Found"
    assert bot_api.calls_to("sendSticker")[0].status == 404


async def test_send_message_checks_chat_text_and_length(client: Client, bot_api: FakeBotAPI) -> None:
    user = bot_api.user()
    assert await client.refused("sendMessage", chat_id=999, text="hi") == "Bad Request: chat not found"
    assert await client.refused("sendMessage", chat_id=user.id, text="") == "Bad Request: message text is empty"
    empty_after_parse = await client.refused("sendMessage", chat_id=user.id, text=" <b> </b>\n", parse_mode="HTML")
    assert empty_after_parse == "Bad Request: message text is empty"
    too_long = await client.refused("sendMessage", chat_id=user.id, text="x" * (MESSAGE_LIMIT + 1))
    assert too_long == "Bad Request: message is too long"
    # The limit applies after entity parsing: tags do not count, decoded entities count once.
    html = "<b>" + "&amp;" * MESSAGE_LIMIT + "</b>"
    sent = await client.ok("sendMessage", chat_id=user.id, text=html, parse_mode="HTML")
    assert len(sent["text"]) == MESSAGE_LIMIT and sent["entities"][0]["type"] == "bold"
    assert bot_api.messages_in(user.id)[-1].html == html


async def test_send_message_refuses_bad_html(client: Client, bot_api: FakeBotAPI) -> None:
    user = bot_api.user()
    for source in ("<b>unclosed", "<blink>x</blink>", "a < b", "Tom & Jerry"):
        error = await client.refused("sendMessage", chat_id=user.id, text=source, parse_mode="HTML")
        assert error.startswith("Bad Request: can't parse entities")
    # Without a parse mode the same text is plain.
    plain = await client.ok("sendMessage", chat_id=user.id, text="a < b & c")
    assert plain["text"] == "a < b & c" and "entities" not in plain
    assert [m.text for m in bot_api.messages_in(user.id)] == ["a < b & c"]


async def test_keyboards_callback_data_limit_and_urls(client: Client, bot_api: FakeBotAPI) -> None:
    user = bot_api.user()

    def markup(**button: str) -> JSON:
        return {"inline_keyboard": [[{"text": "Tap", **button}]]}

    at_limit = "r" * CALLBACK_DATA_LIMIT
    await client.ok("sendMessage", chat_id=user.id, text="ok", reply_markup=markup(callback_data=at_limit))
    for data in ("r" * (CALLBACK_DATA_LIMIT + 1), "é" * 33, ""):  # 33 x 2 bytes = 66 bytes
        error = await client.refused("sendMessage", chat_id=user.id, text="x", reply_markup=markup(callback_data=data))
        assert error == "Bad Request: BUTTON_DATA_INVALID"
    bad_url = await client.refused("sendMessage", chat_id=user.id, text="x", reply_markup=markup(url="javascript:1"))
    assert bad_url == "Bad Request: BUTTON_URL_INVALID"
    no_action = await client.refused("sendMessage", chat_id=user.id, text="x", reply_markup=markup())
    assert no_action == "Bad Request: text buttons are unallowed in the inline keyboard"
    assert bot_api.messages_in(user.id)[-1].buttons[0].callback_data == at_limit


async def test_reply_to_a_missing_message(client: Client, bot_api: FakeBotAPI) -> None:
    user = bot_api.user()
    question = bot_api.post_text(user, "hello")
    await client.ok("sendMessage", chat_id=user.id, text="hi", reply_parameters={"message_id": question["message_id"]})
    missing = await client.refused("sendMessage", chat_id=user.id, text="hi", reply_parameters={"message_id": 999})
    assert missing == "Bad Request: message to be replied not found"
    bot_api.delete(user.id, question["message_id"])
    tolerated = await client.ok(
        "sendMessage",
        chat_id=user.id,
        text="hi",
        reply_parameters={"message_id": question["message_id"], "allow_sending_without_reply": True},
    )
    assert "reply_to_message" not in tolerated


async def test_editing_to_the_same_content_is_refused(client: Client, bot_api: FakeBotAPI) -> None:
    user = bot_api.user()
    sent = await client.ok("sendMessage", chat_id=user.id, text="<b>Did you mean</b>", parse_mode="HTML")
    edit = {"chat_id": user.id, "message_id": sent["message_id"], "parse_mode": "HTML"}
    same = await client.refused("editMessageText", text="<b>Did you mean</b>", **edit)
    assert same.startswith("Bad Request: message is not modified")
    await client.ok("editMessageText", text="<i>Did you mean</i>", **edit)  # same text, other entities
    keyboard = {"inline_keyboard": [[{"text": "Menu", "callback_data": "help"}]]}
    await client.ok("editMessageText", text="<i>Did you mean</i>", reply_markup=keyboard, **edit)
    again = await client.refused(
        "editMessageReplyMarkup", chat_id=user.id, message_id=sent["message_id"], reply_markup=keyboard
    )
    assert again.startswith("Bad Request: message is not modified")
    missing = await client.refused("editMessageText", chat_id=user.id, message_id=99, text="x")
    assert missing == "Bad Request: message to edit not found"
    message = bot_api.messages_in(user.id)[0]
    assert message.edits == ["<b>Did you mean</b>", "<i>Did you mean</i>"]
    assert message.rows == [["Menu"]]


async def test_a_callback_query_is_answered_once_and_not_after_it_expired(client: Client, bot_api: FakeBotAPI) -> None:
    user = bot_api.user()
    await client.ok(
        "sendMessage",
        chat_id=user.id,
        text="menu",
        reply_markup={"inline_keyboard": [[{"text": "Menu", "callback_data": "help"}]]},
    )
    message = bot_api.messages_in(user.id)[0]
    first = bot_api.post_callback(user, message, "help")
    await client.ok("answerCallbackQuery", callback_query_id=first)
    assert await client.refused("answerCallbackQuery", callback_query_id=first) == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    late = bot_api.post_callback(user, message, "help")
    bot_api.expire(late)
    for stale in (late, "nope"):
        refused = await client.refused("answerCallbackQuery", callback_query_id=stale)
        assert refused.startswith("Bad Request: query is too old")


async def test_inline_answers_are_validated(client: Client, bot_api: FakeBotAPI) -> None:
    user = bot_api.user()

    def article(result_id: str, text: str) -> JSON:
        return {
            "type": "article",
            "id": result_id,
            "title": "T",
            "input_message_content": {"message_text": text, "parse_mode": "HTML"},
        }

    query = bot_api.post_inline(user, "child e")
    bad = await client.refused("answerInlineQuery", inline_query_id=query, results=[article("1", "<b>x")])
    assert bad.startswith("Bad Request: can't parse entities")
    duplicate = await client.refused(
        "answerInlineQuery", inline_query_id=query, results=[article("1", "a"), article("1", "b")]
    )
    assert duplicate == "Bad Request: RESULT_ID_DUPLICATE"
    await client.ok("answerInlineQuery", inline_query_id=query, results=[article("1", "<b>ok</b>")])
    twice = await client.refused("answerInlineQuery", inline_query_id=query, results=[])
    assert twice.startswith("Bad Request: query is too old")
    assert (await bot_api.wait_answer(query))["results"][0]["id"] == "1"


async def test_set_my_commands_checks_names(client: Client, bot_api: FakeBotAPI) -> None:
    assert await client.ok("setMyCommands", commands=[{"command": "latest", "description": "Latest"}]) is True
    assert await client.ok("getMyCommands") == [{"command": "latest", "description": "Latest"}]
    upper = await client.refused("setMyCommands", commands=[{"command": "Latest", "description": "x"}])
    assert upper == "Bad Request: BOT_COMMAND_INVALID"
    assert bot_api.commands == {"default:": [{"command": "latest", "description": "Latest"}]}


async def test_json_bodies_are_accepted_too(client: Client, bot_api: FakeBotAPI) -> None:
    user = bot_api.user()
    sent = await client.call("sendMessage", as_json=True, chat_id=user.id, text="<i>json</i>", parse_mode="HTML")
    assert sent["result"]["text"] == "json"


# ----- getUpdates -----------------------------------------------------------------------------------


async def test_long_polling_returns_when_an_update_arrives_and_offset_confirms(
    client: Client, bot_api: FakeBotAPI
) -> None:
    user = bot_api.user()
    poll = asyncio.create_task(client.ok("getUpdates", timeout=5))
    await bot_api.wait_until(lambda: bot_api.polls_waiting == 1, "the poll to be waiting")
    assert not poll.done()
    bot_api.post_text(user, "/start review-child-e")
    updates = await asyncio.wait_for(poll, 10)
    assert len(updates) == 1
    message = updates[0]["message"]
    assert message["text"] == "/start review-child-e"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    again = await client.ok("getUpdates", timeout=0)
    assert [u["update_id"] for u in again] == [updates[0]["update_id"]]  # not confirmed yet
    assert await client.ok("getUpdates", offset=updates[0]["update_id"] + 1, timeout=0) == []


async def test_a_newer_poll_ends_the_older_one_with_409(client: Client, bot_api: FakeBotAPI) -> None:
    older = asyncio.create_task(client.call("getUpdates", timeout=5))
    await bot_api.wait_until(lambda: bot_api.polls_waiting == 1, "the first poll")
    newer = await client.ok("getUpdates", timeout=0)
    assert newer == []
    body = await asyncio.wait_for(older, 10)
    assert body["error_code"] == 409 and "terminated by other getUpdates request" in body["description"]


async def test_get_updates_while_a_webhook_is_set_is_a_conflict(client: Client, bot_api: FakeBotAPI) -> None:
    await client.ok("setWebhook", url="http://127.0.0.1:9/hook", secret_token="s3cret")
    assert (await client.ok("getWebhookInfo"))["url"] == "http://127.0.0.1:9/hook"
    conflict = await client.refused("getUpdates", status=409)
    assert "webhook is active" in conflict
    await client.ok("deleteWebhook")
    assert await client.ok("getUpdates") == []


# ----- injected faults ------------------------------------------------------------------------------


async def test_injected_faults_happen_once_each(client: Client, bot_api: FakeBotAPI) -> None:
    user = bot_api.user()
    bot_api.inject("sendMessage", status=429, retry_after=3)
    bot_api.inject("sendMessage", status=500)
    flood = await client.call("sendMessage", chat_id=user.id, text="a")
    assert flood["error_code"] == 429 and flood["parameters"] == {"retry_after": 3}
    server = await client.call("sendMessage", chat_id=user.id, text="b")
    assert server["error_code"] == 500
    await client.ok("sendMessage", chat_id=user.id, text="c")
    assert [m.text for m in bot_api.messages_in(user.id)] == ["c"]
    assert [c.status for c in bot_api.calls_to("sendMessage")] == [429, 500, 200]
    assert bot_api.errors == []  # injected faults are not the bot's mistakes


async def test_slow_and_dropped_requests(client: Client, bot_api: FakeBotAPI) -> None:
    user = bot_api.user()
    bot_api.inject("sendMessage", delay=0.05)
    await client.ok("sendMessage", chat_id=user.id, text="slow but delivered")
    bot_api.inject("sendMessage", drop=True)
    with pytest.raises(httpx.ReadTimeout):  # a lost request is never answered
        await client.http.post(
            f"{bot_api.url}/bot{bot_api.token}/sendMessage", data={"chat_id": str(user.id), "text": "lost"}, timeout=0.3
        )
    assert [m.text for m in bot_api.messages_in(user.id)] == ["slow but delivered"]
    assert [(c.status, c.fault) for c in bot_api.calls_to("sendMessage")] == [(200, False), (0, True)]


async def test_a_user_who_blocked_the_bot_gets_403s(client: Client, bot_api: FakeBotAPI) -> None:
    user = bot_api.user()
    other = bot_api.user("Bob")
    sent = await client.ok("sendMessage", chat_id=user.id, text="before")
    bot_api.block(user.id)
    assert await client.refused("sendMessage", 403, chat_id=user.id, text="after") == BLOCKED
    assert (
        await client.refused("editMessageText", 403, chat_id=user.id, message_id=sent["message_id"], text="edited")
        == BLOCKED
    )
    await client.ok("sendMessage", chat_id=other.id, text="others still get theirs")
    assert [m.text for m in bot_api.messages_in(user.id)] == ["before"]
