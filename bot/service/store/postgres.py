"""The shared `Store` for several replicas: PostgreSQL through psycopg 3's async driver and a pool.

Every method takes one pooled connection for one transaction (the pool's block commits or rolls back).
Concurrency between replicas is settled by the database itself: UNIQUE keys with ON CONFLICT decide the
claims (a second INSERT of the same key waits for the first transaction, then finds the row), and
transaction-scoped advisory locks serialise the two operations that read before they write: the
migrations at start (two replicas starting together) and `observe` (the baseline and what is new).
Timestamps come from the store's clock, as in SQLite, so the two stores behave alike under a test clock;
replicas' clocks are assumed synchronised (NTP), which leases of minutes tolerate easily.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection

from psycopg_pool import AsyncConnectionPool

from bot.service.store.base import (
    UPDATES_KEPT,
    FeedbackCount,
    StorageError,
    Store,
    Subscription,
    Topic,
    UpdateClaim,
    check_intent,
    check_items,
    check_topic,
    feedback_counts,
    stored_topic,
    utc_now,
)
from bot.settings import UPDATE_LEASE

log = logging.getLogger(__name__)

# Arbitrary constants naming this bot's advisory locks (pg_advisory_xact_lock takes a bigint).
MIGRATION_LOCK = 0x5245_5649_4557_0001
OBSERVE_LOCK = 0x5245_5649_4557_0002

# Each entry upgrades the schema by one version; never edit a shipped entry, append a new one. The same
# versions as the SQLite store's migrations, table for table.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE subscriptions (
        chat_id BIGINT NOT NULL,
        topic TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (chat_id, topic)
    );
    CREATE TABLE items (
        item_key TEXT PRIMARY KEY,
        first_seen TIMESTAMPTZ NOT NULL,
        settled BOOLEAN NOT NULL DEFAULT false
    );
    CREATE INDEX items_pending ON items (settled) WHERE NOT settled;
    CREATE TABLE announced (
        chat_id BIGINT NOT NULL,
        item_key TEXT NOT NULL,
        claimed_at TIMESTAMPTZ NOT NULL,
        UNIQUE (chat_id, item_key)
    );
    CREATE TABLE feedback (
        intent TEXT NOT NULL,
        helpful BOOLEAN NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (intent, helpful)
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE updates (
        update_id BIGINT PRIMARY KEY,
        claimed_at TIMESTAMPTZ NOT NULL,
        lease_until TIMESTAMPTZ NOT NULL,
        done BOOLEAN NOT NULL DEFAULT false
    );
    CREATE INDEX updates_claimed ON updates (claimed_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

POOL_MIN = 1
POOL_MAX = 10
CONNECT_TIMEOUT = 10.0


class PostgresStore:
    """The PostgreSQL `Store`. Open with `await PostgresStore.connect(conninfo)`; close with `close()`."""

    def __init__(self, pool: AsyncConnectionPool, clock: Callable[[], dt.datetime], conninfo: str) -> None:
        self.conninfo = conninfo
        self._pool = pool
        self._clock = clock
        self._version: int | None = None

    @classmethod
    async def connect(
        cls,
        conninfo: str,
        clock: Callable[[], dt.datetime] = utc_now,
        *,
        min_size: int = POOL_MIN,
        max_size: int = POOL_MAX,
        timeout: float | None = None,
    ) -> PostgresStore:
        """Open the pool, wait for a first connection (up to `timeout` seconds, default CONNECT_TIMEOUT), and
        bring the schema up to date."""
        timeout = CONNECT_TIMEOUT if timeout is None else timeout
        pool = AsyncConnectionPool(conninfo, min_size=min_size, max_size=max_size, timeout=timeout, open=False)
        try:
            await pool.open(wait=True, timeout=timeout)
            store = cls(pool, clock, conninfo)
            await store._migrate()
        except BaseException:
            await pool.close()
            raise
        return store

    # ----- plumbing --------------------------------------------------------------------------------
    async def _migrate(self) -> None:
        """Apply the missing migrations in one transaction, under an advisory lock: a replica starting at
        the same moment waits, then finds the schema current."""
        async with self._pool.connection() as db:
            await db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            await db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = await (await db.execute("SELECT max(version) FROM schema_version")).fetchone()
            version = int(row[0]) if row and row[0] is not None else 0
            if version > SCHEMA_VERSION:
                raise StorageError(f"the database has schema version {version}; this bot knows up to {SCHEMA_VERSION}")
            for number in range(version, SCHEMA_VERSION):
                await db.execute(MIGRATIONS[number].encode())  # several statements: no parameters
                await db.execute("INSERT INTO schema_version (version) VALUES (%s)", (number + 1,))
            self._version = max(version, SCHEMA_VERSION)

    def schema_version(self) -> int | None:
        return self._version

    async def ping(self) -> bool:
        try:
            async with self._pool.connection(timeout=2.0) as db:
                row = await (await db.execute("SELECT 1")).fetchone()
                return row == (1,)
        except Exception:  # any failure means "not answering": the health check says so, never raises
            return False

    async def close(self) -> None:
        await self._pool.close()

    # ----- subscriptions ---------------------------------------------------------------------------
    async def subscribe(self, chat_id: int, topic: Topic) -> bool:
        stored = check_topic(topic)
        async with self._pool.connection() as db:
            cursor = await db.execute(
                "INSERT INTO subscriptions (chat_id, topic, created_at) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (chat_id, stored, self._clock()),
            )
            return cursor.rowcount == 1

    async def unsubscribe(self, chat_id: int, topic: Topic) -> bool:
        stored = check_topic(topic)
        async with self._pool.connection() as db:
            cursor = await db.execute("DELETE FROM subscriptions WHERE chat_id = %s AND topic = %s", (chat_id, stored))
            return cursor.rowcount == 1

    async def unsubscribe_all(self, chat_id: int) -> int:
        async with self._pool.connection() as db:
            cursor = await db.execute("DELETE FROM subscriptions WHERE chat_id = %s", (chat_id,))
            return cursor.rowcount

    async def forget_chat(self, chat_id: int) -> None:
        async with self._pool.connection() as db:
            await db.execute("DELETE FROM subscriptions WHERE chat_id = %s", (chat_id,))
            await db.execute("DELETE FROM announced WHERE chat_id = %s", (chat_id,))

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        async with self._pool.connection() as db:
            await db.execute(
                "INSERT INTO subscriptions (chat_id, topic, created_at) "
                "SELECT %s, topic, created_at FROM subscriptions WHERE chat_id = %s ON CONFLICT DO NOTHING",
                (new_chat_id, old_chat_id),
            )
            await db.execute(
                "INSERT INTO announced (chat_id, item_key, claimed_at) "
                "SELECT %s, item_key, claimed_at FROM announced WHERE chat_id = %s ON CONFLICT DO NOTHING",
                (new_chat_id, old_chat_id),
            )
            await db.execute("DELETE FROM subscriptions WHERE chat_id = %s", (old_chat_id,))
            await db.execute("DELETE FROM announced WHERE chat_id = %s", (old_chat_id,))

    async def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        async with self._pool.connection() as db:
            if chat_id is None:
                cursor = await db.execute("SELECT chat_id, topic FROM subscriptions ORDER BY chat_id, topic")
            else:
                cursor = await db.execute(
                    "SELECT chat_id, topic FROM subscriptions WHERE chat_id = %s ORDER BY topic", (chat_id,)
                )
            rows = await cursor.fetchall()
        return [Subscription(int(c), stored_topic(str(t))) for c, t in rows]

    async def subscriber_count(self) -> int:
        async with self._pool.connection() as db:
            row = await (await db.execute("SELECT count(DISTINCT chat_id) FROM subscriptions")).fetchone()
        return int(row[0]) if row else 0

    # ----- announcements ---------------------------------------------------------------------------
    async def observe(self, visible: Collection[str]) -> frozenset[str]:
        keys = check_items(visible)
        stamp = self._clock()
        async with self._pool.connection() as db:
            await db.execute("SELECT pg_advisory_xact_lock(%s)", (OBSERVE_LOCK,))
            baseline = await (await db.execute("SELECT 1 FROM meta WHERE key = 'baseline'")).fetchone()
            if baseline is None:
                await db.execute(
                    "INSERT INTO items (item_key, first_seen, settled) SELECT k, %s, true FROM unnest(%s::text[]) k "
                    "ON CONFLICT DO NOTHING",
                    (stamp, keys),
                )
                await db.execute("INSERT INTO meta (key, value) VALUES ('baseline', %s)", (stamp.isoformat(),))
                return frozenset()
            cursor = await db.execute(
                "INSERT INTO items (item_key, first_seen, settled) SELECT k, %s, false FROM unnest(%s::text[]) k "
                "ON CONFLICT DO NOTHING RETURNING item_key",
                (stamp, keys),
            )
            return frozenset(str(r[0]) for r in await cursor.fetchall())

    async def baselined(self) -> bool:
        async with self._pool.connection() as db:
            return await (await db.execute("SELECT 1 FROM meta WHERE key = 'baseline'")).fetchone() is not None

    async def pending(self) -> dict[str, dt.datetime]:
        async with self._pool.connection() as db:
            cursor = await db.execute("SELECT item_key, first_seen FROM items WHERE NOT settled ORDER BY item_key")
            return {str(k): seen for k, seen in await cursor.fetchall()}

    async def settle(self, keys: Collection[str]) -> None:
        checked = check_items(keys)
        async with self._pool.connection() as db:
            await db.execute("UPDATE items SET settled = true WHERE item_key = ANY(%s::text[])", (checked,))

    async def expire_pending(self, max_age: dt.timedelta) -> frozenset[str]:
        async with self._pool.connection() as db:
            cursor = await db.execute(
                "UPDATE items SET settled = true WHERE NOT settled AND first_seen < %s RETURNING item_key",
                (self._clock() - max_age,),
            )
            return frozenset(str(r[0]) for r in await cursor.fetchall())

    async def claim(self, chat_id: int, keys: Collection[str]) -> frozenset[str]:
        checked = check_items(keys)
        async with self._pool.connection() as db:
            cursor = await db.execute(
                "INSERT INTO announced (chat_id, item_key, claimed_at) SELECT %s, k, %s FROM unnest(%s::text[]) k "
                "ON CONFLICT DO NOTHING RETURNING item_key",
                (chat_id, self._clock(), checked),
            )
            return frozenset(str(r[0]) for r in await cursor.fetchall())

    async def release(self, chat_id: int, keys: Collection[str]) -> None:
        checked = check_items(keys)
        async with self._pool.connection() as db:
            await db.execute(
                "DELETE FROM announced WHERE chat_id = %s AND item_key = ANY(%s::text[])", (chat_id, checked)
            )

    async def announced_to(self, chat_id: int) -> frozenset[str]:
        async with self._pool.connection() as db:
            cursor = await db.execute("SELECT item_key FROM announced WHERE chat_id = %s", (chat_id,))
            return frozenset(str(r[0]) for r in await cursor.fetchall())

    # ----- updates ---------------------------------------------------------------------------------
    async def claim_update(self, update_id: int, lease: dt.timedelta = UPDATE_LEASE) -> UpdateClaim:
        """One statement decides: a new row, or a takeover of an expired lease, returns the row; a concurrent
        claimer of the same id waits on the row lock, then re-checks the WHERE and gets nothing."""
        now = self._clock()
        async with self._pool.connection() as db:
            cursor = await db.execute(
                "INSERT INTO updates AS u (update_id, claimed_at, lease_until, done) VALUES (%s, %s, %s, false) "
                "ON CONFLICT (update_id) DO UPDATE SET lease_until = excluded.lease_until "
                "WHERE NOT u.done AND u.lease_until <= %s RETURNING update_id",
                (update_id, now, now + lease, now),
            )
            if await cursor.fetchone() is not None:
                return UpdateClaim.CLAIMED
            row = await (await db.execute("SELECT done FROM updates WHERE update_id = %s", (update_id,))).fetchone()
        return UpdateClaim.DONE if row is not None and row[0] else UpdateClaim.BUSY

    async def renew_update(self, update_id: int, lease: dt.timedelta = UPDATE_LEASE) -> None:
        async with self._pool.connection() as db:
            await db.execute(
                "UPDATE updates SET lease_until = %s WHERE update_id = %s AND NOT done",
                (self._clock() + lease, update_id),
            )

    async def finish_update(self, update_id: int) -> None:
        async with self._pool.connection() as db:
            await db.execute("UPDATE updates SET done = true WHERE update_id = %s", (update_id,))

    async def prune_updates(self, kept: dt.timedelta = UPDATES_KEPT) -> int:
        async with self._pool.connection() as db:
            cursor = await db.execute("DELETE FROM updates WHERE claimed_at < %s", (self._clock() - kept,))
            return cursor.rowcount

    # ----- feedback --------------------------------------------------------------------------------
    async def record_feedback(self, intent: str, helpful: bool) -> None:
        check_intent(intent)
        async with self._pool.connection() as db:
            await db.execute(
                "INSERT INTO feedback AS f (intent, helpful, count) VALUES (%s, %s, 1) "
                "ON CONFLICT (intent, helpful) DO UPDATE SET count = f.count + 1",
                (intent, helpful),
            )

    async def feedback(self) -> dict[str, FeedbackCount]:
        async with self._pool.connection() as db:
            cursor = await db.execute("SELECT intent, helpful, count FROM feedback ORDER BY intent")
            rows = await cursor.fetchall()
        return feedback_counts([(str(i), bool(h), int(c)) for i, h, c in rows])

    async def integrity_ok(self) -> bool:
        """The invariants the schema cannot state: every claim and subscription row well formed, no
        update done without having been claimed. (PostgreSQL guards its own pages; this checks ours.)"""
        async with self._pool.connection() as db:
            cursor = await db.execute(
                "SELECT (SELECT count(*) FROM announced WHERE item_key !~ '^(review|document):') "
                "+ (SELECT count(*) FROM updates WHERE lease_until < claimed_at)"
            )
            row = await cursor.fetchone()
        return row is not None and int(row[0]) == 0


def _conforms(store: PostgresStore) -> Store:
    """Never called: makes mypy prove that PostgresStore implements the Store protocol."""
    return store
