"""The SQLite store: subscriptions, exactly-once claims, baseline, feedback, schema, durability."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.service.store import DB_NAME, SCHEMA_VERSION, FeedbackCount, SqliteStore, StorageError, Subscription

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "bot.sqlite3")
    yield opened
    opened.close()


def _pragma(path: Path, name: str) -> object:
    with sqlite3.connect(path) as db:
        return db.execute(f"PRAGMA {name}").fetchone()[0]


def test_new_database_is_versioned_and_in_wal_mode(store: SqliteStore) -> None:
    assert store.schema_version() == SCHEMA_VERSION >= 1
    assert _pragma(store.path, "journal_mode") == "wal"
    assert _pragma(store.path, "user_version") == SCHEMA_VERSION


def test_in_dir_uses_the_data_directory(tmp_path: Path) -> None:
    opened = SqliteStore.in_dir(tmp_path / "data")
    try:
        assert opened.path == tmp_path / "data" / DB_NAME
        assert opened.path.exists()
    finally:
        opened.close()


def test_a_database_from_a_newer_bot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match="schema version"):
        SqliteStore(path)


def test_subscriptions_are_unique_per_chat_and_topic(store: SqliteStore) -> None:
    assert store.subscribe(1, None) is True
    assert store.subscribe(1, None) is False  # NULL would defeat UNIQUE; the store must not
    assert store.subscribe(1, "theme:neglect") is True
    assert store.subscribe(2, "partnership:lscpb") is True
    assert store.subscriptions(1) == [Subscription(1, None), Subscription(1, "theme:neglect")]
    assert store.subscriber_count() == 2
    assert store.unsubscribe(1, "theme:neglect") is True
    assert store.unsubscribe(1, "theme:neglect") is False
    assert store.unsubscribe_all(1) == 1
    assert store.subscriptions() == [Subscription(2, "partnership:lscpb")]


@pytest.mark.parametrize("topic", ["neglect", "theme:", "theme:Neglect", "user text", "theme:a b"])
def test_only_topic_ids_are_stored(store: SqliteStore, topic: str) -> None:
    with pytest.raises(ValueError):
        store.subscribe(1, topic)
    assert store.subscriptions() == []


def test_claims_are_exactly_once_and_a_release_allows_a_retry(store: SqliteStore) -> None:
    assert store.claim(7, ["review:a", "document:a-report"]) == {"review:a", "document:a-report"}
    assert store.claim(7, ["review:a", "document:a-report", "review:b"]) == {"review:b"}
    assert store.claim(8, ["review:a"]) == {"review:a"}  # another chat is another claim
    store.release(7, ["review:b"])
    assert store.claim(7, ["review:b"]) == {"review:b"}
    assert store.announced_to(7) == {"review:a", "document:a-report", "review:b"}


def test_claims_hold_across_connections_and_restarts(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    first, second = SqliteStore(path), SqliteStore(path)
    try:
        assert first.claim(1, ["review:x"]) == {"review:x"}
        assert second.claim(1, ["review:x"]) == frozenset()
    finally:
        first.close()
        second.close()
    reopened = SqliteStore(path)
    try:
        assert reopened.claim(1, ["review:x"]) == frozenset()
    finally:
        reopened.close()


def test_item_keys_are_checked_so_no_text_can_slip_in(store: SqliteStore) -> None:
    with pytest.raises(ValueError):
        store.claim(1, ["is my pupil Jo Bloggs safe"])
    with pytest.raises(ValueError):
        store.observe(["review:ok", "free text"])


def test_first_observation_is_the_baseline_then_new_items_are_pending(store: SqliteStore) -> None:
    assert store.observe(["review:old", "document:old-report"]) == frozenset()
    assert store.pending() == {}
    assert store.observe(["review:old", "document:old-report", "review:new"]) == {"review:new"}
    assert store.observe(["review:old", "review:new"]) == frozenset()  # seen once is enough
    assert set(store.pending()) == {"review:new"}
    store.settle(["review:new"])
    assert store.pending() == {}
    assert store.observe(["review:new"]) == frozenset()


def test_an_empty_first_start_is_still_a_baseline(store: SqliteStore) -> None:
    assert store.observe([]) == frozenset()
    assert store.baselined()
    assert store.observe(["review:first"]) == {"review:first"}


def test_pending_items_record_when_they_were_first_seen(tmp_path: Path) -> None:
    moment = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    opened = SqliteStore(tmp_path / "bot.sqlite3", clock=lambda: moment)
    try:
        opened.observe([])
        opened.observe(["review:x"])
        assert opened.pending() == {"review:x": moment}
    finally:
        opened.close()


def test_forgetting_a_chat_removes_its_subscriptions_and_records(store: SqliteStore) -> None:
    store.subscribe(5, None)
    store.subscribe(5, "theme:neglect")
    store.subscribe(6, None)
    store.claim(5, ["review:a"])
    store.forget_chat(5)
    assert store.subscriptions() == [Subscription(6, None)]
    assert store.announced_to(5) == frozenset()


def test_a_migrated_group_keeps_its_subscriptions_and_records_under_its_new_id(store: SqliteStore) -> None:
    store.subscribe(-5, None)
    store.subscribe(-5, "theme:neglect")
    store.subscribe(-100, "theme:neglect")  # the new id already had one: kept once
    store.subscribe(6, None)
    store.claim(-5, ["review:a"])
    store.move_chat(-5, -100)
    assert store.subscriptions() == [
        Subscription(-100, None),
        Subscription(-100, "theme:neglect"),
        Subscription(6, None),
    ]
    assert store.announced_to(-5) == frozenset()
    assert store.claim(-100, ["review:a", "review:b"]) == frozenset({"review:b"})  # still exactly once


def test_feedback_counts_per_intent(store: SqliteStore) -> None:
    store.record_feedback("latest_reviews", True)
    store.record_feedback("latest_reviews", True)
    store.record_feedback("latest_reviews", False)
    store.record_feedback("theme", False)
    assert store.feedback() == {"latest_reviews": FeedbackCount(2, 1), "theme": FeedbackCount(0, 1)}


@pytest.mark.parametrize("intent", ["Latest", "my child's name is Jo", "", "x" * 41])
def test_feedback_refuses_anything_but_an_intent_id(store: SqliteStore, intent: str) -> None:
    with pytest.raises(ValueError):
        store.record_feedback(intent, True)
    assert store.feedback() == {}


def test_a_failed_transaction_leaves_nothing_behind(store: SqliteStore) -> None:
    with pytest.raises(RuntimeError), store._write() as db:
        db.execute("INSERT INTO subscriptions (chat_id, topic, created_at) VALUES (9, '*', 'x')")
        raise RuntimeError("crash in the middle")
    assert store.subscriptions() == []
    assert store.subscribe(9, None) is True  # the connection is usable afterwards


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from bot.service.store import SqliteStore

    store = SqliteStore(Path(sys.argv[1]))
    store.observe([])
    chat = 0
    while True:
        store.claim(chat, [f"document:d{chat}-{n}" for n in range(25)])
        store.subscribe(chat, None)
        print(chat, flush=True)
        chat += 1
    """
)


