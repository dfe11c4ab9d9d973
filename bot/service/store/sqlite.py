"""The embedded `Store`: one SQLite file in DATA_DIR, for one machine with nothing to set up.

WAL mode and FULL sync; every write is one BEGIN IMMEDIATE transaction, which takes the write lock up
front, so two processes on one file (two starts at once, a test) serialise instead of deadlocking, and the
migrations run under the same lock. The methods are coroutines to satisfy `Store`, and do their work
inline: a local write costs well under a millisecond, less than a hop to a worker thread.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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

DB_NAME = "bot.sqlite3"

# Each entry upgrades the schema by one version; never edit a shipped entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE subscriptions (
        chat_id INTEGER NOT NULL,
        topic TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, topic)
    ) WITHOUT ROWID;
    CREATE TABLE items (
        item_key TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL,
        settled INTEGER NOT NULL DEFAULT 0 CHECK (settled IN (0, 1))
    ) WITHOUT ROWID;
    CREATE INDEX items_pending ON items (settled) WHERE settled = 0;
    CREATE TABLE announced (
        chat_id INTEGER NOT NULL,
        item_key TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        UNIQUE (chat_id, item_key)
    );
    CREATE TABLE feedback (
        intent TEXT NOT NULL,
        helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        count INTEGER NOT NULL,
        PRIMARY KEY (intent, helpful)
    ) WITHOUT ROWID;
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    """
    CREATE TABLE updates (
        update_id INTEGER PRIMARY KEY,
        claimed_at TEXT NOT NULL,
        lease_until TEXT NOT NULL,
        done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1))
    );
    CREATE INDEX updates_claimed ON updates (claimed_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class SqliteStore:
    """The embedded `Store`: one SQLite file in WAL mode, FULL sync, every write one transaction."""

    def __init__(self, path: Path, clock: Callable[[], dt.datetime] = utc_now, busy_timeout_ms: int = 5000) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE in `_write`.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")  # a committed claim survives power loss too
        self._db.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    @classmethod
    def in_dir(cls, data_dir: Path, clock: Callable[[], dt.datetime] = utc_now) -> SqliteStore:
        """The store under DATA_DIR."""
        return cls(data_dir / DB_NAME, clock)

    # ----- plumbing --------------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE takes the write lock up front so it cannot deadlock."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
        with self._lock:
            return list(self._db.execute(sql, params).fetchall())

    def _stamp(self, moment: dt.datetime | None = None) -> str:
        return (moment or self._clock()).astimezone(dt.UTC).isoformat()

    def schema_version(self) -> int:
        return int(self._read("PRAGMA user_version")[0][0])

    def _migrate(self) -> None:
        with self._write() as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StorageError(f"{self.path} has schema version {version}; this bot knows up to {SCHEMA_VERSION}")
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    async def ping(self) -> bool:
        try:
            return self._read("SELECT 1") == [(1,)]
        except sqlite3.Error:
            return False

    async def close(self) -> None:
        with self._lock:
            self._db.close()

    # ----- subscriptions ---------------------------------------------------------------------------
    async def subscribe(self, chat_id: int, topic: Topic) -> bool:
        stored = check_topic(topic)
        with self._write() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO subscriptions (chat_id, topic, created_at) VALUES (?, ?, ?)",
                (chat_id, stored, self._stamp()),
            )
            return cursor.rowcount == 1

    async def unsubscribe(self, chat_id: int, topic: Topic) -> bool:
        stored = check_topic(topic)
        with self._write() as db:
            cursor = db.execute("DELETE FROM subscriptions WHERE chat_id = ? AND topic = ?", (chat_id, stored))
            return cursor.rowcount == 1

    async def unsubscribe_all(self, chat_id: int) -> int:
        with self._write() as db:
            return db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)).rowcount

    async def forget_chat(self, chat_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            db.execute("DELETE FROM announced WHERE chat_id = ?", (chat_id,))

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR IGNORE INTO subscriptions (chat_id, topic, created_at) "
                "SELECT ?, topic, created_at FROM subscriptions WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            db.execute(
                "INSERT OR IGNORE INTO announced (chat_id, item_key, claimed_at) "
                "SELECT ?, item_key, claimed_at FROM announced WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (old_chat_id,))
            db.execute("DELETE FROM announced WHERE chat_id = ?", (old_chat_id,))

    async def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        if chat_id is None:
            rows = self._read("SELECT chat_id, topic FROM subscriptions ORDER BY chat_id, topic")
        else:
            rows = self._read("SELECT chat_id, topic FROM subscriptions WHERE chat_id = ? ORDER BY topic", (chat_id,))
        return [Subscription(int(c), stored_topic(str(t))) for c, t in rows]

    async def subscriber_count(self) -> int:
        return int(self._read("SELECT COUNT(DISTINCT chat_id) FROM subscriptions")[0][0])

    # ----- announcements ---------------------------------------------------------------------------
    async def observe(self, visible: Collection[str]) -> frozenset[str]:
        keys = check_items(visible)
        stamp = self._stamp()
        with self._write() as db:
            baselined = db.execute("SELECT 1 FROM meta WHERE key = 'baseline'").fetchone() is not None
            if not baselined:
                db.executemany(
                    "INSERT OR IGNORE INTO items (item_key, first_seen, settled) VALUES (?, ?, 1)",
                    [(k, stamp) for k in keys],
                )
                db.execute("INSERT INTO meta (key, value) VALUES ('baseline', ?)", (stamp,))
                return frozenset()
            known = {str(row[0]) for row in db.execute("SELECT item_key FROM items")}
            new = [k for k in keys if k not in known]
            db.executemany(
                "INSERT INTO items (item_key, first_seen, settled) VALUES (?, ?, 0)",
                [(k, stamp) for k in new],
            )
            return frozenset(new)

    async def baselined(self) -> bool:
        return bool(self._read("SELECT 1 FROM meta WHERE key = 'baseline'"))

    async def pending(self) -> dict[str, dt.datetime]:
        rows = self._read("SELECT item_key, first_seen FROM items WHERE settled = 0 ORDER BY item_key")
        return {str(k): dt.datetime.fromisoformat(str(s)) for k, s in rows}

    async def settle(self, keys: Collection[str]) -> None:
        checked = check_items(keys)
        with self._write() as db:
            db.executemany("UPDATE items SET settled = 1 WHERE item_key = ?", [(k,) for k in checked])

    async def expire_pending(self, max_age: dt.timedelta) -> frozenset[str]:
        limit = self._clock() - max_age
        with self._write() as db:
            rows = db.execute("SELECT item_key, first_seen FROM items WHERE settled = 0").fetchall()
            expired = [str(k) for k, seen in rows if dt.datetime.fromisoformat(str(seen)) < limit]
            db.executemany("UPDATE items SET settled = 1 WHERE item_key = ?", [(k,) for k in expired])
        return frozenset(expired)

    async def claim(self, chat_id: int, keys: Collection[str]) -> frozenset[str]:
        checked = check_items(keys)
        stamp = self._stamp()
        claimed: list[str] = []
        with self._write() as db:
            for key in checked:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO announced (chat_id, item_key, claimed_at) VALUES (?, ?, ?)",
                    (chat_id, key, stamp),
                )
                if cursor.rowcount == 1:
                    claimed.append(key)
        return frozenset(claimed)

    async def release(self, chat_id: int, keys: Collection[str]) -> None:
        checked = check_items(keys)
        with self._write() as db:
            db.executemany("DELETE FROM announced WHERE chat_id = ? AND item_key = ?", [(chat_id, k) for k in checked])

    async def announced_to(self, chat_id: int) -> frozenset[str]:
        rows = self._read("SELECT item_key FROM announced WHERE chat_id = ?", (chat_id,))
        return frozenset(str(r[0]) for r in rows)

    # ----- updates ---------------------------------------------------------------------------------
    async def claim_update(self, update_id: int, lease: dt.timedelta = UPDATE_LEASE) -> UpdateClaim:
        now = self._clock()
        with self._write() as db:
            row = db.execute("SELECT lease_until, done FROM updates WHERE update_id = ?", (update_id,)).fetchone()
            if row is not None and row[1]:
                return UpdateClaim.DONE
            if row is not None and dt.datetime.fromisoformat(str(row[0])) > now:
                return UpdateClaim.BUSY
            db.execute(
                "INSERT INTO updates (update_id, claimed_at, lease_until, done) VALUES (?, ?, ?, 0) "
                "ON CONFLICT (update_id) DO UPDATE SET lease_until = excluded.lease_until",
                (update_id, self._stamp(now), self._stamp(now + lease)),
            )
        return UpdateClaim.CLAIMED

    async def renew_update(self, update_id: int, lease: dt.timedelta = UPDATE_LEASE) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE updates SET lease_until = ? WHERE update_id = ? AND done = 0",
                (self._stamp(self._clock() + lease), update_id),
            )

    async def finish_update(self, update_id: int) -> None:
        with self._write() as db:
            db.execute("UPDATE updates SET done = 1 WHERE update_id = ?", (update_id,))

    async def prune_updates(self, kept: dt.timedelta = UPDATES_KEPT) -> int:
        with self._write() as db:
            return db.execute("DELETE FROM updates WHERE claimed_at < ?", (self._stamp(self._clock() - kept),)).rowcount

    # ----- feedback --------------------------------------------------------------------------------
    async def record_feedback(self, intent: str, helpful: bool) -> None:
        check_intent(intent)
        with self._write() as db:
            db.execute(
                "INSERT INTO feedback (intent, helpful, count) VALUES (?, ?, 1) "
                "ON CONFLICT (intent, helpful) DO UPDATE SET count = count + 1",
                (intent, int(helpful)),
            )

    async def feedback(self) -> dict[str, FeedbackCount]:
        rows = self._read("SELECT intent, helpful, count FROM feedback ORDER BY intent")
        return feedback_counts([(str(i), bool(h), int(c)) for i, h, c in rows])

    async def integrity_ok(self) -> bool:
        """SQLite's own consistency check (used by the kill-safety test and by support)."""
        return self._read("PRAGMA integrity_check") == [("ok",)]


def _conforms(store: SqliteStore) -> Store:
    """Never called: makes mypy prove that SqliteStore implements the Store protocol."""
    return store
