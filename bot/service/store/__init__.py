"""What the bot keeps in a database: subscriptions, announcement and update claims, feedback counts.

`open_store` picks the implementation: PostgreSQL when DATABASE_URL is set (several replicas share it),
otherwise SQLite in DATA_DIR (one machine, nothing to set up). Both pass the same store tests.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

from bot.errors import ConfigError
from bot.service.store.base import (
    EVERYTHING,
    UPDATES_KEPT,
    FeedbackCount,
    StorageError,
    Store,
    Subscription,
    Topic,
    UpdateClaim,
    utc_now,
)
from bot.service.store.sqlite import DB_NAME, SCHEMA_VERSION, SqliteStore
from bot.settings import UPDATE_LEASE

__all__ = [
    "DB_NAME",
    "EVERYTHING",
    "SCHEMA_VERSION",
    "UPDATES_KEPT",
    "UPDATE_LEASE",
    "FeedbackCount",
    "SqliteStore",
    "StorageError",
    "Store",
    "Subscription",
    "Topic",
    "UpdateClaim",
    "open_store",
    "utc_now",
]


async def open_store(
    data_dir: Path, database_url: str | None = None, clock: Callable[[], dt.datetime] = utc_now
) -> Store:
    """PostgreSQL at `database_url` when it is set (DATABASE_URL), else SQLite in `data_dir` (DATA_DIR); migrated.
    A ConfigError that says what to fix when it cannot be opened."""
    if database_url is not None:
        # Imported here: a one-machine bot never loads the PostgreSQL driver.
        import psycopg
        from psycopg_pool import PoolTimeout

        from bot.service.store.postgres import PostgresStore

        try:
            return await PostgresStore.connect(database_url, clock)
        except (psycopg.Error, PoolTimeout) as error:
            # The error names host and database, never the password (psycopg leaves it out of its messages).
            raise ConfigError(f"DATABASE_URL cannot be used: {type(error).__name__}: {error}") from error
    try:
        return SqliteStore.in_dir(data_dir, clock)
    except (OSError, sqlite3.Error) as error:
        raise ConfigError(f"DATA_DIR {data_dir} cannot be used: {type(error).__name__}: {error}") from error
