"""Announcements: what is new, who matches, the message, subscriptions, and the exactly-once fan-out
across release moments, coinciding releases, failures and restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from helpers_lifecycle import (
    FakeClock,
    FakeSender,
    FakeSleep,
    copy_knowledge,
    embargoed_doc,
    published_doc,
    review,
    write_reviews,
)
from kb_builders import FIXTURE_KNOWLEDGE

from bot.answers.render import plain_text
from bot.kb.leaks import find_leaks
from bot.kb.loader import load_knowledge
from bot.kb.models import KnowledgeBase, ReplyKind
from bot.kb.visibility import public_view
from bot.service.announcements import (
    Announcer,
    RecipientGone,
    RetryLater,
    UnknownTopicError,
    announcement_reply,
    group_by_review,
    matching_chats,
    new_items,
    resolve_topic,
    subscribe_command,
    topic_label,
    unsubscribe_command,
    visible_items,
)
from bot.service.engine import Engine
from bot.service.store import Store, Subscription
from tests.conftest import StoreOpener

RELEASE = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # 09:00 in London (GMT in December)
SECOND = dt.timedelta(seconds=1)

EVERYONE, NEGLECT, COUNTY, DOMESTIC, BOTH = 101, 102, 103, 104, 105


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    return load_knowledge(FIXTURE_KNOWLEDGE)


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """The real knowledge plus Child X (neglect, embargoed until RELEASE) and an already public Child Y."""
    directory = copy_knowledge(tmp_path)
    write_reviews(
        directory,
        [
            review("child-x", "Child X", [embargoed_doc("child-x-report", "2026-12-01T09:00:00")], themes=["neglect"]),
            review("child-y", "Child Y", [published_doc("child-y-report", "2026-01-05")], themes=["neglect"]),
        ],
    )
    return directory


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(RELEASE - dt.timedelta(days=1))


@pytest.fixture
async def store(open_test_store: StoreOpener, clock: FakeClock) -> Store:
    """A store of each kind (SQLite, PostgreSQL) reading the same clock as the engine: 'pending for a day'
    is measured in test time."""
    return await open_test_store(clock)


async def _subscribe_all(store: Store) -> None:
    await store.subscribe(EVERYONE, None)
    await store.subscribe(NEGLECT, "theme:neglect")
    await store.subscribe(COUNTY, "partnership:lrscp")
    await store.subscribe(DOMESTIC, "theme:domestic-abuse")
    await store.subscribe(BOTH, None)
    await store.subscribe(BOTH, "theme:neglect")


# ----- pure parts ------------------------------------------------------------------------------------
def test_visible_items_are_reviews_and_published_documents(real_kb: KnowledgeBase) -> None:
    items = visible_items(public_view(real_kb, RELEASE))
    assert {"review:child-e", "document:child-e-improvements-briefing", "review:baby-scr"} <= items
    assert "document:baby-scr-learning-briefing" in items
    assert "document:baby-scr-report" not in items  # withheld: nothing to read, nothing to announce


def test_new_items_appear_exactly_at_the_release_moment(knowledge: Path) -> None:
    kb = load_knowledge(knowledge)
    before, at = public_view(kb, RELEASE - SECOND), public_view(kb, RELEASE)
    assert new_items(before, at) == {"review:child-x", "document:child-x-report"}
    assert new_items(at, at) == frozenset()
    assert "review:child-x" not in visible_items(before)


def test_items_are_grouped_per_review_and_only_from_the_view(knowledge: Path) -> None:
    kb = load_knowledge(knowledge)
    keys = {"review:child-x", "document:child-x-report", "document:child-e-improvements-briefing"}
    assert group_by_review(public_view(kb, RELEASE), keys) == {
        "child-e": {"document:child-e-improvements-briefing"},
        "child-x": {"review:child-x", "document:child-x-report"},
    }
    assert "child-x" not in group_by_review(public_view(kb, RELEASE - SECOND), keys)


def test_matching_chats_by_theme_partnership_and_everything(knowledge: Path) -> None:
    view = public_view(load_knowledge(knowledge), RELEASE)
    child_x = next(r for r in view.reviews if r.id == "child-x")
    subscriptions = [
        Subscription(EVERYONE, None),
        Subscription(NEGLECT, "theme:neglect"),
        Subscription(COUNTY, "partnership:lrscp"),
        Subscription(DOMESTIC, "theme:domestic-abuse"),
        Subscription(BOTH, None),
        Subscription(BOTH, "theme:neglect"),
        Subscription(106, "partnership:lscpb"),
    ]
    assert matching_chats(child_x, subscriptions) == [EVERYONE, NEGLECT, BOTH, 106]


def test_the_announcement_names_the_review_date_and_link_from_the_view(knowledge: Path) -> None:
    kb = load_knowledge(knowledge)
    view = public_view(kb, RELEASE)
    reply = announcement_reply(view, "child-x", {"review:child-x", "document:child-x-report"})
    assert reply is not None
    body = plain_text(reply)
    assert "New review published: Child X" in body
    assert "1 December 2026" in body
    assert "https://lcitylscb.org/learning-from-reviews/child-x-report" in reply.links
    assert "Leicester Safeguarding Children Partnership Board" in body
    assert any(b.action == "review:child-x" for b in reply.buttons)
    assert find_leaks(reply, kb, RELEASE) == []


def test_a_new_document_of_a_known_review_is_announced_as_such(knowledge: Path) -> None:
    view = public_view(load_knowledge(knowledge), RELEASE)
    reply = announcement_reply(view, "child-y", {"document:child-y-report"})
    assert reply is not None
    assert plain_text(reply).startswith("Newly published for Child Y")
    assert "5 January 2026" in plain_text(reply)


def test_nothing_is_announced_from_outside_the_public_view(knowledge: Path) -> None:
    view = public_view(load_knowledge(knowledge), RELEASE - SECOND)
    assert announcement_reply(view, "child-x", {"review:child-x", "document:child-x-report"}) is None
    assert announcement_reply(view, "child-e", set()) is None


# ----- topics and commands ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("words", "topic"),
    [
        ("", None),
        ("all", None),
        ("  Everything ", None),
        ("neglect", "theme:neglect"),
        ("Neglect", "theme:neglect"),
        ("theme:neglect", "theme:neglect"),
        ("CSE", "theme:child-sexual-exploitation"),
        ("domestic-abuse", "theme:domestic-abuse"),
        ("lscpb", "partnership:lscpb"),
        ("LSCPB", "partnership:lscpb"),
        ("Leicester Safeguarding Children Partnership Board", "partnership:lscpb"),
        ("partnership:lrscp", "partnership:lrscp"),
        ("LRSCP", "partnership:lrscp"),
    ],
)
def test_resolve_topic(real_kb: KnowledgeBase, words: str, topic: str | None) -> None:
    assert resolve_topic(real_kb, words) == topic


@pytest.mark.parametrize("words", ["football", "theme:lscpb", "partnership:neglect", "child e"])
def test_unknown_topics_are_refused(real_kb: KnowledgeBase, words: str) -> None:
    with pytest.raises(UnknownTopicError):
        resolve_topic(real_kb, words)


def test_topic_labels(real_kb: KnowledgeBase) -> None:
    assert topic_label(real_kb, None) == "all new reviews"
    assert topic_label(real_kb, "theme:neglect") == "the theme Neglect"
    assert topic_label(real_kb, "partnership:lscpb") == "reviews by the LSCPB"


async def test_subscribe_and_unsubscribe_commands(real_kb: KnowledgeBase, store: Store) -> None:
    assert "Subscribed to the theme Neglect" in plain_text(await subscribe_command(store, real_kb, 1, "neglect"))
    assert "already subscribed" in plain_text(await subscribe_command(store, real_kb, 1, "Neglect"))
    assert "Subscribed to all new reviews" in plain_text(await subscribe_command(store, real_kb, 1, ""))
    unknown = plain_text(await subscribe_command(store, real_kb, 1, "football"))
    assert "don't know" in unknown and "neglect" in unknown and "lscpb" in unknown
    assert await store.subscriptions(1) == [Subscription(1, None), Subscription(1, "theme:neglect")]
    assert "Unsubscribed from the theme Neglect" in plain_text(await unsubscribe_command(store, real_kb, 1, "neglect"))
    assert "were not subscribed" in plain_text(await unsubscribe_command(store, real_kb, 1, "neglect"))
    assert "not send you announcements" in plain_text(await unsubscribe_command(store, real_kb, 1, ""))
    assert await store.subscriptions(1) == []
    assert "no subscriptions" in plain_text(await unsubscribe_command(store, real_kb, 1, " "))


# ----- the fan-out -----------------------------------------------------------------------------------
def _names_in(sender: FakeSender, chat: int) -> list[str]:
    return [e for reply in sender.to(chat) for e in reply.entries]


async def test_embargo_release_is_announced_once_and_not_again_after_a_restart(
    knowledge: Path, open_test_store: StoreOpener
) -> None:
    """The issue's definition of done, with an injectable clock."""
    clock = FakeClock(RELEASE - dt.timedelta(days=1))
    engine = Engine(load_knowledge(knowledge), clock)
    store = await open_test_store(clock)
    sender = FakeSender()
    announcer = Announcer(store, sender, sleep=FakeSleep())

    first = await announcer.run(engine.view())  # first start: the baseline, nobody is told anything
    assert first.sent == 0 and first.new == frozenset()
    await _subscribe_all(store)

    clock.set(RELEASE - SECOND)
    reply = engine.answer("Child X")
    assert "child-x" not in reply.entries and "Child X review" not in plain_text(reply)
    assert find_leaks(reply, engine.knowledge, clock.now) == []
    assert (await announcer.run(engine.view())).sent == 0
    assert sender.sent == []

    clock.set(RELEASE)
    assert engine.answer("Child X").entries == ("child-x",)
    report = await announcer.run(engine.view())
    assert report.new == {"review:child-x", "document:child-x-report"}
    assert sender.chats() == [EVERYONE, NEGLECT, BOTH]  # once each; not the county or domestic abuse
    assert all(_names_in(sender, chat) == ["child-x"] for chat in (EVERYONE, NEGLECT, BOTH))
    assert report.pending == 0

    clock.advance(minutes=5)
    assert (await announcer.run(engine.view())).sent == 0
    await store.close()

    # A restart: new process objects on the same database and knowledge.
    store = await open_test_store(clock)
    restarted = Announcer(store, sender, sleep=FakeSleep())
    again = await restarted.run(Engine(load_knowledge(knowledge), clock).view())
    assert again.sent == 0 and again.new == frozenset()
    assert sender.chats() == [EVERYONE, NEGLECT, BOTH]