def test_killing_the_process_mid_write_leaves_a_consistent_database(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    committed = [int(child.stdout.readline()) for _ in range(40)]
    child.send_signal(signal.SIGKILL)  # no cleanup, no final commit: as hard as a crash gets
    child.wait()
    child.stdout.close()
    reopened = SqliteStore(path)
    try:
        assert reopened.integrity_ok()
        subscribed = {s.chat_id for s in reopened.subscriptions()}
        assert set(committed) <= subscribed  # everything reported as committed survived
        for chat in subscribed | {max(subscribed) + 1}:
            claims = len(reopened.announced_to(chat))
            assert claims in {0, 25}, f"chat {chat} has a torn claim of {claims} rows"
            if chat in subscribed:
                assert claims == 25
    finally:
        reopened.close()


def test_items_pending_too_long_are_expired_by_the_store_clock(tmp_path: Path) -> None:
    now = [dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)]
    opened = SqliteStore(tmp_path / "bot.sqlite3", clock=lambda: now[0])
    try:
        opened.observe([])
        opened.observe(["review:old"])
        now[0] += dt.timedelta(hours=2)
        opened.observe(["review:old", "review:young"])
        assert opened.expire_pending(dt.timedelta(hours=1)) == {"review:old"}
        assert set(opened.pending()) == {"review:young"}
    finally:
        opened.close()
