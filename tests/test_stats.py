"""/stats counters, 'Helpful?' feedback, and the privacy promise across a whole conversation."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from helpers_lifecycle import FakeClock, FakeSender, FakeSleep, copy_knowledge, embargoed_doc, review, write_reviews
from kb_builders import FIXTURE_KNOWLEDGE

from bot.answers.render import plain_text
from bot.answers.reply import Reply, para
from bot.kb.loader import load_knowledge
from bot.kb.models import ReplyKind
from bot.service.announcements import Announcer, subscribe_command, unsubscribe_command
from bot.service.engine import Engine
from bot.service.redact import Redactor, UnansweredLog, unanswered_reply
from bot.service.reloader import reload
from bot.service.stats import NO_INTENT, Stats, feedback_buttons, parse_feedback, record_feedback, stats_reply
from bot.service.store import SqliteStore, Store
from bot.service.store.postgres import PostgresStore
from tests.conftest import StoreOpener

START = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
ENGINE = Engine(load_knowledge(FIXTURE_KNOWLEDGE))
INTENTS = ENGINE.snapshot().composer.intents


def test_counts_by_intent_and_kind_and_the_fallback_rate() -> None:
    stats = Stats(clock=lambda: START)
    assert stats.fallback_rate == 0.0
    for question in ("latest reviews", "latest reviews", "Child E", "tell me a joke"):
        stats.record(ENGINE.answer(question))
    assert stats.total == 4
    assert stats.by_intent["latest_reviews"] == 2 and stats.by_intent["review"] == 1
    assert stats.by_intent[NO_INTENT] == 1
    assert stats.by_kind["answer"] == 3 and stats.by_kind["fallback"] == 1
    assert stats.fallback_rate == 0.25


async def test_the_stats_reply_shows_counts_subscribers_and_feedback(store: Store) -> None:
    stats = Stats(clock=lambda: START)
    stats.record(ENGINE.answer("latest reviews"))
    stats.record(ENGINE.answer("tell me a joke"))
    await store.subscribe(1, None)
    await store.subscribe(1, "theme:neglect")
    await store.subscribe(2, None)
    assert "No feedback yet." in plain_text(await stats_reply(stats, store, START))
    await store.record_feedback("latest_reviews", True)
    await store.record_feedback("latest_reviews", False)
    await store.record_feedback("latest_reviews", True)
    body = plain_text(await stats_reply(stats, store, START + dt.timedelta(hours=2)))
    assert "(2.0 h ago): 2 replies, fallback rate 50%" in body
    assert "latest_reviews 1" in body and "fallback 1" in body
    assert "Subscribers: 2." in body
    assert "• latest_reviews: 2 yes, 1 no" in body


def test_feedback_buttons_only_under_answers_and_short_enough() -> None:
    answer = ENGINE.answer("latest reviews")
    yes, no = feedback_buttons(answer)
    assert yes.action == "feedback:yes:latest_reviews" and no.action == "feedback:no:latest_reviews"
    assert feedback_buttons(ENGINE.answer("tell me a joke")) == ()
    assert feedback_buttons(Reply(ReplyKind.CLARIFY, (para("Did you mean"),))) == ()
    for intent in INTENTS:  # Telegram's limit on callback data is 64 bytes
        reply = Reply(ReplyKind.ANSWER, (para("x"),), intent=intent)
        assert all(len((b.action or "").encode()) <= 64 for b in feedback_buttons(reply))


@pytest.mark.parametrize(
    ("action", "parsed"),
    [
        ("feedback:yes:latest_reviews", ("latest_reviews", True)),
        ("feedback:no:theme", ("theme", False)),
        ("feedback:maybe:theme", None),
        ("feedback:yes:my pupil Jo", None),
        ("feedback:yes:unknown_intent", None),
        ("review:child-e", None),
        ("feedback", None),
    ],
)
def test_parse_feedback_accepts_only_known_intents(action: str, parsed: tuple[str, bool] | None) -> None:
    assert parse_feedback(action, INTENTS) == parsed


async def test_record_feedback_writes_counts_and_ignores_forged_data(store: Store) -> None:
    assert await record_feedback(store, "feedback:yes:review", INTENTS) is True
    assert await record_feedback(store, "feedback:yes:Jo Bloggs 07700900123", INTENTS) is False
    assert (await store.feedback())["review"].helpful == 1
    assert list(await store.feedback()) == ["review"]


# ----- privacy: a whole conversation -------------------------------------------------------------------
SECRETS = ("Quillfeather", "Thistlewood", "Acacia", "07700", "900123", "Crumpet", "marigold")
CONVERSATION = (
    "Is Zebedee Quillfeather on the Child E review?",
    "my pupil marigold Thistlewood at 7 Acacia Avenue, call 07700 900123",
    "latest reviews",
    "neglect",
    "what is the weather for Barnaby Crumpet tomorrow",
    "Child X",
)


async def _stored_bytes(store: Store) -> bytes:
    """Everything the store holds: the SQLite files byte for byte, or every row of every PostgreSQL table."""
    if isinstance(store, SqliteStore):
        return b"".join(p.read_bytes() for p in sorted(store.path.parent.iterdir()) if p.is_file())
    import psycopg

    assert isinstance(store, PostgresStore)
    async with await psycopg.AsyncConnection.connect(store.conninfo) as db:
        tables = await (
            await db.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).fetchall()
        assert len(tables) >= 6
        rows = [await (await db.execute(f"SELECT t::text FROM {name} t")).fetchall() for (name,) in tables]
    return "\n".join(str(row[0]) for table in rows for row in table).encode()


async def test_no_message_text_reaches_the_logs_or_the_database(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, open_test_store: StoreOpener
) -> None:
    caplog.set_level(logging.DEBUG)
    knowledge = copy_knowledge(tmp_path)
    write_reviews(knowledge, [review("child-x", "Child X", [embargoed_doc("child-x-report", "2026-12-01T09:00:00")])])
    clock = FakeClock(START)
    engine = Engine(load_knowledge(knowledge), clock)
    store = await open_test_store(clock)
    sender = FakeSender()
    announcer = Announcer(store, sender, sleep=FakeSleep())
    stats, unanswered = Stats(clock), UnansweredLog()
    await announcer.run(engine.view())
    await subscribe_command(store, engine.view(), 42, "")
    await subscribe_command(store, engine.view(), 42, "Quillfeather")  # not a topic: nothing stored
    await unsubscribe_command(store, engine.view(), 43, "Thistlewood")
    clock.set(START + dt.timedelta(hours=1))
    for question in CONVERSATION:
        reply = engine.answer(question)
        stats.record(reply)
        unanswered.record(question, reply, Redactor.for_matcher(engine.snapshot().matcher), clock.now)
        for button in feedback_buttons(reply)[:1]:
            await record_feedback(store, button.action or "", engine.snapshot().composer.intents)
        await record_feedback(store, f"feedback:yes:{question}", engine.snapshot().composer.intents)
    assert reload(engine, knowledge).ok
    await announcer.run(engine.view())
    assert [chat for chat, _ in sender.sent] == [42]
    shown_to_admins = plain_text(await stats_reply(stats, store, clock.now)) + plain_text(unanswered_reply(unanswered))
    stored = (await _stored_bytes(store)).lower()
    assert b"review:child-x" in stored  # the dump really holds what the store wrote
    for secret in SECRETS:
        assert secret.lower().encode() not in stored, secret
        assert secret.lower() not in caplog.text.lower(), secret
        # Redaction catches capitalised names; a name typed in lower case is not recognisable as one
        # (documented limit), but it still never reaches a log or the disk.
        if secret[0].isupper() or secret.isdigit():
            assert secret.lower() not in shown_to_admins.lower(), secret
    assert len(unanswered) >= 1  # the unanswerable questions were kept, redacted
