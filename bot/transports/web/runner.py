"""`python -m bot web`: the web chat on its own, on WEB_LISTEN:WEB_PORT (default 127.0.0.1:8080), until
SIGINT or SIGTERM; SIGHUP reloads the knowledge as it does for the Telegram bot."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.service.conversation import Conversations
from bot.service.engine import Engine
from bot.service.reloader import install_sighup, remove_sighup
from bot.settings import DEFAULT_WEB_PORT, Settings
from bot.transports.web.chat import ChatRoutes
from bot.transports.web.server import Address, WebServer, until_stopped

log = logging.getLogger(__name__)


def chat_address(settings: Settings) -> Address:
    return Address(settings.web_listen, settings.web_port or DEFAULT_WEB_PORT)


async def serve_web(service: Conversations, settings: Settings, stopped: asyncio.Future[None] | None = None) -> None:
    """Serve the chat until a stop signal (or until `stopped` is done, for tests)."""
    await service.open()
    loop = asyncio.get_running_loop()
    hangup = install_sighup(loop, service.reload)
    server = WebServer([ChatRoutes(service, settings).mount(chat_address(settings), settings.web_embed_origins)])
    try:
        await server.start()
        server.health.ready = True
        print(f"Web chat on {chat_address(settings)} (Ctrl-C to stop)", flush=True)
        await (stopped if stopped is not None else until_stopped())
    finally:
        await server.stop()
        if hangup:
            remove_sighup(loop)
        await service.close()


def run_web(engine: Engine, directory: Path, settings: Settings) -> int:
    service = Conversations.from_settings(engine, settings, directory)
    asyncio.run(serve_web(service, settings))
    return 0