async def test_existing_reviews_are_not_announced_on_the_first_start(
    knowledge: Path, store: Store, clock: FakeClock
) -> None:
    await _subscribe_all(store)
    sender = FakeSender()
    clock.set(RELEASE)
    engine = Engine(load_knowledge(knowledge), clock)  # Child X already public at first start
    report = await Announcer(store, sender, sleep=FakeSleep()).run(engine.view())
    assert report.sent == 0 and sender.sent == []
    assert await store.pending() == {}


async def test_a_release_while_the_bot_was_down_is_announced_at_the_next_start(
    knowledge: Path, store: Store, clock: FakeClock
) -> None:
    clock.set(RELEASE - dt.timedelta(hours=1))
    sender = FakeSender()
    await Announcer(store, sender, sleep=FakeSleep()).run(Engine(load_knowledge(knowledge), clock).view())
    await _subscribe_all(store)
    clock.set(RELEASE + dt.timedelta(hours=3))  # down over the release, then started again
    report = await Announcer(store, sender, sleep=FakeSleep()).run(Engine(load_knowledge(knowledge), clock).view())
    assert report.sent == 3 and sender.chats() == [EVERYONE, NEGLECT, BOTH]


async def test_two_releases_at_the_same_moment_make_one_message_per_review_each_once(
    tmp_path: Path, open_test_store: StoreOpener
) -> None:
    directory = copy_knowledge(tmp_path)
    at = "2026-12-01T09:00:00"
    write_reviews(
        directory,
        [
            review(
                "child-x",
                "Child X",
                [embargoed_doc("child-x-report", at), embargoed_doc("child-x-briefing", at, "briefing")],
                themes=["neglect"],
            ),
            review(
                "child-z",
                "Child Z",
                [embargoed_doc("child-z-report", "2026-12-01T09:00:00+00:00")],
                partnership="lrscp",
            ),
        ],
    )
    clock = FakeClock(RELEASE - SECOND)
    engine = Engine(load_knowledge(directory), clock)
    stores = [await open_test_store(clock) for _ in range(2)]  # two replicas (or connections) on one database
    sender = FakeSender()
    announcers = [Announcer(s, sender, sleep=FakeSleep()) for s in stores]
    await announcers[0].run(engine.view())
    await _subscribe_all(stores[0])
    clock.set(RELEASE)
    view = engine.view()
    # Two jobs firing together, on separate connections, and a duplicate run on the same announcer.
    await asyncio.gather(announcers[0].run(view), announcers[1].run(view), announcers[0].run(view))
    assert sorted((chat, r.entries) for chat, r in sender.sent) == [
        (EVERYONE, ("child-x",)),
        (EVERYONE, ("child-z",)),
        (NEGLECT, ("child-x",)),
        (COUNTY, ("child-z",)),
        (BOTH, ("child-x",)),
        (BOTH, ("child-z",)),
    ]
    child_x = plain_text(sender.to(NEGLECT)[0])
    assert "Report, published 1 December 2026" in child_x and "Briefing, published 1 December 2026" in child_x


