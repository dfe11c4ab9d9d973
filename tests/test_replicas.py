"""Two replicas, real `python -m bot run` processes in webhook mode, on one PostgreSQL, behind a balancer.

The test is Telegram and the reverse proxy at once: it takes the updates users send from the strict fake
Bot API (which takes every call both replicas make) and posts each to a replica, the way nginx in front of
them would: a refused or reset connection goes to the other replica (proxy_next_upstream), a 503 (busy
or draining) is delivered again a moment later (Telegram's redelivery), until some replica answers 200.
What users see is read back from the fake: every update must be answered exactly once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from helpers_lifecycle import copy_knowledge, embargoed_doc, review, write_reviews

from bot.answers.render import telegram_html
from bot.service.conversation import ONE_REPLICA_RELOADED, ONE_REPLICA_UNANSWERED
from bot.service.engine import Engine
from bot.service.store.postgres import PostgresStore
from tests.conftest import BEFORE_EMBARGO, postgres_database
from tests.fakes.bot_api import JSON, FakeBotAPI, FakeUser
from tests.test_telegram_process import WEBHOOK_SECRET, free_port

START_TIMEOUT = 60.0  # two replicas start at once on two shared cores
STOP_TIMEOUT = 30.0
DELIVERY_TIMEOUT = 60.0
LEASE_SECONDS = 2  # short, so the dead replica's claims expire within the test
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LONDON = ZoneInfo("Europe/London")

QUESTIONS = (
    "child e",
    "latest reviews",
    "what is an lcspr",
    "who do I call if a child is in danger",
    "neglect",
    "where can I read the child c and d report",
    "hello",
    "what did the chair say about baby scr",
    "nspcc repository",
    "what is working together 2023",
    "tell me a joke",
    "chld e",
)


@dataclass
class Replica:
    """One `python -m bot run` process and the port its webhook server listens on."""

    name: str
    port: int
    process: asyncio.subprocess.Process
    stderr: asyncio.Task[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/healthz"

    async def stop(self) -> tuple[int, str]:
        """SIGTERM, then the exit code and everything it logged."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.exited()

    async def exited(self) -> tuple[int, str]:
        """The exit code (once it has stopped by itself) and everything it logged."""
        code = await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
        return code, (await self.stderr).decode("utf-8", "replace")

    async def kill(self) -> None:
        """kill -9: no drain, no cleanup, claims left in the database."""
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()


