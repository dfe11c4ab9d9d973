"""The stores: subscriptions, exactly-once claims, update claims, baseline, feedback, schema, durability.

Every test taking `store` or `open_test_store` runs twice: on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.service.store import (
    DB_NAME,
    SCHEMA_VERSION,
    FeedbackCount,
    SqliteStore,
    StorageError,
    Store,
    Subscription,
    UpdateClaim,
    open_store,
)
from bot.service.store import postgres as pg
from bot.settings import Settings
from tests.conftest import StoreOpener, postgres_schema, postgres_url

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def _pragma(path: Path, name: str) -> object:
    with sqlite3.connect(path) as db:
        return db.execute(f"PRAGMA {name}").fetchone()[0]


# ----- schema -------------------------------------------------------------------------------------------
async def test_both_stores_have_the_same_schema_versions(store: Store) -> None:
    assert SCHEMA_VERSION == pg.SCHEMA_VERSION >= 2
    assert store.schema_version() == SCHEMA_VERSION


async def test_a_new_sqlite_database_is_in_wal_mode(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "bot.sqlite3")
    try:
        assert _pragma(store.path, "journal_mode") == "wal"
        assert _pragma(store.path, "user_version") == SCHEMA_VERSION
    finally:
        await store.close()


async def test_open_store_picks_sqlite_in_the_data_directory_without_database_url(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "data")
    try:
        assert isinstance(store, SqliteStore)
        assert store.path == tmp_path / "data" / DB_NAME
        assert store.path.exists()
    finally:
        await store.close()


async def test_open_store_picks_postgresql_with_database_url() -> None:
    store = await open_store(Path("unused"), Settings.from_env({"DATABASE_URL": postgres_url()}).database_url)
    try:
        assert isinstance(store, pg.PostgresStore)
        assert await store.ping()
    finally:
        await store.close()


async def test_a_database_url_that_cannot_be_reached_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg, "CONNECT_TIMEOUT", 1.0)  # no server there: do not wait the full 10 s for it
    url = f"postgresql://bot:s3cret-password@/nothing?host={tmp_path}"
    with pytest.raises(ConfigError, match="DATABASE_URL cannot be used") as caught:
        await open_store(tmp_path, Settings.from_env({"DATABASE_URL": url}).database_url)
    assert "s3cret-password" not in str(caught.value)


async def test_a_sqlite_database_from_a_newer_bot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match="schema version"):
        SqliteStore(path)


async def test_a_postgresql_database_from_a_newer_bot_is_refused() -> None:
    import psycopg

    with postgres_schema() as conninfo:
        store = await pg.PostgresStore.connect(conninfo)
        await store.close()
        with psycopg.connect(conninfo, autocommit=True) as db:
            db.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION + 1,))
        with pytest.raises(StorageError, match="schema version"):
            await pg.PostgresStore.connect(conninfo)


async def test_replicas_starting_together_migrate_once(open_test_store: StoreOpener) -> None:
    stores = await asyncio.gather(*(open_test_store() for _ in range(4)))
    assert {s.schema_version() for s in stores} == {SCHEMA_VERSION}
    assert await stores[0].subscribe(1, None) is True
    assert await stores[3].subscribe(1, None) is False


async def test_an_old_sqlite_database_is_migrated_in_place(tmp_path: Path) -> None:
    from bot.service.store.sqlite import MIGRATIONS

    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:  # what the first released bot wrote
        db.executescript(MIGRATIONS[0])
        db.execute("INSERT INTO subscriptions VALUES (5, '*', 'x')")
        db.execute("PRAGMA user_version = 1")
    store = SqliteStore(path)
    try:
        assert store.schema_version() == SCHEMA_VERSION
        assert await store.subscriptions() == [Subscription(5, None)]
        assert await store.claim_update(1) is UpdateClaim.CLAIMED
    finally:
        await store.close()


# ----- subscriptions -----------------------------------------------------------------------------------
async def test_subscriptions_are_unique_per_chat_and_topic(store: Store) -> None:
    assert await store.subscribe(1, None) is True
    assert await store.subscribe(1, None) is False  # NULL would defeat UNIQUE; the store must not
    assert await store.subscribe(1, "theme:neglect") is True
    assert await store.subscribe(2, "partnership:lscpb") is True
    assert await store.subscriptions(1) == [Subscription(1, None), Subscription(1, "theme:neglect")]
    assert await store.subscriber_count() == 2
    assert await store.unsubscribe(1, "theme:neglect") is True
    assert await store.unsubscribe(1, "theme:neglect") is False
    assert await store.unsubscribe_all(1) == 1
    assert await store.subscriptions() == [Subscription(2, "partnership:lscpb")]


async def test_telegram_sized_chat_ids_fit(store: Store) -> None:
    assert await store.subscribe(-1001234567890123, None) is True
    assert await store.subscriptions() == [Subscription(-1001234567890123, None)]


@pytest.mark.parametrize("topic", ["neglect", "theme:", "theme:Neglect", "user text", "theme:a b"])
async def test_only_topic_ids_are_stored(store: Store, topic: str) -> None:
    with pytest.raises(ValueError):
        await store.subscribe(1, topic)
    assert await store.subscriptions() == []


# ----- announcement claims -----------------------------------------------------------------------------
async def test_claims_are_exactly_once_and_a_release_allows_a_retry(store: Store) -> None:
    assert await store.claim(7, ["review:a", "document:a-report"]) == {"review:a", "document:a-report"}
    assert await store.claim(7, ["review:a", "document:a-report", "review:b"]) == {"review:b"}
    assert await store.claim(8, ["review:a"]) == {"review:a"}  # another chat is another claim
    await store.release(7, ["review:b"])
    assert await store.claim(7, ["review:b"]) == {"review:b"}
    assert await store.announced_to(7) == {"review:a", "document:a-report", "review:b"}


async def test_claims_hold_across_connections_and_restarts(open_test_store: StoreOpener) -> None:
    first, second = await open_test_store(), await open_test_store()
    assert await first.claim(1, ["review:x"]) == {"review:x"}
    assert await second.claim(1, ["review:x"]) == frozenset()
    await first.close()
    await second.close()
    reopened = await open_test_store()
    assert await reopened.claim(1, ["review:x"]) == frozenset()


async def test_concurrent_claims_of_one_item_grant_it_once(open_test_store: StoreOpener) -> None:
    stores = [await open_test_store() for _ in range(3)]
    results = await asyncio.gather(*(s.claim(chat, ["review:x"]) for s in stores for chat in (1, 2) * 5))
    assert sum(len(r) for r in results) == 2  # once for chat 1, once for chat 2


async def test_item_keys_are_checked_so_no_text_can_slip_in(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.claim(1, ["is my pupil Jo Bloggs safe"])
    with pytest.raises(ValueError):
        await store.observe(["review:ok", "free text"])


# ----- items: baseline, pending, settled ---------------------------------------------------------------
async def test_first_observation_is_the_baseline_then_new_items_are_pending(store: Store) -> None:
    assert await store.observe(["review:old", "document:old-report"]) == frozenset()
    assert await store.pending() == {}
    assert await store.observe(["review:old", "document:old-report", "review:new"]) == {"review:new"}
    assert await store.observe(["review:old", "review:new"]) == frozenset()  # seen once is enough
    assert set(await store.pending()) == {"review:new"}
    await store.settle(["review:new"])
    assert await store.pending() == {}
    assert await store.observe(["review:new"]) == frozenset()


async def test_an_empty_first_start_is_still_a_baseline(store: Store) -> None:
    assert await store.observe([]) == frozenset()
    assert await store.baselined()
    assert await store.observe(["review:first"]) == {"review:first"}


async def test_replicas_observing_at_once_record_one_baseline(open_test_store: StoreOpener) -> None:
    stores = [await open_test_store() for _ in range(3)]
    await asyncio.gather(*(s.observe(["review:old"]) for s in stores))
    assert await stores[0].pending() == {}
    news = await asyncio.gather(*(s.observe(["review:old", "review:new"]) for s in stores))
    assert sorted(len(n) for n in news) == [0, 0, 1]  # one of them saw it first; it is pending once


async def test_pending_items_record_when_they_were_first_seen(open_test_store: StoreOpener) -> None:
    clock = Clock()
    store = await open_test_store(clock)
    await store.observe([])
    await store.observe(["review:x"])
    assert await store.pending() == {"review:x": clock.now}


async def test_items_pending_too_long_are_expired_by_the_store_clock(open_test_store: StoreOpener) -> None:
    clock = Clock()
    store = await open_test_store(clock)
    await store.observe([])
    await store.observe(["review:old"])
    clock.now += dt.timedelta(hours=2)
    await store.observe(["review:old", "review:young"])
    assert await store.expire_pending(dt.timedelta(hours=1)) == {"review:old"}
    assert set(await store.pending()) == {"review:young"}


# ----- chats ---------------------------------------------------------------------------------------------
async def test_forgetting_a_chat_removes_its_subscriptions_and_records(store: Store) -> None:
    await store.subscribe(5, None)
    await store.subscribe(5, "theme:neglect")
    await store.subscribe(6, None)
    await store.claim(5, ["review:a"])
    await store.forget_chat(5)
    assert await store.subscriptions() == [Subscription(6, None)]
    assert await store.announced_to(5) == frozenset()


async def test_a_migrated_group_keeps_its_subscriptions_and_records_under_its_new_id(store: Store) -> None:
    await store.subscribe(-5, None)
    await store.subscribe(-5, "theme:neglect")
    await store.subscribe(-100, "theme:neglect")  # the new id already had one: kept once
    await store.subscribe(6, None)
    await store.claim(-5, ["review:a"])
    await store.move_chat(-5, -100)
    assert await store.subscriptions() == [
        Subscription(-100, None),
        Subscription(-100, "theme:neglect"),
        Subscription(6, None),
    ]
    assert await store.announced_to(-5) == frozenset()
    assert await store.claim(-100, ["review:a", "review:b"]) == frozenset({"review:b"})  # still exactly once


# ----- update claims -------------------------------------------------------------------------------------
async def test_an_update_is_claimed_once_then_done(store: Store) -> None:
    assert await store.claim_update(100) is UpdateClaim.CLAIMED
    assert await store.claim_update(100) is UpdateClaim.BUSY  # in flight: try again later
    await store.finish_update(100)
    assert await store.claim_update(100) is UpdateClaim.DONE
    assert await store.claim_update(101) is UpdateClaim.CLAIMED  # another update is another claim


async def test_an_expired_lease_is_taken_over_and_a_done_update_never(open_test_store: StoreOpener) -> None:
    clock = Clock()
    dead, alive = await open_test_store(clock), await open_test_store(clock)
    lease = dt.timedelta(seconds=30)
    assert await dead.claim_update(7, lease) is UpdateClaim.CLAIMED
    assert await dead.claim_update(8, lease) is UpdateClaim.CLAIMED
    await dead.finish_update(8)
    clock.now += dt.timedelta(seconds=29)
    assert await alive.claim_update(7, lease) is UpdateClaim.BUSY
    clock.now += dt.timedelta(seconds=2)
    assert await alive.claim_update(7, lease) is UpdateClaim.CLAIMED  # the dead replica's lease expired
    assert await dead.claim_update(7, lease) is UpdateClaim.BUSY  # and now it is the new holder's
    assert await alive.claim_update(8, lease) is UpdateClaim.DONE
    clock.now += dt.timedelta(hours=1)
    assert await alive.claim_update(8, lease) is UpdateClaim.DONE  # done is done, however long ago


async def test_a_renewed_lease_holds_and_a_done_update_is_not_renewed(open_test_store: StoreOpener) -> None:
    clock = Clock()
    slow, other = await open_test_store(clock), await open_test_store(clock)
    lease = dt.timedelta(seconds=30)
    assert await slow.claim_update(5, lease) is UpdateClaim.CLAIMED
    clock.now += dt.timedelta(seconds=25)
    await slow.renew_update(5, lease)  # still answering
    clock.now += dt.timedelta(seconds=25)  # 50 s after the claim, 25 s after the renewal
    assert await other.claim_update(5, lease) is UpdateClaim.BUSY
    await slow.finish_update(5)
    await slow.renew_update(5, lease)
    clock.now += dt.timedelta(hours=1)
    assert await other.claim_update(5, lease) is UpdateClaim.DONE


async def test_concurrent_deliveries_of_one_update_are_claimed_once(open_test_store: StoreOpener) -> None:
    stores = [await open_test_store() for _ in range(3)]
    results = await asyncio.gather(*(s.claim_update(n) for n in range(20) for s in stores for _ in range(2)))
    assert results.count(UpdateClaim.CLAIMED) == 20
    assert set(results) == {UpdateClaim.CLAIMED, UpdateClaim.BUSY}


async def test_old_update_claims_are_pruned(open_test_store: StoreOpener) -> None:
    clock = Clock()
    store = await open_test_store(clock)
    await store.claim_update(1)
    await store.finish_update(1)
    clock.now += dt.timedelta(days=3)
    await store.claim_update(2)
    assert await store.prune_updates(dt.timedelta(days=2)) == 1
    assert await store.claim_update(2) is UpdateClaim.BUSY  # the young one stays


# ----- feedback ----------------------------------------------------------------------------------------
async def test_feedback_counts_per_intent(store: Store) -> None:
    await store.record_feedback("latest_reviews", True)
    await store.record_feedback("latest_reviews", True)
    await store.record_feedback("latest_reviews", False)
    await store.record_feedback("theme", False)
    assert await store.feedback() == {"latest_reviews": FeedbackCount(2, 1), "theme": FeedbackCount(0, 1)}


async def test_feedback_from_replicas_at_once_is_all_counted(open_test_store: StoreOpener) -> None:
    stores = [await open_test_store() for _ in range(3)]
    await asyncio.gather(*(s.record_feedback("theme", True) for s in stores for _ in range(10)))
    assert await stores[0].feedback() == {"theme": FeedbackCount(30, 0)}


@pytest.mark.parametrize("intent", ["Latest", "my child's name is Jo", "", "x" * 41])
async def test_feedback_refuses_anything_but_an_intent_id(store: Store, intent: str) -> None:
    with pytest.raises(ValueError):
        await store.record_feedback(intent, True)
    assert await store.feedback() == {}


# ----- health and durability ---------------------------------------------------------------------------
async def test_a_store_answers_its_ping_until_closed(open_test_store: StoreOpener) -> None:
    store = await open_test_store()
    assert await store.ping() is True
    await store.close()
    assert await store.ping() is False


async def test_a_failed_sqlite_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "bot.sqlite3")
    try:
        with pytest.raises(RuntimeError), store._write() as db:
            db.execute("INSERT INTO subscriptions (chat_id, topic, created_at) VALUES (9, '*', 'x')")
            raise RuntimeError("crash in the middle")
        assert await store.subscriptions() == []
        assert await store.subscribe(9, None) is True  # the connection is usable afterwards
    finally:
        await store.close()


WRITER = textwrap.dedent(
    """
    import asyncio
    import sys
    from pathlib import Path
    from bot.service.store import SqliteStore
    from bot.service.store.postgres import PostgresStore

    async def main(target: str) -> None:
        if target.startswith("sqlite:"):
            store = SqliteStore(Path(target.removeprefix("sqlite:")))
        else:
            store = await PostgresStore.connect(target)
        await store.observe([])
        chat = 0
        while True:
            await store.claim(chat, [f"document:d{chat}-{n}" for n in range(25)])
            await store.subscribe(chat, None)
            print(chat, flush=True)
            chat += 1

    asyncio.run(main(sys.argv[1]))
    """
)


async def test_killing_the_process_mid_write_leaves_a_consistent_database(
    store_kind: str, open_test_store: StoreOpener, tmp_path: Path
) -> None:
    store = await open_test_store()  # creates the database (and, for PostgreSQL, the test's schema)
    target = f"sqlite:{store.path}" if isinstance(store, SqliteStore) else _conninfo_of(store)
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, target],
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
    reopened = await open_test_store()
    assert await reopened.integrity_ok()  # type: ignore[attr-defined]
    subscribed = {s.chat_id for s in await reopened.subscriptions()}
    assert set(committed) <= subscribed  # everything reported as committed survived
    for chat in subscribed | {max(subscribed) + 1}:
        claims = len(await reopened.announced_to(chat))
        assert claims in {0, 25}, f"chat {chat} has a torn claim of {claims} rows"
        if chat in subscribed:
            assert claims == 25


def _conninfo_of(store: Store) -> str:
    assert isinstance(store, pg.PostgresStore)
    return store.conninfo
