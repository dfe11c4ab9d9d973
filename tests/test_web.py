"""The web chat's server and JSON API, over real HTTP on 127.0.0.1: the contract with `ask --jsonl`, buttons
through the same actions as Telegram's, and the guarantees for the open internet (413, 429 + Retry-After,
400, CSP, no cookies, CORS closed unless configured, /healthz, no message text in logs)."""

from __future__ import annotations

import html.parser
import json
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.answers.render import reply_record
from bot.service.conversation import BUTTON_EXPIRED, FEEDBACK_THANKS, Conversations
from bot.service.engine import Engine
from bot.settings import Settings
from bot.transports.web.api import tel_uri
from bot.transports.web.chat import ChatRoutes
from bot.transports.web.guard import MAX_BODY_CHARS, RateLimiter
from bot.transports.web.server import Address, WebServer
from tests.conftest import BEFORE_EMBARGO, EMBARGO_SECRETS, write_test_knowledge

PRIVATE_MARKER = "Quockerwodger"
QUESTIONS = [
    "child e",
    "chld e",
    "child",
    "latest reviews",
    "what is an LCSPR",
    "who do I call about a child at risk",
    "I'm worried a child in my class is being hurt at home",
    "tell me a joke",
    "<b>latest</b> & <script>reviews</script>",
    "child k",
    "Kestrelmoor review",
    "Lanternfish full report",
]


class FixedClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Chat:
    """A running chat server and a client for it."""

    def __init__(self, server: WebServer, client: httpx.AsyncClient, service: Conversations, clock: FixedClock):
        self.server, self.client, self.service, self.clock = server, client, service, clock

    async def post(self, path: str, body: Any) -> httpx.Response:
        return await self.client.post(path, json=body)

    async def ask(self, question: str) -> dict[str, Any]:
        response = await self.post("/api/ask", {"question": question})
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data


async def started(service: Conversations, settings: Settings, limiter: RateLimiter) -> AsyncIterator[WebServer]:
    routes = ChatRoutes(service, settings, limiter)
    server = WebServer([routes.mount(Address("127.0.0.1", 0), settings.web_embed_origins)])
    await server.start()
    server.health.ready = True
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", web_cors_origins=("https://partner.example.org",))


@pytest.fixture
async def chat(engine: Engine, web_settings: Settings) -> AsyncIterator[Chat]:
    service = Conversations.from_settings(engine, web_settings)
    await service.open()
    clock = FixedClock()
    try:
        async for server in started(service, web_settings, RateLimiter(burst=50, per_second=1.0, clock=clock)):
            [port] = server.ports()
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5.0) as client:
                yield Chat(server, client, service, clock)
    finally:
        await service.close()


# ----- the contract ------------------------------------------------------------------------------------


def jsonl_answers(knowledge: Path, questions: list[str]) -> list[dict[str, Any]]:
    """What `python -m bot ask --jsonl` prints for `questions`, at the same moment."""
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "ask",
            "--jsonl",
            "--knowledge",
            str(knowledge),
            "--now",
            BEFORE_EMBARGO.isoformat(),
        ],
        input="\n".join(questions) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    return [json.loads(line) for line in process.stdout.splitlines()]


async def test_api_ask_gives_what_ask_jsonl_gives(chat: Chat, tmp_path: Path) -> None:
    expected = jsonl_answers(write_test_knowledge(tmp_path / "knowledge"), QUESTIONS)
    for question, line in zip(QUESTIONS, expected, strict=True):
        answer = await chat.ask(question)
        assert {key: answer[key] for key in line} == line, question


