"""The web chat: a static page (HTML, CSS and a small script shipped with the package) and its JSON API.

Every endpoint is a thin call of the conversation service, the same calls Telegram's handlers make:

* ``POST /api/ask {"question": "…"}``: the answer (counted, unanswered kept redacted), as `ask --jsonl`'s
  object plus the page's blocks and buttons;
* ``POST /api/action {"action": "review:child-e"}``: a tapped button or "Did you mean" choice;
* ``POST /api/start {"payload": "review-child-e"}``: the welcome, or what a deep link (``/?start=…``) opens;
* ``POST /api/feedback {"action": "feedback:yes:review"}``: a "Helpful?" tap.

Bodies over 4,096 characters get 413, floods 429 with Retry-After, anything malformed 400; nothing a user
typed is ever logged. CORS is closed unless WEB_CORS_ORIGINS names the sites allowed to call the API.
"""

from __future__ import annotations

import inspect
import json
import logging
from importlib.resources import files
from typing import Any

from aiohttp import web

from bot.service.conversation import (
    BUTTON_EXPIRED,
    FEEDBACK_THANKS,
    Channel,
    Conversations,
    action_from_payload,
    is_feedback_action,
    with_notice,
)
from bot.settings import Settings
from bot.transports.web.api import reply_object
from bot.transports.web.guard import MAX_BODY_CHARS, RateLimiter, TooLarge, cors_headers, read_text, retry_after
from bot.transports.web.server import Address, Handler, Mount, Route

log = logging.getLogger(__name__)

STATIC = files("bot.transports.web") / "static"
STATIC_FILES = {  # name -> content type; nothing else is served
    "chat.js": "text/javascript",
    "chat.css": "text/css",
}
API_PATHS = ("ask", "action", "start", "feedback")


class BadRequest(Exception):  # noqa: N818 - names what happened
    """A body that is not what the endpoint takes; the message says what is wrong (never echoes the body)."""


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


class ChatRoutes:
    """The page and the API over one conversation service, with one rate limiter for all API calls."""

    def __init__(self, service: Conversations, settings: Settings, limiter: RateLimiter | None = None) -> None:
        self.service = service
        self.cors_origins = settings.web_cors_origins
        self.limiter = limiter or RateLimiter()
        self._page = (STATIC / "index.html").read_bytes()
        self._static = {name: (STATIC / name).read_bytes() for name in STATIC_FILES}

    def routes(self) -> tuple[Route, ...]:
        api = {"ask": self.ask, "action": self.action, "start": self.start, "feedback": self.feedback}
        return (
            Route("GET", "/", self.page),
            Route("GET", "/favicon.ico", self.no_icon),
            *(Route("GET", f"/static/{name}", self._static_file(name)) for name in STATIC_FILES),
            *(Route("POST", f"/api/{name}", self._api(handler)) for name, handler in api.items()),
            *(Route("OPTIONS", f"/api/{name}", self.preflight) for name in api),
        )

    def mount(self, address: Address, embed_origins: tuple[str, ...] = ()) -> Mount:
        return Mount(address, self.routes(), embed_origins)

    # ----- the page ------------------------------------------------------------------------------------
    async def page(self, request: web.Request) -> web.Response:
        return web.Response(body=self._page, content_type="text/html", charset="utf-8")

    async def no_icon(self, request: web.Request) -> web.Response:
        return web.Response(status=204)  # browsers ask for one; a 404 would be noise in every console

    def _static_file(self, name: str) -> Handler:
        async def serve(request: web.Request) -> web.Response:
            return web.Response(body=self._static[name], content_type=STATIC_FILES[name], charset="utf-8")

        return serve

    # ----- the API -------------------------------------------------------------------------------------
    async def preflight(self, request: web.Request) -> web.Response:
        """CORS preflight: allowed origins get the headers; anyone else gets none (and the browser refuses)."""
        return web.Response(status=204, headers=cors_headers(request, self.cors_origins))

    def _api(self, handler: Any) -> Handler:
        """Rate limit, read and parse the body, call `handler(body) -> (status, object)` (awaited when it is a
        coroutine: feedback writes to the store), answer in JSON."""

        async def endpoint(request: web.Request) -> web.Response:
            cors = cors_headers(request, self.cors_origins)
            wait = self.limiter.check(request.remote or "unknown")
            if wait > 0:
                headers = {**cors, "Retry-After": retry_after(wait)}
                return _error(429, "Too many requests: please wait a moment.", headers)
            try:
                body = json.loads(await read_text(request))
                if not isinstance(body, dict):
                    raise BadRequest("the body must be a JSON object")
                result = handler(body)
                status, payload = await result if inspect.isawaitable(result) else result
            except TooLarge:
                return _error(413, f"The message is too long: at most {MAX_BODY_CHARS} characters.", cors)
            except (ValueError, BadRequest) as error:  # json.JSONDecodeError is a ValueError
                log.info("refused a malformed chat request: %s", type(error).__name__)
                message = str(error) if isinstance(error, BadRequest) else "the body must be JSON"
                return _error(400, message, cors)
            return web.json_response(payload, status=status, headers=cors)

        return endpoint

    def _object(self, question: str | None, reply: Any, *, action: str | None = None) -> dict[str, Any]:
        feedback = self.service.feedback_buttons(reply) if question is not None else ()
        return reply_object(question, reply, self.service.engine.view(), feedback, action)

    def ask(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        question = _string(body, "question")
        if not question.strip():
            return 200, self._object(question, self.service.help_reply())
        return 200, self._object(question, self.service.ask(question, Channel.WEB))

    def action(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        action = _string(body, "action")
        if is_feedback_action(action):
            raise BadRequest("feedback goes to /api/feedback")
        reply = self.service.act(action)
        if reply is None:  # expired: what it named is gone (or never was visible)
            payload = self._object(None, with_notice(BUTTON_EXPIRED, self.service.help_reply()), action=action)
            payload["expired"] = True
            return 200, payload
        return 200, self._object(None, reply, action=action)

    def start(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        payload = body.get("payload")
        if payload is not None and not isinstance(payload, str):
            raise BadRequest("payload must be a string")
        action = action_from_payload(payload) if payload else None
        return 200, self._object(None, self.service.welcome(action), action=action)

    async def feedback(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not await self.service.feedback(_string(body, "action")):
            return 400, {"error": BUTTON_EXPIRED}
        return 200, {"counted": True, "text": FEEDBACK_THANKS}


def _string(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string")
    return value
