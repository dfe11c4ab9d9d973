"""What the bot keeps on disk: subscriptions, what was announced to whom, and feedback counts.

Behind the `Store` protocol so a server database can replace the embedded SQLite later; nothing here
is SQLite-specific in its signatures. No message text is ever stored: only chat ids, topic ids, item
keys (``review:child-e``), intent ids and counts.

Exactly-once announcing rests on three tables:

* ``items``: every review or document key the bot has seen visible, pending until its fan-out is done,
  then settled. A settled item is never announced again, across restarts.
* ``announced``: one row per (chat, item), UNIQUE, written *before* the message is sent ("claim before
  send"). A second run, a coinciding release or a restart cannot send the same item to the same chat
  twice, because the database refuses the second claim.
* ``meta``: the baseline flag (the very first start records what is already public as settled).

Trade-off of claim-before-send: if the process dies after the claim commits and before Telegram has
the message, that one message is lost (at most once). The other order (send, then record) would
instead send a duplicate after such a crash. A missed announcement is the lesser harm here (the review
is still found by asking), and any send that fails *visibly* releases its claim so it is retried.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.errors import ReviewsBotError

Topic = str | None
"""None (everything), ``theme:<id>`` or ``partnership:<id>``."""

EVERYTHING = "*"
"""How the None topic is stored: SQL treats NULLs as distinct, so UNIQUE would not hold for them."""

_TOPIC = re.compile(r"^(?:theme|partnership):[a-z0-9]+(?:-[a-z0-9]+)*$")
_ITEM = re.compile(r"^(?:review|document):[a-z0-9]+(?:-[a-z0-9]+)*$")
_INTENT = re.compile(r"^[a-z_]{1,40}$")

DB_NAME = "bot.sqlite3"


class StorageError(ReviewsBotError):
    """The database cannot be used (e.g. written by a newer version of the bot)."""


@dataclass(frozen=True, order=True)
class Subscription:
    chat_id: int
    topic: Topic


@dataclass(frozen=True)
class FeedbackCount:
    helpful: int = 0
    not_helpful: int = 0


class Store(Protocol):
    """The persistence the lifecycle needs; every method is one atomic transaction."""

    def subscribe(self, chat_id: int, topic: Topic) -> bool:
        """Add a subscription; False if the chat already had it."""
        ...

    def unsubscribe(self, chat_id: int, topic: Topic) -> bool:
        """Remove one subscription; False if the chat did not have it."""
        ...

    def unsubscribe_all(self, chat_id: int) -> int:
        """Remove every subscription of a chat; how many there were."""
        ...

    def forget_chat(self, chat_id: int) -> None:
        """Drop everything about a chat (it blocked the bot): subscriptions and announcement records."""
        ...

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup with a new id: its subscriptions and announcement records follow it."""
        ...

    def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """One chat's subscriptions, or everybody's when chat_id is None."""
        ...

    def subscriber_count(self) -> int:
        """Distinct chats with at least one subscription."""
        ...

    def observe(self, visible: Collection[str]) -> frozenset[str]:
        """Record items visible now; returns those never seen before, now pending. The first call ever
        records everything as settled (the baseline) and returns nothing."""
        ...

    def pending(self) -> dict[str, dt.datetime]:
        """Items seen but not yet fully announced, with when they were first seen."""
        ...

    def settle(self, keys: Collection[str]) -> None:
        """Mark items as fully announced: never announced again."""
        ...

    def expire_pending(self, max_age: dt.timedelta) -> frozenset[str]:
        """Settle items pending for longer than `max_age` (by the store's clock); returns them."""
        ...

    def claim(self, chat_id: int, keys: Collection[str]) -> frozenset[str]:
        """Claim the right to announce `keys` to a chat; returns the subset not claimed before."""
        ...

    def release(self, chat_id: int, keys: Collection[str]) -> None:
        """Undo a claim after a send that visibly failed, so a later run retries it."""
        ...

    def record_feedback(self, intent: str, helpful: bool) -> None:
        """Count one 'Helpful? yes/no' tap for an intent."""
        ...

    def feedback(self) -> dict[str, FeedbackCount]:
        """Feedback counts per intent."""
        ...

    def close(self) -> None: ...


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
)
SCHEMA_VERSION = len(MIGRATIONS)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check_topic(topic: Topic) -> str:
    if topic is None:
        return EVERYTHING
    if not _TOPIC.match(topic):
        raise ValueError(f"not a topic: {topic!r}")
    return topic


def _check_items(keys: Collection[str]) -> list[str]:
    """Refuse anything that is not an item key, so no free text can reach the database by mistake."""
    bad = [k for k in keys if not _ITEM.match(k)]
    if bad:
        raise ValueError(f"not item keys: {bad!r}")
    return sorted(set(keys))