async def test_buttons_and_choices_go_through_telegrams_actions(chat: Chat, engine: Engine) -> None:
    clarify = await chat.ask("child")
    choices = [b for b in clarify["buttons"] if b["choice"]]
    assert [b["label"] for b in choices] == clarify["suggestions"] and "Child E" in clarify["suggestions"]
    response = await chat.post("/api/action", {"action": choices[0]["action"]})
    reply = engine.act(choices[0]["action"])
    assert reply is not None
    assert {k: v for k, v in response.json().items() if k in reply_record(None, reply)} == reply_record(None, reply)
    follow_ups = [b for b in response.json()["buttons"] if "action" in b]
    assert follow_ups and all(not b["choice"] for b in follow_ups)
    links = [b for b in response.json()["buttons"] if "url" in b]
    assert all(b["url"].startswith("https://") for b in links)


async def test_deep_links_open_what_they_name_or_the_menu(chat: Chat, engine: Engine) -> None:
    opened = (await chat.post("/api/start", {"payload": "review-child-e"})).json()
    assert opened["text"] == reply_record(None, engine.act("review:child-e"))["text"]  # type: ignore[arg-type]
    welcome = (await chat.post("/api/start", {"payload": None})).json()
    assert welcome["text"].startswith("Welcome to the Learning-from-Reviews assistant.")
    expired = (await chat.post("/api/action", {"action": "review:child-k"})).json()
    assert expired["expired"] is True and expired["text"].startswith(BUTTON_EXPIRED)


async def test_contact_numbers_are_tel_links_in_the_urgent_reply(chat: Chat) -> None:
    urgent = await chat.ask("a child is in danger right now")
    assert urgent["kind"] == "urgent"
    spans = [span for block in urgent["blocks"] for line in block for span in line]
    tels = {span["text"]: span["tel"] for span in spans if "tel" in span}
    assert tels["999"] == "tel:999" and tels["0116 454 1004"] == "tel:01164541004"
    assert tels["0808 800 5000"] == tel_uri("0808 800 5000")
    assert page_text(urgent) == urgent["text"]  # the page shows what the console shows, numbers linked


def page_text(answer: dict[str, Any]) -> str:
    """The blocks as the console writes them (a link's URL in brackets after it)."""

    def shown(span: dict[str, Any]) -> str:
        url = span.get("url")
        return f"{span['text']} ({url})" if url and url != span["text"] else span["text"]

    return "\n\n".join("\n".join("".join(map(shown, line)) for line in block) for block in answer["blocks"])


async def test_feedback_is_counted_and_web_questions_in_stats(chat: Chat) -> None:
    answer = await chat.ask("latest reviews")
    yes = answer["feedback"][0]
    counted = await chat.post("/api/feedback", {"action": yes["action"]})
    assert counted.status_code == 200 and counted.json() == {"counted": True, "text": FEEDBACK_THANKS}
    assert (await chat.post("/api/feedback", {"action": "feedback:yes:nonsense"})).status_code == 400
    assert chat.service.stats.by_channel["web"] == 1
    assert (await chat.service.store.feedback())["latest_reviews"].helpful == 1


async def test_embargoed_content_never_reaches_the_api(chat: Chat) -> None:
    bodies = [json.dumps({**await chat.ask(q), "question": None}) for q in QUESTIONS]  # all but the echo
    bodies += [(await chat.post("/api/action", {"action": a})).text for a in ("review:child-k", "review:child-l")]
    bodies += [(await chat.post("/api/start", {"payload": "review-child-k"})).text]
    assert not [s for s in EMBARGO_SECRETS for body in bodies if s in body]


# ----- safe on the open internet -----------------------------------------------------------------------


async def test_bodies_over_4096_characters_get_413(chat: Chat) -> None:
    def body(length: int) -> bytes:
        return json.dumps({"question": "é" * length}, ensure_ascii=False).encode("utf-8")  # 2 bytes a character

    envelope = len(json.dumps({"question": ""}))
    fits = await chat.client.post("/api/ask", content=body(MAX_BODY_CHARS - envelope))
    assert fits.status_code == 200
    over = await chat.client.post("/api/ask", content=body(MAX_BODY_CHARS - envelope + 1))
    assert over.status_code == 413
    huge = await chat.client.post("/api/ask", content=b"x" * 100_000)
    assert huge.status_code == 413


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b'{"question": 5}', b"{}", b'"a string"', b"\xff\xfe"], ids=repr
)
async def test_malformed_bodies_get_400(chat: Chat, body: bytes) -> None:
    response = await chat.client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "error" in response.json()


