"""`run` with a token: the Telegram bot (long polling, or a webhook when WEBHOOK_URL is set), with the web chat
beside it when WEB_PORT is set, in one process on one conversation service, until SIGINT or SIGTERM.

The lifecycle is python-telegram-bot's own (`run_polling` / `run_webhook`: initialize, post_init, start the
updates, start … stop, shutdown, post_shutdown), written out so that the webhook and the chat can share
our web server (the `customwebhookbot` pattern) and so that an unreachable Bot API is reported in a few
plain lines: one per retry at start, with the wait; one clear error and exit status 1 when it stays
unreachable, every session closed; one warning when an outage starts while polling and one when it ends.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.errors import ConfigError
from bot.service.conversation import Conversations
from bot.service.delivery import UpdateGate
from bot.service.engine import Engine
from bot.settings import Settings
from bot.transports.telegram.app import (
    App,
    assistant_of,
    build_application,
    outage_of,
    post_init,
    post_shutdown,
    protect_logs,
)
from bot.transports.telegram.webhook import DRAIN_SECONDS, webhook_route
from bot.transports.web.chat import ChatRoutes
from bot.transports.web.server import Address, Health, Mount, WebServer, until_stopped

log = logging.getLogger(__name__)

T = TypeVar("T")
CONNECT_ATTEMPTS = 5
CONNECT_FIRST_WAIT = 0.5  # seconds, doubling: 0.5 + 1 + 2 + 4 = 7.5 s before giving up
WEBHOOK_MAX_CONNECTIONS = 40  # run_webhook's default


class Unreachable(Exception):  # noqa: N818 - names what happened
    """The Bot API did not answer within the bounded retries."""


async def with_retries(call: Callable[[], Awaitable[T]], what: str, api_url: str) -> T:
    """`call`, retried on network errors and timeouts with a doubling wait, one log line per retry."""
    wait = CONNECT_FIRST_WAIT
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            return await call()
        except NetworkError as error:  # TimedOut too; an invalid token or a bad request is no outage
            if attempt == CONNECT_ATTEMPTS:
                raise Unreachable(
                    f"the Telegram Bot API at {api_url} could not be reached to {what} after {attempt} attempts "
                    f"({type(error).__name__}); stopping"
                ) from None
            log.warning(
                "the Telegram Bot API at %s cannot be reached to %s (%s); trying again in %.1f s (attempt %d of %d)",
                api_url,
                what,
                type(error).__name__,
                wait,
                attempt,
                CONNECT_ATTEMPTS,
            )
        await asyncio.sleep(wait)
        wait *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def mounts(application: App, service: Conversations, settings: Settings) -> list[Mount]:
    """What our web server carries: the webhook route (WEBHOOK_URL) and the chat (WEB_PORT), if set."""
    found: list[Mount] = []
    if settings.webhook_url:
        assert settings.webhook_secret is not None  # Settings refuses a webhook without a secret

        def gate() -> UpdateGate:
            return assistant_of(application).gate  # created by post_init, after the mounts

        route = webhook_route(application, settings.webhook_path, settings.webhook_secret, gate)
        found.append(Mount(Address(settings.webhook_listen, settings.webhook_port), (route,)))
    if settings.web_port is not None:
        chat = ChatRoutes(service, settings)
        found.append(chat.mount(Address(settings.web_listen, settings.web_port), settings.web_embed_origins))
    return found


async def serve_telegram(
    engine: Engine, settings: Settings, directory: Path | None, stopped: Awaitable[None] | None = None
) -> None:
    """Run until a stop signal (or until `stopped`, for tests). Raises Unreachable or ConfigError at start."""
    service = Conversations.from_settings(engine, settings, directory)
    application = build_application(engine, settings, knowledge_dir=directory, service=service)
    try:
        await with_retries(application.bot.initialize, "start", settings.api_url)
    except InvalidToken as error:
        await application.bot.shutdown()
        raise ConfigError("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather") from error
    except Unreachable:
        await application.bot.shutdown()
        raise
    server = WebServer(mounts(application, service, settings), Health([assistant_of(application).ping]))
    try:
        await application.initialize()
        await post_init(application)
        updater = application.updater
        assert updater is not None
        if not settings.webhook_url:
            await updater.start_polling(
                allowed_updates=Update.ALL_TYPES,
                bootstrap_retries=CONNECT_ATTEMPTS,
                error_callback=outage_of(application).failed,
            )
        await application.start()
        await server.start()
        if settings.webhook_url:
            await with_retries(
                lambda: application.bot.set_webhook(
                    settings.webhook_url or "",
                    allowed_updates=Update.ALL_TYPES,
                    secret_token=settings.webhook_secret,
                    max_connections=WEBHOOK_MAX_CONNECTIONS,
                ),
                "set the webhook",
                settings.api_url,
            )
        server.health.ready = True
        await (stopped if stopped is not None else until_stopped())
        # Drain: /healthz says 503 (the proxy stops sending), new updates get 503 (the proxy tries another
        # replica), and the updates in flight are answered before the server, the bot and the pool stop.
        server.health.ready = False
        if settings.webhook_url:
            log.info("stopping: %d update(s) in flight", assistant_of(application).gate.in_flight)
            await assistant_of(application).gate.drain(DRAIN_SECONDS)
    finally:
        await server.stop()
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        await application.bot.shutdown()  # closes the sessions also when initialize failed half-way
        await post_shutdown(application)


def run_telegram(engine: Engine, directory: Path) -> int:
    """`run` with TELEGRAM_BOT_TOKEN set; exit status 1 with one clear line when the Bot API stays unreachable."""
    settings = Settings.from_env(os.environ)
    protect_logs(settings.bot_token)
    try:
        asyncio.run(serve_telegram(engine, settings, directory))
    except Unreachable as error:
        log.error("%s", error)
        return 1
    return 0
