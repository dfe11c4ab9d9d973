"""Telegram's webhook as a route of our own web server (python-telegram-bot's `customwebhookbot` pattern):
Telegram POSTs each update to the path of WEBHOOK_URL with the secret token in a header; the route checks
the secret (403 without it), parses the update (400 for a body that is not one, logged without any of its
content) and answers it before replying to the POST, through the `UpdateGate`: the update id is claimed in
the database, the handlers answer, the claim is marked done. So any number of replicas can share the
webhook behind a proxy: 200 means answered (now, or already by some replica); 503 means another delivery
holds it or this replica is draining, and the proxy tries another replica or Telegram delivers it again.
A replica killed mid-answer never sent its 200, so the update is delivered again and, once the dead
replica's lease expires, answered.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.service.delivery import UpdateGate
from bot.transports.web.server import Route

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
App = Application[Any, Any, Any, Any, Any, Any]
DRAIN_SECONDS = 25.0  # SIGTERM: how long updates in flight may take to finish (under Docker's 30 s grace)
RETRY_AFTER = "1"  # seconds, on a 503: the proxy or Telegram delivers the update again


def webhook_route(application: App, path: str, secret: str, gate: Callable[[], UpdateGate]) -> Route:
    """The POST route for updates at `path` (WEBHOOK_URL's path), guarded by `secret`, answered through `gate`
    (it exists once the store is open)."""
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
        outcome = await gate().deliver(update.update_id, partial(application.process_update, update))
        if outcome.status == 200:
            return web.Response(status=200)
        return web.Response(status=outcome.status, headers={"Retry-After": RETRY_AFTER})

    return Route("POST", "/" + path.lstrip("/"), receive)