async def test_a_flood_gets_429_with_retry_after(chat: Chat) -> None:
    chat.clock.now += 1000  # a full bucket
    statuses = [(await chat.post("/api/ask", {"question": "child e"})).status_code for _ in range(50)]
    assert statuses == [200] * 50
    limited = await chat.post("/api/ask", {"question": "child e"})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    chat.clock.now += 1.0
    assert (await chat.post("/api/ask", {"question": "child e"})).status_code == 200


def test_the_rate_limiter_remembers_a_bounded_number_of_clients() -> None:
    clock = FixedClock()
    limiter = RateLimiter(burst=1, per_second=0.5, clock=clock, remembered=2)
    assert limiter.check("a") == 0 and limiter.check("a") == pytest.approx(2.0)
    assert limiter.check("b") == 0 and limiter.check("c") == 0
    assert limiter.check("a") == 0  # forgotten (least recently seen), so a fresh bucket


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts = 0
        self.handlers: list[str] = []
        self.external: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.external += [v for k, v in attrs if k in ("src", "href") and v and "//" in v]
        self._in_script = tag == "script" and "src" not in values
        if tag == "style":
            self.inline_scripts += 1

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


async def test_the_page_has_a_strict_csp_no_inline_script_no_cdn_no_cookies(chat: Chat) -> None:
    page = await chat.client.get("/")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    tags = _Tags()
    tags.feed(page.text)
    assert (tags.inline_scripts, tags.handlers, tags.external) == (0, [], [])
    script = (await chat.client.get("/static/chat.js")).text
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "eval(" not in script
    assert "cookie" not in script.lower() and "localStorage" not in script
    responses = [page, await chat.client.get("/static/chat.css"), await chat.post("/api/ask", {"question": "hi"})]
    assert all("set-cookie" not in r.headers for r in responses)
    assert all(r.headers["X-Content-Type-Options"] == "nosniff" for r in responses)


async def test_cors_is_closed_unless_the_origin_is_configured(chat: Chat) -> None:
    other = await chat.client.post("/api/ask", json={"question": "hi"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    allowed_origin = {"Origin": "https://partner.example.org", "Access-Control-Request-Method": "POST"}
    preflight = await chat.client.options("/api/ask", headers=allowed_origin)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://partner.example.org"
    refused = await chat.client.options("/api/ask", headers={**allowed_origin, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in refused.headers


async def test_healthz_says_ready_only_while_serving(chat: Chat) -> None:
    assert (await chat.client.get("/healthz")).json() == {"status": "ok"}
    chat.server.health.ready = False
    assert (await chat.client.get("/healthz")).status_code == 503


async def test_no_message_text_in_the_logs(chat: Chat, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        await chat.ask(f"{PRIVATE_MARKER} is a joke")
        await chat.client.post("/api/ask", content=f'{{"question": "{PRIVATE_MARKER}'.encode())
        await chat.post("/api/ask", {"question": PRIVATE_MARKER * 2000})
    assert caplog.records and PRIVATE_MARKER not in caplog.text


async def test_the_embed_origins_may_frame_the_page(engine: Engine, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", web_embed_origins=("https://lcitylscb.org",))
    service = Conversations.from_settings(engine, settings)
    async for server in started(service, settings, RateLimiter()):
        [port] = server.ports()
        async with httpx.AsyncClient() as client:
            page = await client.get(f"http://127.0.0.1:{port}/")
    assert "frame-ancestors 'self' https://lcitylscb.org" in page.headers["Content-Security-Policy"]
