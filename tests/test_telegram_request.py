"""JsonBodyRequest: Bot API calls go out as one JSON body, with python-telegram-bot's errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut

from bot.telegram_request import JsonBodyRequest

BOT_USER = {"id": 1, "is_bot": True, "first_name": "Reviews", "username": "reviews_bot"}


def _ok(result: Any) -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "result": result})


async def _bot_answering(handler: Any) -> Bot:
    request = JsonBodyRequest(httpx_kwargs={"transport": httpx.MockTransport(handler)})
    bot = Bot("123:abc", request=request, get_updates_request=request)
    await request.initialize()
    return bot


@pytest.mark.asyncio
async def test_a_message_with_a_keyboard_is_sent_as_nested_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = json.loads(request.content)
        return _ok({"message_id": 7, "date": 0, "chat": {"id": body["chat_id"], "type": "private"},
                    "from": BOT_USER, "text": body["text"]})

    bot = await _bot_answering(handler)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Menu", callback_data="help")]])
    sent = await bot.send_message(42, "Child E – <b>published</b>", parse_mode="HTML", reply_markup=markup)
    assert sent.message_id == 7
    request = seen[-1]
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.content)
    assert body["text"] == "Child E – <b>published</b>"  # UTF-8, not escaped or form-quoted
    assert body["reply_markup"] == {"inline_keyboard": [[{"text": "Menu", "callback_data": "help"}]]}


@pytest.mark.asyncio
async def test_timeouts_and_network_errors_become_telegram_errors() -> None:
    def timing_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refusing(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(TimedOut):
        await (await _bot_answering(timing_out)).send_message(42, "hello")
    with pytest.raises(NetworkError, match="ConnectError"):
        await (await _bot_answering(refusing)).send_message(42, "hello")