@dataclass
class World:
    api: FakeBotAPI
    database_url: str
    knowledge: Path
    directory: Path
    now: dt.datetime | None
    replicas: dict[str, Replica] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)

    def environment(self, name: str, port: int) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "LOG_LEVEL"))}
        return {
            **keep,
            "TELEGRAM_BOT_TOKEN": self.api.token,
            "TELEGRAM_API_URL": self.api.url,
            # The public URL (the balancer's); each replica listens on its own port at the same path.
            "WEBHOOK_URL": "http://127.0.0.1:8443/telegram",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "DATABASE_URL": self.database_url,
            "DATA_DIR": str(self.directory / f"data-{name}"),  # unused with PostgreSQL: nothing shared on disk
            "UPDATE_LEASE_SECONDS": str(LEASE_SECONDS),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **self.extra,
        }

    async def start(self, *names: str) -> list[Replica]:
        """Start replicas together (they migrate and baseline the same database at once); wait until each
        answers /healthz with 200."""
        started = await asyncio.gather(*(self._spawn(name) for name in names))
        await asyncio.gather(*(self._ready(replica) for replica in started))
        return list(started)

    async def _spawn(self, name: str) -> Replica:
        port = free_port()
        now = ["--now", self.now.isoformat()] if self.now else []
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--knowledge",
            str(self.knowledge),
            *now,
            cwd=self.directory,
            env=self.environment(name, port),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        replica = Replica(name, port, process, asyncio.create_task(process.stderr.read()))
        self.replicas[name] = replica
        return replica

    async def _ready(self, replica: Replica) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                if replica.process.returncode is not None:
                    log = (await replica.stderr).decode("utf-8", "replace")
                    pytest.fail(f"replica {replica.name} exited with {replica.process.returncode}:\n{log[-3000:]}")
                try:
                    if (await client.get(replica.health_url)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if loop.time() > deadline:
                    pytest.fail(f"replica {replica.name} did not become ready")
                await asyncio.sleep(0.1)

    async def stop_all(self) -> dict[str, str]:
        """SIGTERM every running replica; each must exit 0. Returns their logs."""
        logs: dict[str, str] = {}
        for name, replica in list(self.replicas.items()):
            if replica.process.returncode is None:
                code, log = await replica.stop()
                assert code == 0, f"replica {name} exited with {code}:\n{log[-3000:]}"
                logs[name] = log
            del self.replicas[name]
        return logs


@asynccontextmanager
async def world(tmp_path: Path, knowledge: Path, now: dt.datetime | None) -> AsyncIterator[World]:
    async with AsyncExitStack() as stack:
        api = await stack.enter_async_context(FakeBotAPI(push_webhook=False, wait_timeout=30.0))
        url = stack.enter_context(postgres_database())
        running = World(api, url, knowledge, tmp_path, now)
        try:
            yield running
        finally:
            for replica in running.replicas.values():
                if replica.process.returncode is None:
                    replica.process.kill()
                    await replica.process.wait()


class Balancer:
    """nginx and Telegram in one (see the module docstring). Counts what happened per replica."""

    def __init__(self, replicas: Iterable[Replica], client: httpx.AsyncClient) -> None:
        self.replicas = list(replicas)
        self.client = client
        self.statuses: Counter[tuple[str, int | str]] = Counter()
        self.in_flight: Counter[str] = Counter()

    async def deliver(self, update: JSON, first: int) -> str:
        """Deliver until a replica answers 200; returns the name of the replica that did."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DELIVERY_TIMEOUT
        index = first
        while loop.time() < deadline:
            replica = self.replicas[index % len(self.replicas)]
            self.in_flight[replica.name] += 1
            try:
                response = await self.client.post(
                    replica.url, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET}, timeout=30.0
                )
            except httpx.TransportError:  # refused or reset: the replica is gone; the proxy tries the next
                self.statuses[(replica.name, "connection error")] += 1
                index += 1
                continue
            finally:
                self.in_flight[replica.name] -= 1
            self.statuses[(replica.name, response.status_code)] += 1
            if response.status_code == 200:
                return replica.name
            assert response.status_code == 503, response.status_code
            index += 1  # busy or draining: the next attempt (nginx, then Telegram's redelivery) may go elsewhere
            await asyncio.sleep(0.05)
        raise AssertionError(f"update {update['update_id']} was never accepted")


def expected_html(engine: Engine, question: str) -> list[str]:
    return telegram_html(engine.answer(question))


def ask_everyone(api: FakeBotAPI, count: int) -> tuple[list[tuple[FakeUser, str]], list[JSON]]:
    """`count` users each send one question; their updates, taken from the fake for the balancer."""
    asked = [(api.user(f"User{n}"), QUESTIONS[n % len(QUESTIONS)]) for n in range(count)]
    for user, question in asked:
        api.post_text(user, question)
    updates = api.take_updates()
    assert len(updates) == count
    return asked, updates


def replies_by_chat(api: FakeBotAPI, asked: list[tuple[FakeUser, str]]) -> dict[int, list[str]]:
    return {user.id: [m.html for m in api.messages_in(user.id)] for user, _ in asked}


async def _integrity(url: str) -> tuple[bool, int]:
    store = await PostgresStore.connect(url)
    try:
        async with store._pool.connection() as db:
            row = await (await db.execute("SELECT count(*) FROM updates WHERE done")).fetchone()
        return await store.integrity_ok(), int(row[0]) if row else 0
    finally:
        await store.close()


async def test_two_replicas_answer_every_update_exactly_once_with_redeliveries(
    tmp_path: Path, knowledge: Path, local_engine: Engine
) -> None:
    async with world(tmp_path, knowledge, BEFORE_EMBARGO) as w:
        a, b = await w.start("a", "b")
        assert w.api.webhook_sets == 2
        asked, updates = ask_everyone(w.api, 500)
        chooser = random.Random(14)
        twice = set(chooser.sample(range(len(updates)), len(updates) // 10))  # a tenth delivered twice
        gate = asyncio.Semaphore(24)  # Telegram keeps up to 40 connections open to a webhook

        async with httpx.AsyncClient() as client:
            balancer = Balancer([a, b], client)

            async def one(n: int, update: JSON, first: int) -> None:
                async with gate:
                    await balancer.deliver(update, first)

            jobs = [one(n, u, n) for n, u in enumerate(updates)]
            jobs += [one(n, updates[n], chooser.randrange(2)) for n in sorted(twice)]  # same or other replica
            await asyncio.gather(*jobs)

        got = replies_by_chat(w.api, asked)
        wrong = {chat: len(html) for chat, html in got.items() if not html}
        assert not wrong, f"{len(wrong)} updates were never answered"
        for user, question in asked:
            assert got[user.id] == expected_html(local_engine, question), f"chat {user.id} ({question!r})"
        answered_by = Counter(
            name for (name, status), n in balancer.statuses.items() if status == 200 for _ in range(n)
        )
        assert answered_by["a"] > 50 and answered_by["b"] > 50  # both took their share
        assert w.api.errors == []
        logs = await w.stop_all()
        assert await _integrity(w.database_url) == (True, 500)
    for log in logs.values():
        assert "Traceback" not in log
        assert not any(q in log for q in QUESTIONS[1:6])  # no message text in the logs


async def test_a_replica_killed_mid_burst_loses_no_update(
    tmp_path: Path, knowledge: Path, local_engine: Engine
) -> None:
    async with world(tmp_path, knowledge, BEFORE_EMBARGO) as w:
        a, b = await w.start("a", "b")
        asked, updates = ask_everyone(w.api, 500)
        gate = asyncio.Semaphore(24)
        completed = 0
        in_flight_at_kill: int | None = None
        kill_now = asyncio.Event()

        async with httpx.AsyncClient() as client:
            balancer = Balancer([a, b], client)

            async def one(n: int, update: JSON) -> None:
                nonlocal completed
                async with gate:
                    await balancer.deliver(update, n)
                completed += 1
                if completed == 150:
                    kill_now.set()

            async def killer() -> None:
                nonlocal in_flight_at_kill
                await kill_now.wait()
                in_flight_at_kill = balancer.in_flight["a"]
                await a.kill()

            await asyncio.gather(killer(), *(one(n, u) for n, u in enumerate(updates)))

        assert in_flight_at_kill is not None
        got = replies_by_chat(w.api, asked)
        doubles = 0
        for user, question in asked:
            expected = expected_html(local_engine, question)
            assert got[user.id] in (expected, expected * 2), f"chat {user.id} ({question!r}): {len(got[user.id])}"
            doubles += got[user.id] == expected * 2
        # A second reply only for an update whose reply left in the instant before the kill.
        assert doubles <= in_flight_at_kill, (doubles, in_flight_at_kill)
        assert balancer.statuses[("a", "connection error")] > 0  # the kill really cut deliveries off
        print(f"in flight at the kill: {in_flight_at_kill}; answered twice: {doubles}; {dict(balancer.statuses)}")
        await w.stop_all()
        assert await _integrity(w.database_url) == (True, 500)


def _release_at(seconds: int) -> tuple[dt.datetime, str]:
    moment = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).replace(microsecond=0)
    return moment, moment.astimezone(LONDON).replace(tzinfo=None).isoformat()


async def test_an_announcement_goes_out_once_across_replicas_and_restarts(tmp_path: Path) -> None:
    knowledge = copy_knowledge(tmp_path)
    moment, local = _release_at(15)
    write_reviews(knowledge, [review("child-x", "Child X", [embargoed_doc("child-x-report", local)])])
    async with world(tmp_path, knowledge, None) as w:  # the real clock: the release jobs fire on time
        a, _ = await w.start("a", "b")
        alice = w.api.user("Alice")
        w.api.post_text(alice, "/subscribe")
        [update] = w.api.take_updates()
        async with httpx.AsyncClient() as client:
            assert await Balancer([a], client).deliver(update, 0) == "a"  # registered through replica A
        [confirmed] = await w.api.wait_messages(alice.id, 0, 1)
        assert "Subscribed to all new reviews" in confirmed.text
        assert dt.datetime.now(dt.UTC) < moment, "the replicas started too slowly for this test's release moment"

        [news] = await w.api.wait_messages(alice.id, 1, 1)  # both replicas' release jobs fire at the moment
        assert news.text.startswith("New review published: Child X")
        await asyncio.sleep(1.5)  # room for a second message, which must not come
        assert len(w.api.messages_in(alice.id)) == 2  # exactly once, with both running
        logs = await w.stop_all()
        assert sum("announcements: 1 sent" in log for log in logs.values()) == 1

        await w.start("a", "b")  # a restart of both: each catches up at start, finding nothing to send
        await asyncio.sleep(0.5)
        assert len(w.api.messages_in(alice.id)) == 2
        await w.stop_all()


async def test_sigterm_drains_a_replica_without_losing_the_update_in_flight(
    tmp_path: Path, knowledge: Path, local_engine: Engine
) -> None:
    async with world(tmp_path, knowledge, BEFORE_EMBARGO) as w:
        a, b = await w.start("a", "b")
        alice, bob = w.api.user("Alice"), w.api.user("Bob")
        slow = w.api.inject("sendMessage", delay=2.0)  # A's reply is on its way while A is told to stop
        w.api.post_text(alice, "child e")
        [alices] = w.api.take_updates()
        async with httpx.AsyncClient() as client:
            in_flight = asyncio.create_task(Balancer([a], client).deliver(alices, 0))
            await w.api.wait_until(lambda: slow.times == 0, "A's reply to reach the Bot API")
            a.process.send_signal(signal.SIGTERM)

            async def unready() -> bool:
                try:
                    return (await client.get(a.health_url)).status_code == 503
                except httpx.TransportError:
                    return False

            while not await unready():  # the proxy's health check takes A out at once
                assert not in_flight.done()
                await asyncio.sleep(0.05)
            w.api.post_text(bob, "latest reviews")
            [bobs] = w.api.take_updates()
            balancer = Balancer([a, b], client)
            assert await balancer.deliver(bobs, 0) == "b"
            assert balancer.statuses[("a", 503)] == 1  # A took no new update while draining
            assert await in_flight == "a"  # and finished the one it had
        code, log = await a.exited()  # after its one SIGTERM
        assert code == 0, log[-3000:]
        assert [m.html for m in w.api.messages_in(alice.id)] == expected_html(local_engine, "child e")
        assert [m.html for m in w.api.messages_in(bob.id)] == expected_html(local_engine, "latest reviews")
        await w.stop_all()


async def test_admins_see_the_whole_deployment_where_it_is_in_the_database(tmp_path: Path, knowledge: Path) -> None:
    async with world(tmp_path, knowledge, BEFORE_EMBARGO) as w:
        admin, alice, bob, carol = (w.api.user(name) for name in ("Admin", "Alice", "Bob", "Carol"))
        w.extra["ADMIN_IDS"] = str(admin.id)
        a, b = await w.start("a", "b")
        async with httpx.AsyncClient() as client:
            only_a, only_b = Balancer([a], client), Balancer([b], client)

            async def say(user: FakeUser, text: str, via: Balancer) -> list[str]:
                before = len(w.api.messages_in(user.id))
                w.api.post_text(user, text)
                [update] = w.api.take_updates()
                await via.deliver(update, 0)
                return [m.text for m in w.api.messages_in(user.id)[before:]]

            await say(alice, "/subscribe", only_a)
            await say(bob, "/subscribe neglect", only_b)
            await say(carol, "child e", only_b)
            [answer] = w.api.messages_in(carol.id)
            helpful = answer.button("Helpful: yes").callback_data or ""
            w.api.post_callback(carol, answer, helpful)
            [tap] = w.api.take_updates()
            await only_a.deliver(tap, 0)
            await only_b.deliver(tap, 0)  # delivered again, to the other replica: counted once
            intent = helpful.rsplit(":", 1)[1]

            [stats] = await say(admin, "/stats", only_a)
            assert "Subscribers: 2." in stats  # one registered through each replica
            assert f"{intent}: 1 yes, 0 no" in stats
            assert "Since start of this replica" in stats
            unanswered = await say(admin, "/unanswered", only_b)
            assert ONE_REPLICA_UNANSWERED in unanswered[-1]
            reloaded = await say(admin, "/reload", only_a)
            assert ONE_REPLICA_RELOADED in reloaded[0]
        await w.stop_all()
