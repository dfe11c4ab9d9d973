"""AiohttpRequest: Bot API calls go out over aiohttp as one JSON body, with python-telegram-bot's errors.

Each test runs a real aiohttp server on a loopback port and a real telegram.Bot against it."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.transports.telegram.request import AiohttpRequest

BOT_USER = {"id": 1, "is_bot": True, "first_name": "Reviews", "username": "reviews_bot"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _sent(chat_id: int, text: str) -> dict[str, Any]:
    return {"message_id": 7, "date": 0, "chat": {"id": chat_id, "type": "private"}, "from": BOT_USER, "text": text}


@asynccontextmanager
async def _bot_against(handler: Handler, **timeouts: float) -> AsyncIterator[Bot]:
    """A Bot whose every call goes to `handler`, served on a free loopback port."""
    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    request = AiohttpRequest(connection_pool_size=4, **timeouts)
    bot = Bot("123:abc", base_url=f"http://127.0.0.1:{port}/bot", request=request, get_updates_request=request)
    await request.initialize()
    try:
        yield bot
    finally:
        await request.shutdown()
        await runner.cleanup()


async def test_a_message_with_a_keyboard_is_sent_as_nested_json() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    async def handler(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append((request.headers["Content-Type"], body))
        return _ok(_sent(body["chat_id"], body["text"]))

    async with _bot_against(handler) as bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Menu", callback_data="help")]])
        sent = await bot.send_message(42, "Child E – <b>published</b>", parse_mode="HTML", reply_markup=markup)
    assert sent.message_id == 7 and sent.text == "Child E – <b>published</b>"
    content_type, body = seen[-1]
    assert content_type == "application/json"
    assert body["text"] == "Child E – <b>published</b>"  # UTF-8, neither escaped nor form-quoted
    assert body["reply_markup"] == {"inline_keyboard": [[{"text": "Menu", "callback_data": "help"}]]}


async def test_a_file_goes_out_as_multipart_form_data() -> None:
    seen: dict[str, Any] = {}

    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        seen.update(form)
        seen["content"] = form["document"].file.read()  # type: ignore[union-attr]
        return _ok(_sent(int(str(form["chat_id"])), "file"))

    async with _bot_against(handler) as bot:
        await bot.send_document(42, InputFile(b"line one\n", filename="notes.txt"), caption="Notes")
    assert seen["chat_id"] == "42" and seen["caption"] == "Notes"
    assert seen["document"].filename == "notes.txt"
    assert seen["content"] == b"line one\n"


async def test_a_reply_slower_than_the_read_timeout_is_timed_out() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1.0)
        return _ok(True)

    async with _bot_against(slow, read_timeout=0.1) as bot:
        with pytest.raises(TimedOut):
            await bot.get_me()
        with pytest.raises(TimedOut):  # a per-call limit counts too
            await bot.get_me(read_timeout=0.05)


async def test_a_refused_connection_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest(connect_timeout=1.0)
    bot = Bot("123:abc", base_url=f"http://127.0.0.1:{port}/bot", request=request, get_updates_request=request)
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError"):
            await bot.get_me()
    finally:
        await request.shutdown()


async def test_telegrams_refusals_keep_their_meaning() -> None:
    async def refusing(request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 429, "description": "Too Many Requests", "parameters": {"retry_after": 3}},
            status=429,
        )

    async with _bot_against(refusing) as bot:
        with pytest.raises(RetryAfter):
            await bot.send_message(42, "hello")


async def test_the_session_opens_again_after_a_shutdown() -> None:
    async def answering(request: web.Request) -> web.Response:
        return _ok(json.loads(json.dumps(BOT_USER)))

    async with _bot_against(answering) as bot:
        request = bot.request
        assert (await bot.get_me()).username == "reviews_bot"
        await request.shutdown()
        await request.initialize()
        assert (await bot.get_me()).username == "reviews_bot"


def test_a_pool_needs_a_connection() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        AiohttpRequest(connection_pool_size=0)


async def test_an_error_quoting_the_url_does_not_carry_the_token() -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.do_request("http://[bad/bot123:secret/getMe", "POST")
    finally:
        await request.shutdown()
    assert "secret" not in str(raised.value)