class SqliteStore:
    """The embedded `Store`: one SQLite file in WAL mode, FULL sync, every write one transaction."""

    def __init__(self, path: Path, clock: Callable[[], dt.datetime] = _utc_now, busy_timeout_ms: int = 5000) -> None:
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
    def in_dir(cls, data_dir: Path, clock: Callable[[], dt.datetime] = _utc_now) -> SqliteStore:
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

    def _stamp(self) -> str:
        return self._clock().astimezone(dt.UTC).isoformat()

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

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ----- subscriptions ---------------------------------------------------------------------------
    def subscribe(self, chat_id: int, topic: Topic) -> bool:
        stored = _check_topic(topic)
        with self._write() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO subscriptions (chat_id, topic, created_at) VALUES (?, ?, ?)",
                (chat_id, stored, self._stamp()),
            )
            return cursor.rowcount == 1

    def unsubscribe(self, chat_id: int, topic: Topic) -> bool:
        stored = _check_topic(topic)
        with self._write() as db:
            cursor = db.execute("DELETE FROM subscriptions WHERE chat_id = ? AND topic = ?", (chat_id, stored))
            return cursor.rowcount == 1

    def unsubscribe_all(self, chat_id: int) -> int:
        with self._write() as db:
            return db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)).rowcount

    def forget_chat(self, chat_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            db.execute("DELETE FROM announced WHERE chat_id = ?", (chat_id,))

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
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

    def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        if chat_id is None:
            rows = self._read("SELECT chat_id, topic FROM subscriptions ORDER BY chat_id, topic")
        else:
            rows = self._read("SELECT chat_id, topic FROM subscriptions WHERE chat_id = ? ORDER BY topic", (chat_id,))
        return [Subscription(int(c), None if t == EVERYTHING else str(t)) for c, t in rows]

    def subscriber_count(self) -> int:
        return int(self._read("SELECT COUNT(DISTINCT chat_id) FROM subscriptions")[0][0])

    # ----- announcements ---------------------------------------------------------------------------
    def observe(self, visible: Collection[str]) -> frozenset[str]:
        keys = _check_items(visible)
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

    def baselined(self) -> bool:
        return bool(self._read("SELECT 1 FROM meta WHERE key = 'baseline'"))

    def pending(self) -> dict[str, dt.datetime]:
        rows = self._read("SELECT item_key, first_seen FROM items WHERE settled = 0 ORDER BY item_key")
        return {str(k): dt.datetime.fromisoformat(str(s)) for k, s in rows}

    def settle(self, keys: Collection[str]) -> None:
        checked = _check_items(keys)
        with self._write() as db:
            db.executemany("UPDATE items SET settled = 1 WHERE item_key = ?", [(k,) for k in checked])

    def expire_pending(self, max_age: dt.timedelta) -> frozenset[str]:
        limit = self._clock() - max_age
        with self._write() as db:
            rows = db.execute("SELECT item_key, first_seen FROM items WHERE settled = 0").fetchall()
            expired = [str(k) for k, seen in rows if dt.datetime.fromisoformat(str(seen)) < limit]
            db.executemany("UPDATE items SET settled = 1 WHERE item_key = ?", [(k,) for k in expired])
        return frozenset(expired)

    def claim(self, chat_id: int, keys: Collection[str]) -> frozenset[str]:
        checked = _check_items(keys)
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

    def release(self, chat_id: int, keys: Collection[str]) -> None:
        checked = _check_items(keys)
        with self._write() as db:
            db.executemany("DELETE FROM announced WHERE chat_id = ? AND item_key = ?", [(chat_id, k) for k in checked])

    def announced_to(self, chat_id: int) -> frozenset[str]:
        """Items claimed for a chat (for tests and support)."""
        rows = self._read("SELECT item_key FROM announced WHERE chat_id = ?", (chat_id,))
        return frozenset(str(r[0]) for r in rows)

    # ----- feedback --------------------------------------------------------------------------------
    def record_feedback(self, intent: str, helpful: bool) -> None:
        if not _INTENT.match(intent):
            raise ValueError("not an intent id")  # never echo it: it may be arbitrary client data
        with self._write() as db:
            db.execute(
                "INSERT INTO feedback (intent, helpful, count) VALUES (?, ?, 1) "
                "ON CONFLICT (intent, helpful) DO UPDATE SET count = count + 1",
                (intent, int(helpful)),
            )

    def feedback(self) -> dict[str, FeedbackCount]:
        counts: dict[str, FeedbackCount] = {}
        rows = self._read("SELECT intent, helpful, count FROM feedback ORDER BY intent")
        for intent, helpful, count in rows:
            current = counts.get(str(intent), FeedbackCount())
            n = int(count)
            counts[str(intent)] = (
                FeedbackCount(n, current.not_helpful) if helpful else FeedbackCount(current.helpful, n)
            )
        return counts

    def integrity_ok(self) -> bool:
        """SQLite's own consistency check (used by the kill-safety test and by support)."""
        return self._read("PRAGMA integrity_check") == [("ok",)]


def _conforms(store: SqliteStore) -> Store:
    """Never called: makes mypy prove that SqliteStore implements the Store protocol."""
    return store