@pytest.fixture
async def released(knowledge: Path, store: Store, clock: FakeClock) -> AsyncIterator[Engine]:
    """Baseline taken before the release, subscribers in place, clock at the release."""
    clock.set(RELEASE - SECOND)
    engine = Engine(load_knowledge(knowledge), clock)
    await Announcer(store, FakeSender(), sleep=FakeSleep()).run(engine.view())
    await _subscribe_all(store)
    clock.set(RELEASE)
    yield engine


async def test_a_chat_that_blocked_the_bot_is_forgotten_not_retried(released: Engine, store: Store) -> None:
    engine = released
    sender = FakeSender(failures={NEGLECT: [RecipientGone()]})
    announcer = Announcer(store, sender, sleep=FakeSleep())
    report = await announcer.run(engine.view())
    assert (report.sent, report.gone, report.failed, report.retry_after) == (2, 1, 0, None)
    assert await store.subscriptions(NEGLECT) == []
    assert await store.pending() == {}
    assert (await announcer.run(engine.view())).sent == 0


async def test_a_failed_send_is_retried_later_without_repeating_the_others(released: Engine, store: Store) -> None:
    engine = released
    sender = FakeSender(failures={NEGLECT: [ConnectionError("network down")]})
    announcer = Announcer(store, sender, sleep=FakeSleep(), failure_retry=30.0)
    first = await announcer.run(engine.view())
    assert (first.sent, first.failed, first.retry_after, first.pending) == (2, 1, 30.0, 2)
    assert "document:child-x-report" not in await store.announced_to(NEGLECT)  # the claim was released
    second = await announcer.run(engine.view())
    assert (second.sent, second.failed, second.pending) == (1, 0, 0)
    assert sender.chats() == [EVERYONE, NEGLECT, BOTH]


