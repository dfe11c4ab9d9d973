"""Operations (issue 11, item 5): an unreachable Bot API at start, an outage while polling, and malformed
webhook bodies, each logged in a few plain lines without tracebacks or message text. Against the loopback
fake Bot API, or a closed port."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from bot.service.engine import Engine
from bot.settings import Settings
from bot.transports.telegram import runner
from bot.transports.telegram.runner import Unreachable, serve_telegram
from tests.conftest import BEFORE_EMBARGO, write_test_knowledge
from tests.fakes.bot_api import FakeBotAPI

SECRET = "s3cret-for-tests_0123456789"
PRIVATE_MARKER = "Quockerwodger"
TOKEN = "123456:test-token-not-real"


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@asynccontextmanager
async def serving(engine: Engine, settings: Settings) -> AsyncIterator[asyncio.Task[None]]:
    stop: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve_telegram(engine, settings, None, stopped=stop))
    try:
        yield task
    finally:
        if not stop.done():
            stop.set_result(None)
        await asyncio.wait_for(task, 20)


def messages(caplog: pytest.LogCaptureFixture, level: int = logging.WARNING) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= level]


async def test_an_unreachable_api_at_start_is_a_line_per_retry_then_unreachable(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "CONNECT_FIRST_WAIT", 0.01)
    url = f"http://127.0.0.1:{closed_port()}"
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": url, "DATA_DIR": str(tmp_path)})
    with caplog.at_level(logging.DEBUG, logger="bot"), pytest.raises(Unreachable) as raised:
        await serve_telegram(engine, settings, None)
    lines = messages(caplog)
    assert len(lines) == runner.CONNECT_ATTEMPTS - 1
    assert all(f"Bot API at {url} cannot be reached to start (NetworkError); trying again in" in m for m in lines)
    assert "attempt 1 of 5" in lines[0] and "attempt 4 of 5" in lines[-1]
    assert str(raised.value).endswith("after 5 attempts (NetworkError); stopping")
    assert not any(r.exc_info for r in caplog.records)


async def test_python_m_bot_run_gives_up_with_one_clear_line_and_status_1(tmp_path: Path) -> None:
    knowledge = write_test_knowledge(tmp_path / "knowledge")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "WEB_", "LOG_LEVEL"))}
    env |= {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": f"http://127.0.0.1:{closed_port()}"}
    env |= {"DATA_DIR": str(tmp_path / "data"), "PYTHONDEVMODE": "1"}  # dev mode: unclosed sessions warn
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--knowledge", str(knowledge), "--now", BEFORE_EMBARGO.isoformat(),
        env=env, cwd=tmp_path, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    log = stderr.decode("utf-8", "replace").strip().splitlines()
    assert process.returncode == 1, log
    assert [line.split(" ", 3)[2] for line in log] == ["WARNING"] * 4 + ["ERROR"], log
    assert "could not be reached to start after 5 attempts" in log[-1]
    assert not [line for line in log if "Traceback" in line or "Unclosed" in line or "test-token" in line]


async def test_an_outage_while_polling_is_one_warning_when_it_starts_and_one_when_it_ends(
    bot_api: FakeBotAPI, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": bot_api.token, "TELEGRAM_API_URL": bot_api.url, "DATA_DIR": str(tmp_path)}
    )
    chat = bot_api.conversation()
    with caplog.at_level(logging.INFO):
        async with serving(engine, settings):
            [before] = await chat.say("child e")
            bot_api.inject("getUpdates", status=502, times=3)
            await bot_api.wait_until(
                lambda: any("answers again" in m for m in messages(caplog)), "the end of the outage", timeout=30
            )
            [after] = await chat.say("child e")
    assert after.text == before.text
    lines = [m for m in messages(caplog) if "Bot API" in m or "update" in m]
    assert lines == [
        "the Telegram Bot API cannot be reached (NetworkError): polling again until it answers",
        lines[1],
    ]
    assert lines[1].startswith("the Telegram Bot API answers again, after ") and "3 failed poll(s)" in lines[1]
    assert not any(r.exc_info for r in caplog.records if r.levelno >= logging.WARNING)


@pytest.fixture
def free_port() -> int:
    return closed_port()


async def test_the_webhook_refuses_forgeries_403_and_malformed_bodies_400_without_logging_them(
    bot_api: FakeBotAPI, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture, free_port: int
) -> None:
    url = f"http://127.0.0.1:{free_port}/hook/path"
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": bot_api.token,
            "TELEGRAM_API_URL": bot_api.url,
            "DATA_DIR": str(tmp_path),
            "WEBHOOK_URL": url,
            "WEBHOOK_PORT": str(free_port),
            "WEBHOOK_SECRET": SECRET,
        }
    )
    right = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    malformed = [
        f'{{"update_id": 5, "message": {{"text": "{PRIVATE_MARKER}"'.encode(),  # cut short
        f'["{PRIVATE_MARKER}"]'.encode(),
        f'{{"text": "{PRIVATE_MARKER}"}}'.encode(),  # no update_id
        f'{{"update_id": 6, "message": {{"text": "{PRIVATE_MARKER}", "chat": 5}}}}'.encode(),  # not an update
        b"\xff\xfe" + PRIVATE_MARKER.encode(),
    ]
    chat = bot_api.conversation()
    with caplog.at_level(logging.DEBUG):
        async with serving(engine, settings):
            await bot_api.wait_until(lambda: bot_api.webhook is not None, "the webhook to be set")
            assert bot_api.webhook == {"url": url, "secret_token": SECRET}
            async with httpx.AsyncClient(timeout=5.0) as client:
                statuses = [(await client.post(url, content=body, headers=right)).status_code for body in malformed]
                forged = await client.post(
                    url, content=b"{}", headers={**right, "X-Telegram-Bot-Api-Secret-Token": "x"}
                )
                health = await client.get(f"http://127.0.0.1:{free_port}/healthz")
                chat_page = await client.get(f"http://127.0.0.1:{free_port}/")
            [answer] = await chat.say("child e")
    assert statuses == [400] * len(malformed)
    assert forged.status_code == 403 and health.json() == {"status": "ok"}
    assert chat_page.status_code == 404  # no WEB_PORT: the chat is not served
    assert answer.text.startswith("Child E")
    refusals = [m for m in messages(caplog) if m.startswith("refused a webhook body")]
    assert len(refusals) == len(malformed)
    assert PRIVATE_MARKER not in caplog.text
    assert set(bot_api.webhook_deliveries) == {200}
