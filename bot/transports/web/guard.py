"""What keeps the web chat safe on the open internet, apart from what it says: bounded bodies, a per-client
rate limit, security headers (a Content-Security-Policy with no inline script, no framing except by the
configured sites) and CORS closed unless configured.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

MAX_BODY_CHARS = 4096
"""A question longer than Telegram's own limit is refused (413) before it is read."""

RATE_BURST = 20  # requests a client may make at once…
RATE_PER_SECOND = 1.0  # …and then this many per second, on average
CLIENTS_REMEMBERED = 10_000  # buckets kept (least recently seen dropped first): memory stays bounded


class TooLarge(Exception):  # noqa: N818 - names what happened
    """The body is over the limit."""


async def read_text(request: web.Request, max_chars: int = MAX_BODY_CHARS) -> str:
    """The body as text, refusing (TooLarge) one over `max_chars` characters without reading it all.
    UTF-8 needs at most 4 bytes a character, so more bytes than that can never fit."""
    max_bytes = 4 * max_chars
    if request.content_length is not None and request.content_length > max_bytes:
        raise TooLarge
    body = bytearray()
    while chunk := await request.content.read(max_bytes + 1 - len(body)):
        body += chunk
        if len(body) > max_bytes:
            raise TooLarge
    text = body.decode("utf-8", errors="replace")
    if len(text) > max_chars:
        raise TooLarge
    return text


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per client: `burst` requests at once, refilled at `per_second`. `check` says how many
    seconds to wait (0 when the request may go ahead)."""

    def __init__(
        self,
        burst: int = RATE_BURST,
        per_second: float = RATE_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        remembered: int = CLIENTS_REMEMBERED,
    ) -> None:
        self.burst = burst
        self.per_second = per_second
        self._clock = clock
        self._remembered = remembered
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check(self, client: str) -> float:
        now = self._clock()
        bucket = self._buckets.pop(client, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        self._buckets[client] = bucket
        while len(self._buckets) > self._remembered:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.per_second


def retry_after(seconds: float) -> str:
    """Retry-After in whole seconds, never 0 (a client told 0 would come straight back)."""
    return str(max(1, math.ceil(seconds)))


def content_security_policy(embed_origins: tuple[str, ...]) -> str:
    """Everything from this server only; no inline script or style; framed only by the configured sites."""
    ancestors = " ".join(("'self'", *embed_origins))
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cache-Control": "no-store",
}


def cors_headers(request: web.Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """CORS headers for a request from an allowed origin; none otherwise (the browser then refuses)."""
    origin = request.headers.get("Origin", "").lower()
    if not origin or origin not in allowed:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
    }
