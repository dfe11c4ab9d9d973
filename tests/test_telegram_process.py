"""The real command, `python -m bot run`, as a separate process talking to the fake Bot API over loopback.

This is the deployment path: settings from the environment, run_polling / run_webhook with their signal
handling, SIGTERM for a clean stop, logging configured from LOG_LEVEL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from kb_builders import child_n_yaml

from bot.answers.render import telegram_html
from bot.answers.reply import Reply
from bot.service.engine import Engine
from bot.transports.telegram.app import WELCOME
from tests.conftest import BEFORE_EMBARGO, EMBARGO_SECRETS
from tests.fakes.bot_api import FakeBotAPI

START_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0
PRIVATE_MARKER = "Quockerwodger"
WEBHOOK_SECRET = "s3cret-for-tests_0123456789"


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    stderr: asyncio.Task[bytes]

    async def stop(self, *, terminate: bool = True) -> tuple[int, str]:
        """SIGTERM (unless it should exit by itself), then the exit code and everything the process logged."""
        if terminate and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
        return code, (await self.stderr).decode("utf-8", "replace")


def bot_environment(api: FakeBotAPI, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "LOG_LEVEL"))}
    return {
        **keep,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "LOG_LEVEL": "DEBUG",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


@asynccontextmanager
async def bot_process(api: FakeBotAPI, knowledge: Path, cwd: Path, env: dict[str, str]) -> AsyncIterator[BotProcess]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--knowledge",
        str(knowledge),
        "--now",
        BEFORE_EMBARGO.isoformat(),
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    running = BotProcess(process, asyncio.create_task(process.stderr.read()))  # drained: a full pipe would block
    exited = asyncio.create_task(process.wait())
    exited.add_done_callback(lambda _: api.notify())
    try:
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await exited


async def started(api: FakeBotAPI, bot: BotProcess, ready: str) -> None:
    def up_or_dead() -> bool:
        up = bool(api.commands) and (ready != "webhook" or api.webhook is not None)
        return up or bot.process.returncode is not None

    await api.wait_until(up_or_dead, "the bot process to start", timeout=START_TIMEOUT)
    if bot.process.returncode is not None:
        code, log = await bot.stop()
        pytest.fail(f"the bot exited with {code} before starting:\n{log[-3000:]}")


def html(reply: Reply | None) -> list[str]:
    assert reply is not None
    return telegram_html(reply)


async def scripted_conversation(api: FakeBotAPI, engine: Engine) -> None:
    """Commands, a typo, a button, an inline query, HTML, a 5,000-character question, an urgent concern."""
    chat = api.conversation()
    [welcome] = await chat.say("/start")
    assert welcome.text.startswith(WELCOME) and welcome.buttons
    [typo] = await chat.say("chld e")
    assert [typo.html] == html(engine.answer("chld e"))
    _, [latest] = await chat.tap(typo, "Latest reviews")
    assert [latest.html] == html(engine.act("latest_reviews"))
    assert [m.html for m in await chat.say("/themes")] == html(engine.act("themes"))
    assert [m.html for m in await chat.say("/start review-child-c-d")] == html(engine.act("review:child-c-d"))
    inline = await chat.inline("child e")
    assert inline.titles == ["Child E (LCSPR)"]
    tagged = "<b>latest</b> & <script>reviews</script>"
    assert [m.html for m in await chat.say(tagged)] == html(engine.answer(tagged))
    long_question = (f"{PRIVATE_MARKER} worried about the child e review " * 120)[:5000]
    expected = html(engine.answer(long_question))
    assert [m.html for m in await chat.say(long_question, expect=len(expected))] == expected
    [urgent] = await chat.say("I'm worried a child in my class is being hurt at home")
    assert urgent.text.startswith("If a child is in immediate danger, call 999 now.")
    [embargoed] = await chat.say("child k")
    assert not [s for s in EMBARGO_SECRETS if s in embargoed.text]
    assert api.errors == []
    sent = [c.params for c in api.calls_to("sendMessage")]
    assert sent and all(p["parse_mode"] == "HTML" and p["link_preview_options"] == {"is_disabled": True} for p in sent)


def assert_private(log: str, api: FakeBotAPI) -> None:
    assert "bot @reviews_test_bot is ready" in log  # logging worked, at DEBUG
    assert api.token not in log and api.token.split(":")[1] not in log
    assert PRIVATE_MARKER not in log and "worried" not in log


async def test_python_m_bot_run_polls_converses_and_stops_on_sigterm(
    bot_api: FakeBotAPI, knowledge: Path, local_engine: Engine, tmp_path: Path
) -> None:
    async with bot_process(bot_api, knowledge, tmp_path, bot_environment(bot_api)) as bot:
        await started(bot_api, bot, "polling")
        assert [c["command"] for c in bot_api.commands["default:"]][:3] == ["start", "help", "latest"]
        await scripted_conversation(bot_api, local_engine)
        code, log = await bot.stop()
    assert code == 0, log[-3000:]
    assert_private(log, bot_api)
    assert bot_api.unconfirmed_updates == 0  # the clean stop confirmed what it had fetched
    assert any(c.params.get("timeout") == 0 for c in bot_api.calls_to("getUpdates"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_python_m_bot_run_serves_a_webhook_with_its_secret(
    bot_api: FakeBotAPI, knowledge: Path, local_engine: Engine, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = bot_environment(
        bot_api, WEBHOOK_URL=url, WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port), WEBHOOK_SECRET=WEBHOOK_SECRET
    )
    async with bot_process(bot_api, knowledge, tmp_path, env) as bot:
        await started(bot_api, bot, "webhook")
        assert bot_api.webhook == {"url": url, "secret_token": WEBHOOK_SECRET}
        chat = bot_api.conversation()
        [answer] = await chat.say("child e")
        assert [answer.html] == html(local_engine.answer("child e"))
        forged = {
            "update_id": 999,
            "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "/start"},
        }
        async with httpx.AsyncClient(timeout=5.0) as client:
            wrong = await client.post(url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
            missing = await client.post(url, json=forged)
        assert (wrong.status_code, missing.status_code) == (403, 403)
        _, [latest] = await chat.tap(answer, "Latest reviews")
        assert [latest.html] == html(local_engine.act("latest_reviews"))
        code, log = await bot.stop()
    assert code == 0, log[-3000:]
    assert_private(log, bot_api)
    assert set(bot_api.webhook_deliveries) == {200}
    assert bot_api.calls_to("getUpdates") == []


async def test_a_token_telegram_rejects_stops_the_bot_with_a_clear_error(
    bot_api: FakeBotAPI, knowledge: Path, tmp_path: Path
) -> None:
    rejected = "1000000001:not-the-right-token"
    env = bot_environment(bot_api, TELEGRAM_BOT_TOKEN=rejected)
    async with bot_process(bot_api, knowledge, tmp_path, env) as bot:
        code, log = await bot.stop(terminate=False)
    assert code == 1
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in log
    assert "not-the-right-token" not in log


CHILD_N_YAML = child_n_yaml()


async def test_sighup_reloads_announces_once_and_a_restart_does_not_announce_again(
    bot_api: FakeBotAPI, knowledge: Path, tmp_path: Path
) -> None:
    env = bot_environment(bot_api, DATA_DIR=str(tmp_path / "state"))
    alice = bot_api.conversation()
    async with bot_process(bot_api, knowledge, tmp_path, env) as bot:
        await started(bot_api, bot, "polling")
        [subscribed] = await alice.say("/subscribe lscpb")
        assert subscribed.text.startswith("Subscribed to reviews by the LSCPB.")
        (knowledge / "zz-child-n.yaml").write_text(CHILD_N_YAML, encoding="utf-8")
        bot.process.send_signal(signal.SIGHUP)
        [news] = await bot_api.wait_messages(alice.chat_id, 1, 1)
        assert news.text.startswith("New review published: Child N (LCSPR)")
        assert "https://public.example.org/child-n/briefing" in news.links
        [answer] = await alice.say("child n")
        assert "https://public.example.org/child-n/briefing" in answer.links
        code, log = await bot.stop()
    assert code == 0, log[-3000:]
    assert_private(log, bot_api)
    assert (tmp_path / "state" / "bot.sqlite3").exists()

    bot_api.commands.clear()  # so that `started` sees the second process register its menu
    async with bot_process(bot_api, knowledge, tmp_path, env) as bot:
        await started(bot_api, bot, "polling")
        [again] = await alice.say("child n")  # the barrier: a catch-up announcement would come before it
        assert [again.html] == [answer.html]
        code, log = await bot.stop()
    assert code == 0, log[-3000:]
    assert [m for m in alice.received if m.text.startswith("New review published")] == [news]
