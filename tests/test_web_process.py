"""The real commands as separate processes: `python -m bot web` on its own, and `python -m bot run` serving
Telegram (against the loopback fake) and the web chat side by side on one conversation service."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import BEFORE_EMBARGO, write_test_knowledge
from tests.fakes.bot_api import FakeBotAPI

PRIVATE_MARKER = "Quockerwodger"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "WEB_", "LOG_LEVEL"))}
    return {**keep, "DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "DEBUG", "PYTHONUNBUFFERED": "1", **extra}


@asynccontextmanager
async def process(command: str, tmp_path: Path, env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    knowledge = write_test_knowledge(tmp_path / "knowledge")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", command, "--knowledge", str(knowledge), "--now", BEFORE_EMBARGO.isoformat(),
        env=env, cwd=tmp_path, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def until_healthy(client: httpx.AsyncClient, url: str, proc: asyncio.subprocess.Process) -> None:
    for _ in range(300):
        if proc.returncode is not None:
            pytest.fail(f"exited with {proc.returncode}")
        try:
            if (await client.get(url)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    pytest.fail("the web server did not become healthy")


async def stop(proc: asyncio.subprocess.Process) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    assert proc.stderr is not None
    log = (await asyncio.wait_for(proc.stderr.read(), 20)).decode("utf-8", "replace")
    return await asyncio.wait_for(proc.wait(), 20), log


async def test_python_m_bot_web_serves_the_chat_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with process("web", tmp_path, environment(tmp_path, WEB_PORT=str(port))) as proc:
        async with httpx.AsyncClient(timeout=5.0) as client:
            await until_healthy(client, f"{base}/healthz", proc)
            page = await client.get(base + "/")
            answer = await client.post(base + "/api/ask", json={"question": f"{PRIVATE_MARKER}: child e"})
        code, log = await stop(proc)
    assert code == 0, log
    assert "Content-Security-Policy" in page.headers and page.text.startswith("<!doctype html>")
    assert answer.json()["entries"] == ["child-e"]
    assert PRIVATE_MARKER not in log


async def test_run_serves_telegram_and_the_web_chat_on_one_service(bot_api: FakeBotAPI, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    admin = bot_api.conversation(bot_api.user("Admin"))
    env = environment(
        tmp_path,
        TELEGRAM_BOT_TOKEN=bot_api.token,
        TELEGRAM_API_URL=bot_api.url,
        WEB_PORT=str(port),
        ADMIN_IDS=str(admin.user.id),
    )
    async with process("run", tmp_path, env) as proc:
        async with httpx.AsyncClient(timeout=5.0) as client:
            await until_healthy(client, f"{base}/healthz", proc)
            chat = bot_api.conversation()
            [telegram_answer] = await chat.say("child e")
            web_answer = (await client.post(base + "/api/ask", json={"question": "child e"})).json()
            await client.post(base + "/api/ask", json={"question": f"{PRIVATE_MARKER} tell me a joke"})
            [stats] = await admin.say("/stats")
            [unanswered] = await admin.say("/unanswered")
        code, log = await stop(proc)
    assert code == 0, log
    assert telegram_answer.text.startswith("Child E") and web_answer["text"].startswith("Child E")
    assert "3 replies" in stats.text and "By way in: web 2, telegram 1." in stats.text
    assert "[name] tell me a joke" in unanswered.text  # the web's fallback, redacted, for the admins
    assert PRIVATE_MARKER not in log
