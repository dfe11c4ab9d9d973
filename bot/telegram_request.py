"""Bot API calls sent as one JSON body.

python-telegram-bot's HTTPXRequest sends parameters as an HTML form, so every reply's text and keyboard is
percent-quoted character by character in Python: for a rich reply (about 1.3 kB of HTML and buttons) that
was a third of the cost of sending it. The Bot API takes JSON bodies just as well, and `json.dumps` runs in
C. Uploads (multipart) are left to HTTPXRequest as they are.
"""

from __future__ import annotations

import json

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

JSON_HEADERS = {"User-Agent": HTTPXRequest.USER_AGENT, "Content-Type": "application/json"}


def _chosen(value: object, default: float | None) -> float | None:
    """A per-call timeout (None: wait for ever), or the client's when the call left it to the default."""
    if isinstance(value, type(BaseRequest.DEFAULT_NONE)):  # PTB's DefaultValue, as HTTPXRequest checks it
        return default
    return float(value) if isinstance(value, int | float) else None


class JsonBodyRequest(HTTPXRequest):
    """HTTPXRequest that posts parameters as JSON; same pool, timeouts and errors."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is None or request_data.contains_files:
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout  # type: ignore[arg-type]
            )
        defaults = self._client.timeout
        timeout = httpx.Timeout(
            connect=_chosen(connect_timeout, defaults.connect),
            read=_chosen(read_timeout, defaults.read),
            write=_chosen(write_timeout, defaults.write),
            pool=_chosen(pool_timeout, defaults.pool),
        )
        body = json.dumps(request_data.parameters, ensure_ascii=False).encode("utf-8")
        try:
            response = await self._client.request(method, url, headers=JSON_HEADERS, content=body, timeout=timeout)
        except httpx.TimeoutException as error:
            raise TimedOut from error
        except httpx.HTTPError as error:  # the root of httpx's errors: last, as in HTTPXRequest
            raise NetworkError(f"httpx.{type(error).__name__}: {error}") from error
        return response.status_code, response.content
