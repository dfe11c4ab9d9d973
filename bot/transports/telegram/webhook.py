"""Telegram's webhook as a route of our own web server (python-telegram-bot's `customwebhookbot` pattern):
Telegram POSTs each update to the path of WEBHOOK_URL with the secret token in a header; the route checks
the secret (403 without it), parses the update (400 for a body that is not one, logged without any of its
content) and puts it on the Application's update queue, where the handlers take it as they would a polled one.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.transports.web.server import Route

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
App = Application[Any, Any, Any, Any, Any, Any]


def webhook_route(application: App, path: str, secret: str) -> Route:
    """The POST route for updates at `path` (WEBHOOK_URL's path), guarded by `secret`."""
    expected = secret.encode("utf-8")

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, expected):
            log.warning("refused a webhook request without the right secret token")
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update object")
            update = Update.de_json(data, application.bot)
        except web.HTTPException:
            raise  # a body over the server's size limit: 413
        except Exception as error:  # anything the body makes json or Update.de_json raise is the sender's fault
            log.warning("refused a webhook body that is not a Telegram update (%s)", type(error).__name__)
            return web.Response(status=400)
        await application.update_queue.put(update)
        return web.Response(status=200)

    return Route("POST", "/" + path.lstrip("/"), receive)
