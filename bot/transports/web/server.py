"""One aiohttp web server for every HTTP way in: the chat page and its API, /healthz, and (mounted by the
Telegram transport) the webhook route, following python-telegram-bot's `customwebhookbot` example: our own
server, updates put on the Application's update queue.

Routes are grouped by the address they listen on (WEB_LISTEN:WEB_PORT for the chat, WEBHOOK_LISTEN:
WEBHOOK_PORT for the webhook): one address, one aiohttp application, so when both are the same they share
one server and one port, and when they differ the chat is never exposed on the webhook's address. Every
address answers /healthz. The access log is off: a path is no message text, but who asked what and when
is nobody's business.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiohttp import web

from bot.transports.web.guard import SECURITY_HEADERS, content_security_policy

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
WEBHOOK_MAX_BODY = 1024 * 1024  # Telegram's updates are far smaller; the chat API reads at most 16 KiB itself
SHUTDOWN_SECONDS = 5.0  # requests in flight at SIGTERM get this long to finish


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler


@dataclass(frozen=True)
class Mount:
    """Routes for one address, with the sites allowed to frame its pages."""

    address: Address
    routes: tuple[Route, ...]
    embed_origins: tuple[str, ...] = ()


class Health:
    """What /healthz says: 200 once the server is ready to answer and every check passes (the database
    answers), 503 while starting or stopping or when a check fails, so a proxy sends traffic only to a
    replica that can take it."""

    def __init__(self, checks: Iterable[Callable[[], Awaitable[bool]]] = ()) -> None:
        self.ready = False
        self.checks = list(checks)

    async def handle(self, request: web.Request) -> web.Response:
        if self.ready and all([await check() for check in self.checks]):
            return web.json_response({"status": "ok"})
        return web.json_response({"status": "unavailable"}, status=503)


def _headers_middleware(embed_origins: tuple[str, ...]) -> Callable[..., Awaitable[web.StreamResponse]]:
    policy = content_security_policy(embed_origins)

    @web.middleware
    async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as error:  # 404, 405, 413…: the same headers on errors
            response = error
        response.headers.update(SECURITY_HEADERS)
        response.headers["Content-Security-Policy"] = policy
        if isinstance(response, web.HTTPException):
            raise response
        return response

    return security_headers


def build_app(routes: Iterable[Route], health: Health, embed_origins: tuple[str, ...] = ()) -> web.Application:
    app = web.Application(middlewares=[_headers_middleware(embed_origins)], client_max_size=WEBHOOK_MAX_BODY)
    app.router.add_get("/healthz", health.handle)
    for route in routes:
        app.router.add_route(route.method, route.path, route.handler)
    return app


class WebServer:
    """Starts and stops the sites of every mount; routes for the same address share one application."""

    def __init__(self, mounts: Iterable[Mount], health: Health | None = None) -> None:
        self.health = health or Health()
        grouped: dict[Address, tuple[list[Route], list[str]]] = {}
        for mount in mounts:
            routes, origins = grouped.setdefault(mount.address, ([], []))
            routes.extend(mount.routes)
            origins.extend(mount.embed_origins)
        self._apps = {
            address: build_app(routes, self.health, tuple(dict.fromkeys(origins)))
            for address, (routes, origins) in grouped.items()
        }
        self._runners: list[web.AppRunner] = []

    @property
    def addresses(self) -> list[Address]:
        return list(self._apps)

    async def start(self) -> None:
        for address, app in self._apps.items():
            runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_SECONDS)
            await runner.setup()
            self._runners.append(runner)
            await web.TCPSite(runner, address.host, address.port).start()
            log.info("serving %s", address)

    def ports(self) -> list[int]:
        """The ports actually bound (port 0 asks the system for a free one)."""
        bound: list[int] = []
        for runner in self._runners:
            for site in runner.sites:
                server = getattr(site, "_server", None)
                for sock in getattr(server, "sockets", None) or ():
                    bound.append(sock.getsockname()[1])
        return bound

    async def stop(self) -> None:
        """Not ready any more (a proxy stops sending), then let requests in flight finish and close."""
        self.health.ready = False
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()


async def until_stopped(signals: Iterable[int] | None = None) -> None:
    """Wait for SIGINT or SIGTERM (the way a service manager or a container stops us)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    chosen = tuple(signals) if signals is not None else (signal.SIGINT, signal.SIGTERM)
    installed = []
    for number in chosen:
        try:
            loop.add_signal_handler(number, stop.set)
            installed.append(number)
        except (NotImplementedError, RuntimeError, ValueError):  # no signals here (Windows, a thread)
            pass
    try:
        await stop.wait()
    finally:
        for number in installed:
            loop.remove_signal_handler(number)
