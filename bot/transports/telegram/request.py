"""Bot API calls over aiohttp, each sent as one JSON body.

python-telegram-bot sends its calls through httpx by default. Measured with `python -m bot bench`, httpx and
httpcore took about 0.7 ms of CPU per call on the loopback fake (aiohttp: about 0.25 ms), and a reply costs
two calls (the getUpdates that brings the question, the sendMessage that answers it): more than the answering
engine itself. This class is python-telegram-bot's documented extension point for another HTTP library
(`telegram.request.BaseRequest`): same timeouts, same errors (TimedOut, NetworkError), same connection pool.

Parameters go out as one JSON body (`json.dumps` runs in C); httpx's default form-encoding percent-quoted a
rich reply character by character in Python. Uploads go out as multipart form data. Proxies are taken from
the usual environment variables (HTTPS_PROXY, NO_PROXY), as httpx does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

USER_AGENT = "python-telegram-bot (learning-from-reviews; aiohttp)"
JSON_HEADERS = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
FORM_HEADERS = {"User-Agent": USER_AGENT}
TOKEN_IN_URL = re.compile(r"/bot[^/\s]+/")


def _chosen(value: object, default: float | None) -> float | None:
    """A per-call timeout (None: wait for ever), or the client's when the call left it to the default."""
    if isinstance(value, type(BaseRequest.DEFAULT_NONE)):  # PTB's DefaultValue, as HTTPXRequest checks it
        return default
    return float(value) if isinstance(value, int | float) else None


def _sum(*parts: float | None) -> float | None:
    """Limits that run one after another; none at all when any of them is unlimited."""
    return None if any(part is None for part in parts) else sum(part for part in parts if part is not None)


def _form(request_data: RequestData) -> aiohttp.FormData:
    """An upload: the parameters as form fields (JSON-encoded where nested), the files as parts."""
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form


class AiohttpRequest(BaseRequest):
    """A python-telegram-bot request backend on one aiohttp session: a pool of kept-alive connections."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        on_answer: Callable[[], None] | None = None,
    ) -> None:
        """`on_answer` is called whenever the Bot API answered a call (a 5xx is no answer: a proxy in front
        of a Bot API that is down): the runner uses it to log the end of an outage, once."""
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._on_answer = on_answer

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown); it must be made inside the running event loop."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector, trust_env=True)

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(
        self, read: object, write: object, connect: object, pool: object, upload: bool
    ) -> aiohttp.ClientTimeout:
        """aiohttp's limits for one call. Its `connect` covers waiting for a pooled connection and making one;
        it has no write limit, so an upload (the only large body) is bounded as a whole instead."""
        read_s = _chosen(read, self._read_timeout)
        connect_s = _chosen(connect, self._connect_timeout)
        total = _sum(_chosen(write, self._write_timeout), read_s, connect_s) if upload else None
        return aiohttp.ClientTimeout(
            total=total,
            connect=_sum(_chosen(pool, self._pool_timeout), connect_s),
            sock_connect=connect_s,
            sock_read=read_s,
        )

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
        if self._session is None or self._session.closed:
            await self.initialize()
        assert self._session is not None
        upload = request_data is not None and request_data.contains_files
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, upload)
        body: aiohttp.FormData | bytes | None = None
        headers = FORM_HEADERS
        if request_data is not None and upload:
            body = _form(request_data)
        elif request_data is not None:
            body = json.dumps(request_data.parameters, ensure_ascii=False).encode("utf-8")
            headers = JSON_HEADERS
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                answer = response.status, await response.read()
                if self._on_answer is not None and response.status < 500:
                    self._on_answer()
                return answer
        except TimeoutError as error:  # aiohttp's own timeouts are TimeoutErrors too, and come first
            raise TimedOut from error
        except aiohttp.ClientError as error:  # the root of aiohttp's other errors
            detail = TOKEN_IN_URL.sub("/bot[token]/", str(error))  # an error may quote the URL, token and all
            raise NetworkError(f"aiohttp.{type(error).__name__}: {detail}") from error