async def test_flood_control_stops_the_run_and_asks_for_a_retry(released: Engine, store: Store) -> None:
    engine = released
    sender = FakeSender(failures={EVERYONE: [RetryLater(7.0)]})
    sleep = FakeSleep()
    announcer = Announcer(store, sender, sleep=sleep, pause=0.04)
    first = await announcer.run(engine.view())
    assert (first.sent, first.retry_after) == (0, 7.0)
    assert sender.sent == [] and await store.announced_to(EVERYONE) == frozenset()
    second = await announcer.run(engine.view())
    assert second.sent == 3 and sender.chats() == [EVERYONE, NEGLECT, BOTH]
    assert sleep.pauses == [0.04] * 3  # one pause after each message, under the broadcast limit


async def test_an_item_that_keeps_failing_is_given_up_after_the_ttl(
    released: Engine, store: Store, clock: FakeClock
) -> None:
    engine = released
    sender = FakeSender(failures={NEGLECT: [ConnectionError()] * 3})
    announcer = Announcer(store, sender, sleep=FakeSleep(), pending_ttl=dt.timedelta(hours=2))
    assert (await announcer.run(engine.view())).failed == 1
    clock.advance(hours=3)
    report = await announcer.run(engine.view())
    assert (report.failed, report.pending, report.retry_after) == (0, 0, None)
    assert NEGLECT not in sender.chats()


async def test_an_item_hidden_again_before_its_announcement_waits(knowledge: Path, store: Store) -> None:
    kb = load_knowledge(knowledge)
    sender = FakeSender(failures={EVERYONE: [RetryLater(1.0)]})
    announcer = Announcer(store, sender, sleep=FakeSleep())
    await announcer.run(public_view(kb, RELEASE - SECOND))
    await _subscribe_all(store)
    await announcer.run(public_view(kb, RELEASE))  # interrupted: still pending
    report = await announcer.run(public_view(kb, RELEASE - SECOND))  # e.g. a reload re-embargoed it
    assert report.sent == 0 and sender.sent == []
    assert set(await store.pending()) == {"review:child-x", "document:child-x-report"}


async def test_a_new_subscriber_before_the_release_is_told(released: Engine, store: Store) -> None:
    engine = released
    await store.subscribe(200, "theme:neglect")
    sender = FakeSender()
    await Announcer(store, sender, sleep=FakeSleep()).run(engine.view())
    assert 200 in sender.chats()
    assert all(r.kind == ReplyKind.ANSWER and r.intent == "announcement" for _, r in sender.sent)
