"""The publication lifecycle end to end: the real Application (its handlers, its JobQueue, its SQLite store
under DATA_DIR) polling the loopback fake Bot API, with an engine clock the test sets.

The knowledge copy (conftest) holds Child K, whose only document is embargoed until 2030-01-01 09:00 London
time, and an embargoed report beside Child L's public briefing; this module adds Child M (neglect, the
LRSCP), embargoed until the same instant written with an offset. So three documents coincide: one job.
Release jobs are real jobs of the real queue; a test that needs one now moves its run time a fraction of
a second ahead in real time (the queue then runs it as it would at the moment) or runs it the way the queue
does (`Job.run`). Nothing here sleeps for long: waits are bounded polls on what the bot sent or did.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from kb_builders import child_n_yaml

from bot.answers.render import telegram_html
from bot.kb.loader import load_knowledge
from bot.service.engine import Engine
from bot.service.releases import is_release_job, job_name
from bot.service.store import SqliteStore
from bot.transports.telegram import app as telegram_app
from bot.transports.telegram.app import (
    BUTTON_EXPIRED,
    FEEDBACK_COUNTED,
    FEEDBACK_THANKS,
    RETRY_JOB,
    UNKNOWN_COMMAND,
    App,
    Assistant,
    assistant_of,
)
from tests.conftest import EMBARGO_LIFTS, LONDON, Clock, check_requests, running_bot, write_test_knowledge
from tests.fakes.bot_api import BLOCKED, Conversation, FakeBotAPI, SentMessage

SECOND = dt.timedelta(seconds=1)
CHILD_K_REPORT = "https://embargoed.example.org/child-k/kestrelmoor-report.pdf"
CHILD_L_REPORT = "https://embargoed.example.org/child-l/lanternfish-report.pdf"
CHILD_M_REPORT = "https://embargoed.example.org/child-m/report.pdf"
CHILD_M_YAML = """\
reviews:
  - id: child-m
    name: Child M
    partnership: lrscp
    review_type: lcspr
    themes: [neglect]
    summary: A review about neglect, referred to as Child M.
    documents:
      - id: child-m-report
        type: report
        title: Child M - report
        status: embargoed
        publish_on: 2030-01-01T09:00:00+00:00
        url: https://embargoed.example.org/child-m/report.pdf
        summary: What the Child M review found.
        sources: [https://example.org/test-source]
        checked: 2026-11-01
    sources: [https://example.org/test-source]
    checked: 2026-11-01
"""
CHILD_N_YAML = child_n_yaml("A review published by a reload, referred to as Child N.")


# ----- the set-up --------------------------------------------------------------------------------------


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    directory = write_test_knowledge(tmp_path / "knowledge")
    (directory / "telegram-lifecycle.yaml").write_text(CHILD_M_YAML, encoding="utf-8")
    return directory


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def clock() -> Clock:
    return Clock(EMBARGO_LIFTS - dt.timedelta(days=1))


@pytest.fixture
def engine(knowledge: Path, clock: Clock) -> Engine:
    return Engine(load_knowledge(knowledge), clock)


class World:
    """The fake Telegram, the bot's settings and clock, and the people in it; `bot()` starts the bot (again)."""

    def __init__(self, api: FakeBotAPI, engine: Engine, clock: Clock, knowledge: Path, data_dir: Path) -> None:
        self.api = api
        self.engine = engine
        self.clock = clock
        self.knowledge = knowledge
        self.data_dir = data_dir
        self.admin = api.conversation(api.user("Admin"))
        self.allowed_errors: set[str] = set()

    def person(self, name: str) -> Conversation:
        return self.api.conversation(self.api.user(name))

    @asynccontextmanager
    async def bot(self) -> AsyncIterator[App]:
        async with running_bot(
            self.api, self.engine, data_dir=self.data_dir, admin_ids=[self.admin.user.id], knowledge_dir=self.knowledge
        ) as application:
            yield application
        check_requests(self.api, self.allowed_errors)


@pytest.fixture
def world(bot_api: FakeBotAPI, engine: Engine, clock: Clock, knowledge: Path, data_dir: Path) -> World:
    return World(bot_api, engine, clock, knowledge, data_dir)


async def until(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Poll (bounded) for something the bot does without sending anything, e.g. finishing a job."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def release_jobs(application: App) -> list[Any]:
    assert application.job_queue is not None
    return [job for job in application.job_queue.jobs() if is_release_job(job.name)]


async def fire_now(application: App, moment: dt.datetime) -> None:
    """Let the real job queue run the real release job for `moment` now (a fifth of a second ahead in real
    time), and wait until its run, announcements included, has finished."""
    assistant = assistant_of(application)
    runs = assistant.announce_runs
    [job] = [job for job in release_jobs(application) if job.name == job_name(moment)]
    job.job.modify(next_run_time=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.2))
    await until(lambda: assistant.announce_runs > runs, f"the release job {job.name} to run")


async def subscribe(chat: Conversation, *arguments: str) -> None:
    for argument in arguments:
        [reply] = await chat.say(f"/subscribe {argument}".strip())
        assert reply.text.startswith("Subscribed to"), reply.text


def news(chat: Conversation, after: int = 0) -> list[str]:
    """The first line of each announcement the chat received (after its first `after` messages)."""
    return [m.text.splitlines()[0] for m in chat.received[after:] if "You get this because you subscribed" in m.text]


async def store_subscribers(data_dir: Path) -> list[int]:
    store = SqliteStore.in_dir(data_dir)
    try:
        return sorted({s.chat_id for s in await store.subscriptions()})
    finally:
        await store.close()


def shown(messages: Iterable[SentMessage]) -> str:
    return "\n".join(m.text + "\n" + " ".join(m.links) for m in messages)


# ----- the release, once, and not again after a restart ---------------------------------------------------


async def test_an_embargoed_review_appears_at_its_moment_is_announced_once_and_not_again_after_a_restart(
    world: World,
) -> None:
    alice, bob, carol, eve = (world.person(name) for name in ("Alice", "Bob", "Carol", "Eve"))
    async with world.bot() as application:
        # Jobs are planned from the knowledge base at start: one for the three documents of that instant.
        [job] = release_jobs(application)
        assert job.name == job_name(EMBARGO_LIFTS) and job.next_t == EMBARGO_LIFTS
        await subscribe(alice, "")  # everything
        await subscribe(bob, "neglect", "lrscp")  # two subscriptions that both match Child M: still one message
        await subscribe(carol, "lscpb")

        world.clock.now = EMBARGO_LIFTS - SECOND
        [before] = await eve.say("child k")
        deep_link = await eve.say("/start review-child-k")
        inline = await eve.inline("kestrelmoor")
        assert "Kestrelmoor" not in shown([before, *deep_link]) and CHILD_K_REPORT not in shown([before])
        assert inline.results == []
        assert news(alice) == news(bob) == news(carol) == []

        world.clock.now = EMBARGO_LIFTS
        await fire_now(application, EMBARGO_LIFTS)
        assert news(alice) == [
            "New review published: Child K (LCSPR)",
            "Newly published for Child L (LCSPR)",
            "New review published: Child M (LCSPR)",
        ]
        assert news(bob) == ["New review published: Child M (LCSPR)"]
        assert news(carol) == ["New review published: Child K (LCSPR)", "Newly published for Child L (LCSPR)"]
        assert news(eve) == []
        links = [link for message in alice.received for link in message.links]
        assert {CHILD_K_REPORT, CHILD_L_REPORT, CHILD_M_REPORT} <= set(links)
        [after] = await eve.say("child k")
        assert "Child K" in after.text and CHILD_K_REPORT in after.links
        assert release_jobs(application) == []  # no later moment: nothing queued

        # The announcement's button opens the review, now public.
        announcement = next(m for m in alice.received if m.text.startswith("New review published: Child K"))
        _, [review] = await alice.tap(announcement, "About Child K")
        child_k = world.engine.act("review:child-k")
        assert child_k is not None and [review.html] == telegram_html(child_k)
        received = [len(chat.received) for chat in (alice, bob, carol)]

    world.clock.now = EMBARGO_LIFTS + dt.timedelta(minutes=5)
    async with world.bot() as application:  # a restart: jobs rebuilt, the catch-up run finds nothing new
        assert release_jobs(application) == []
        [answer] = await eve.say("child k")
        assert CHILD_K_REPORT in answer.links
    assert [len(chat.received) for chat in (alice, bob, carol)] == received
    assert len(news(alice)) == 3 and len(news(bob)) == 1 and len(news(carol)) == 2


async def test_a_release_while_the_bot_was_down_is_announced_at_the_next_start_once(world: World) -> None:
    alice = world.person("Alice")
    async with world.bot():  # the first start records what is public then (nothing is announced)
        await subscribe(alice, "lscpb")
        assert news(alice) == []
    world.clock.now = EMBARGO_LIFTS + dt.timedelta(hours=3)
    async with world.bot():
        pass  # post_init announces what became visible meanwhile, before the bot polls
    assert news(alice) == ["New review published: Child K (LCSPR)", "Newly published for Child L (LCSPR)"]
    async with world.bot():
        await alice.say("/help")
    assert len(news(alice)) == 2


async def test_the_first_start_announces_nothing_that_was_already_public(world: World) -> None:
    world.clock.now = EMBARGO_LIFTS + dt.timedelta(days=1)  # everything already released at the first start
    alice = world.person("Alice")
    async with world.bot() as application:
        await subscribe(alice, "")
        assistant = assistant_of(application)
        report = await assistant.announce(application)
    assert (report.sent, report.pending) == (0, 0)
    assert news(alice) == []


# ----- coinciding releases, flood limits, blocked chats ---------------------------------------------------


async def test_a_release_job_and_a_reload_at_the_same_moment_announce_each_review_once(world: World) -> None:
    alice = world.person("Alice")
    async with world.bot() as application:
        await subscribe(alice, "")
        world.clock.now = EMBARGO_LIFTS
        [job] = release_jobs(application)
        assistant = assistant_of(application)
        runs = assistant.announce_runs
        # The queue runs a job with Job.run; the admin's /reload lands at the same moment.
        _, [reloaded] = await asyncio.gather(job.run(application), world.admin.say("/reload"))
        assert reloaded.text.startswith("Reloaded:")
        await until(lambda: assistant.announce_runs == runs + 2, "both announcement runs to finish")
    assert news(alice) == [
        "New review published: Child K (LCSPR)",
        "Newly published for Child L (LCSPR)",
        "New review published: Child M (LCSPR)",
    ]


async def test_flood_control_is_waited_out_and_nothing_is_sent_twice(world: World) -> None:
    alice = world.person("Alice")
    async with world.bot() as application:
        await subscribe(alice, "neglect")
        world.api.inject("sendMessage", status=429, retry_after=1)
        world.clock.now = EMBARGO_LIFTS
        await fire_now(application, EMBARGO_LIFTS)
    assert news(alice) == ["New review published: Child M (LCSPR)"]
    to_alice = [c.status for c in world.api.calls_to("sendMessage") if int(c.params["chat_id"]) == alice.chat_id]
    assert to_alice == [200, 429, 200]  # the subscribe reply, then the wait Telegram asked for, then the news


async def test_a_long_flood_wait_stops_the_run_and_a_retry_job_finishes_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When Telegram asks for a longer wait than a reply is held for, the announcer stops and asks to be run
    again; the adapter queues that retry as a job. (Made short here: no rate-limiter retries, a 1 s wait
    counted as long.)"""
    monkeypatch.setattr(telegram_app, "RATE_LIMIT_RETRIES", 0)
    monkeypatch.setattr(telegram_app, "MAX_RETRY_AFTER", 0.5)
    alice = world.person("Alice")
    async with world.bot() as application:
        await subscribe(alice, "lscpb")
        world.api.inject("sendMessage", status=429, retry_after=1)
        world.clock.now = EMBARGO_LIFTS
        await fire_now(application, EMBARGO_LIFTS)
        queue = application.job_queue
        assert queue is not None
        assert len(queue.get_jobs_by_name(RETRY_JOB)) == 1
        assert news(alice) == []
        await world.api.wait_messages(alice.chat_id, 1, 2)
        await until(lambda: not queue.get_jobs_by_name(RETRY_JOB), "the retry to finish")
    assert news(alice) == ["New review published: Child K (LCSPR)", "Newly published for Child L (LCSPR)"]


async def test_a_chat_that_blocked_the_bot_is_removed_and_the_others_still_get_theirs(world: World) -> None:
    world.allowed_errors.add(BLOCKED)
    alice, dan = world.person("Alice"), world.person("Dan")
    async with world.bot() as application:
        await subscribe(alice, "")
        await subscribe(dan, "", "neglect")
        [stats] = await world.admin.say("/stats")
        assert "Subscribers: 2." in stats.text
        world.api.block(dan.chat_id)
        world.clock.now = EMBARGO_LIFTS
        await fire_now(application, EMBARGO_LIFTS)
        [stats] = await world.admin.say("/stats")
        assert "Subscribers: 1." in stats.text
    assert len(news(alice)) == 3 and news(dan) == []
    refused = [c for c in world.api.calls_to("sendMessage") if c.status == 403]
    assert len(refused) == 1  # tried once, forgotten, never retried for the other reviews
    assert await store_subscribers(world.data_dir) == [alice.chat_id]


# ----- /subscribe and /unsubscribe -------------------------------------------------------------------------


async def test_subscribe_and_unsubscribe_with_and_without_a_topic(world: World) -> None:
    alice = world.person("Alice")
    async with world.bot():
        [everything] = await alice.say("/subscribe")
        assert everything.text.startswith("Subscribed to all new reviews.")
        [theme] = await alice.say("/subscribe neglect")
        assert theme.text.startswith("Subscribed to the theme Neglect.")
        [again] = await alice.say("/subscribe Neglect")
        assert again.text == "You are already subscribed to the theme Neglect."
        [partnership] = await alice.say("/subscribe lscpb")
        assert partnership.text.startswith("Subscribed to reviews by the LSCPB.")
        [unknown] = await alice.say("/subscribe kestrels")
        assert unknown.text.startswith("I don't know that theme or partnership.") and "neglect" in unknown.text
        [one] = await alice.say("/unsubscribe neglect")
        assert one.text == "Unsubscribed from the theme Neglect."
        [all_of_them] = await alice.say("/unsubscribe")
        assert all_of_them.text == "Unsubscribed: I will not send you announcements any more."
        [none] = await alice.say("/unsubscribe")
        assert none.text == "You had no subscriptions."
        # An emulator that sends no bot_command entity: the text still works, argument included.
        world.api.post_text(alice.user, "/subscribe lrscp", entities=False)
        [plain] = await world.api.wait_messages(alice.chat_id, len(alice.received), 1)
        assert plain.text.startswith("Subscribed to reviews by the LRSCP.")
    assert await store_subscribers(world.data_dir) == [alice.chat_id]


async def test_a_group_subscribes_and_the_news_goes_to_the_group(world: World) -> None:
    group = world.api.group()
    alice = world.api.conversation(world.api.user("Alice"), group)
    async with world.bot() as application:
        [reply] = await alice.say("/subscribe@reviews_test_bot neglect")
        assert reply.text.startswith("Subscribed to the theme Neglect.")
        world.clock.now = EMBARGO_LIFTS
        await fire_now(application, EMBARGO_LIFTS)
    assert news(alice) == ["New review published: Child M (LCSPR)"]
    assert await store_subscribers(world.data_dir) == [group]


# ----- /reload ---------------------------------------------------------------------------------------------


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


async def test_a_broken_edit_keeps_the_old_answers_and_reports_the_problem_and_the_fix_reloads(world: World) -> None:
    alice, eve = world.person("Alice"), world.person("Eve")
    reviews = world.knowledge / "reviews.yaml"
    good = reviews.read_text(encoding="utf-8")
    async with world.bot():
        await subscribe(alice, "lscpb")
        [before] = await eve.say("child e")
        [same] = await world.admin.say("/reload")
        assert re.fullmatch(r"Reloaded: \d+ reviews\.", same.text)

        reviews.write_text(good.replace("status: published", "status: publishd", 1), encoding="utf-8")
        (world.knowledge / "zz-child-n.yaml").write_text(CHILD_N_YAML, encoding="utf-8")
        [broken] = await world.admin.say("/reload")
        assert broken.text.startswith("Not reloaded: 1 problem(s). Still serving the previous knowledge base.")
        [problem] = re.findall(r"reviews\.yaml:(\d+): (\S+): (.+)", broken.text)
        status_line = line_of(reviews, "status: publishd")
        item_line = max(
            i
            for i in range(1, status_line + 1)
            if reviews.read_text(encoding="utf-8").splitlines()[i - 1].lstrip().startswith("- id:")
        )
        assert int(problem[0]) in {status_line, item_line} and "status" in problem[1] + problem[2]
        [still] = await eve.say("child e")
        assert still.html == before.html  # the last good knowledge base still answers
        [unknown] = await eve.say("child n")
        assert "Child N" not in unknown.text.splitlines()[0]
        assert news(alice) == []

        reviews.write_text(good, encoding="utf-8")
        [fixed] = await world.admin.say("/reload")
        assert re.fullmatch(r"Reloaded: \d+ reviews\. 2 newly visible item\(s\) will be announced\.", fixed.text)
        await until(lambda: len(news(alice)) == 1, "the announcement of Child N")
        [child_n] = await eve.say("child n")
        assert "https://public.example.org/child-n/briefing" in child_n.links
        [again] = await eve.say("child e")
        assert again.html == before.html
    assert news(alice) == ["New review published: Child N (LCSPR)"]


async def test_a_reload_that_moves_an_embargo_moves_its_job(world: World) -> None:
    later = dt.datetime(2030, 2, 1, 9, 30, tzinfo=LONDON)
    async with world.bot() as application:
        assert [job.name for job in release_jobs(application)] == [job_name(EMBARGO_LIFTS)]
        for path in world.knowledge.glob("*.yaml"):
            text = path.read_text(encoding="utf-8")
            moved = text.replace("publish_on: 2030-01-01T09:00:00+00:00", "publish_on: 2030-02-01T09:30")
            path.write_text(moved.replace("publish_on: 2030-01-01T09:00", "publish_on: 2030-02-01T09:30"), "utf-8")
        [reply] = await world.admin.say("/reload")
        assert reply.text.startswith("Reloaded:")
        await until(lambda: [job.name for job in release_jobs(application)] == [job_name(later)], "the new job")
        [job] = release_jobs(application)
        assert job.next_t == later


# ----- admin only ---------------------------------------------------------------------------------------------


async def test_admin_commands_answer_anyone_else_as_an_unknown_command(world: World) -> None:
    eve = world.person("Eve")
    (world.knowledge / "zz-child-n.yaml").write_text(CHILD_N_YAML, encoding="utf-8")
    group = world.api.group()
    admin_in_group = world.api.conversation(world.admin.user, group)
    async with world.bot():
        [unknown] = await eve.say("/frobnicate")
        for command in ("/reload", "/stats", "/unanswered"):
            [reply] = await eve.say(command)
            assert reply.html == unknown.html and reply.text.startswith(UNKNOWN_COMMAND)
        [not_reloaded] = await eve.say("child n")
        assert "Child N" not in not_reloaded.text.splitlines()[0]  # eve's /reload did nothing
        admin_in_group.post("/stats@reviews_test_bot")  # not in a group, even for an admin: ignored
        [answer] = await admin_in_group.say("@reviews_test_bot child e")  # the barrier: the first reply is this
        assert "Child E" in answer.text
        [stats] = await world.admin.say("/stats")
        assert stats.text.startswith("Since start")


# ----- /stats, /unanswered, Helpful? ----------------------------------------------------------------------


async def test_helpful_buttons_count_once_disappear_and_show_in_stats(world: World) -> None:
    eve = world.person("Eve")
    async with world.bot():
        [answer] = await eve.say("child e")
        assert answer.rows[-1] == ["Helpful: yes", "Helpful: no"]
        follow_ups = answer.rows[:-1]
        callback, none = await eve.tap(answer, "Helpful: yes", expect=0)
        assert none == []
        assert callback["text"] == FEEDBACK_THANKS and callback["show_alert"] is False
        await world.api.wait_until(lambda: answer.rows == follow_ups, "the feedback row to go")
        # A second tap from a keyboard the phone had not refreshed yet: thanked, not counted.
        again = await world.api.wait_answer(world.api.post_callback(eve.user, answer, "feedback:no:review"))
        assert again["text"] == FEEDBACK_COUNTED

        latest = await eve.say("latest reviews")
        await eve.tap(latest[-1], "Helpful: no", expect=0)
        [other] = await eve.say("how do reviews work")
        forged = await world.api.wait_answer(world.api.post_callback(eve.user, other, "feedback:yes:made_up"))
        assert forged["text"] == BUTTON_EXPIRED
        [stats] = await world.admin.say("/stats")
    assert "• review: 1 yes, 0 no" in stats.text
    assert "• latest_reviews: 0 yes, 1 no" in stats.text
    assert "made_up" not in stats.text


async def test_stats_and_unanswered_count_questions_and_keep_only_redacted_fallbacks(world: World) -> None:
    eve = world.person("Eve")
    private = "what did Zephyrine say on 07700 900123 about the weather"
    assert world.engine.answer(private).kind.value == "fallback"
    async with world.bot():
        await eve.say("child e")
        await eve.say(private)
        await eve.say("/latest")  # a menu command is not a question: not counted
        [stats] = await world.admin.say("/stats")
        [unanswered] = await world.admin.say("/unanswered")
    assert "2 replies, fallback rate 50%" in stats.text
    assert "By kind: answer 1, fallback 1." in stats.text
    assert "By intent: none 1, review 1." in stats.text
    assert "Subscribers: 0." in stats.text and "No feedback yet." in stats.text
    assert "[name]" in unanswered.text and "[phone]" in unanswered.text
    assert "Zephyrine" not in unanswered.text and "07700" not in unanswered.text


async def test_the_store_lives_in_data_dir_and_is_closed_at_shutdown(world: World) -> None:
    async with world.bot() as application:
        assistant: Assistant = assistant_of(application)
        assert (world.data_dir / "bot.sqlite3").exists()
        assert assistant.store is not None
    with pytest.raises(RuntimeError):
        _ = assistant.store


async def test_a_data_dir_that_cannot_be_used_is_a_clear_config_error(world: World, tmp_path: Path) -> None:
    from bot.errors import ConfigError

    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    world.data_dir = blocker / "data"
    with pytest.raises(ConfigError, match=r"DATA_DIR .* cannot be used"):
        async with world.bot():
            pass
