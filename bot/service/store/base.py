"""The `Store` protocol and what every implementation shares: the records, the checks that keep free text
out of the database, and the update claims that let several replicas answer each update once.

No message text is ever stored: only chat ids, topic ids, item keys (``review:child-e``), intent ids,
update ids and counts. Every method is one atomic transaction, and every method is a coroutine, so a
server database never blocks the event loop (the embedded SQLite store answers in well under a
millisecond and does its work inline).

Exactly-once announcing rests on three tables:

* ``items``: every review or document key the bot has seen visible, pending until its fan-out is done,
  then settled. A settled item is never announced again, across restarts and replicas.
* ``announced``: one row per (chat, item), UNIQUE, written *before* the message is sent ("claim before
  send"). A second run, a coinciding release, another replica or a restart cannot send the same item to
  the same chat twice, because the database refuses the second claim.
* ``meta``: the baseline flag (the very first start records what is already public as settled).

Trade-off of claim-before-send: if the process dies after the claim commits and before Telegram has
the message, that one message is lost (at most once). The other order (send, then record) would
instead send a duplicate after such a crash. A missed announcement is the lesser harm here (the review
is still found by asking), and any send that fails *visibly* releases its claim so it is retried.

Exactly-once answering across replicas rests on ``updates``: a replica claims an update id with a lease
before it answers and marks it done after the reply has left. Another delivery of the same update (a
redelivery, or the other replica) finds it done (nothing to do) or leased (busy: ask the sender to try
again later). A lease held by a replica that died expires, and the next delivery takes it over, so no
update is lost; the price is a second reply when the dead replica's reply left in the instant before it
died, at most once per update it had in flight.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from bot.errors import ReviewsBotError
from bot.settings import UPDATE_LEASE

Topic = str | None
"""None (everything), ``theme:<id>`` or ``partnership:<id>``."""

EVERYTHING = "*"
"""How the None topic is stored: SQL treats NULLs as distinct, so UNIQUE would not hold for them."""

UPDATES_KEPT = dt.timedelta(days=2)
"""Update claims older than this are pruned: Telegram gives up redelivering an update after 24 hours."""

_TOPIC = re.compile(r"^(?:theme|partnership):[a-z0-9]+(?:-[a-z0-9]+)*$")
_ITEM = re.compile(r"^(?:review|document):[a-z0-9]+(?:-[a-z0-9]+)*$")
_INTENT = re.compile(r"^[a-z_]{1,40}$")


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


class UpdateClaim(enum.Enum):
    """What `Store.claim_update` found."""

    CLAIMED = "claimed"
    """Ours now: answer it, then `finish_update`."""
    DONE = "done"
    """Already answered (by us or another replica): acknowledge, do nothing."""
    BUSY = "busy"
    """Another delivery holds an unexpired lease: tell the sender to deliver it again later."""


class Store(Protocol):
    """The persistence the bot needs; every method is one atomic transaction."""

    async def subscribe(self, chat_id: int, topic: Topic) -> bool:
        """Add a subscription; False if the chat already had it."""
        ...

    async def unsubscribe(self, chat_id: int, topic: Topic) -> bool:
        """Remove one subscription; False if the chat did not have it."""
        ...

    async def unsubscribe_all(self, chat_id: int) -> int:
        """Remove every subscription of a chat; how many there were."""
        ...

    async def forget_chat(self, chat_id: int) -> None:
        """Drop everything about a chat (it blocked the bot): subscriptions and announcement records."""
        ...

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup with a new id: its subscriptions and announcement records follow it."""
        ...

    async def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """One chat's subscriptions, or everybody's when chat_id is None."""
        ...

    async def subscriber_count(self) -> int:
        """Distinct chats with at least one subscription."""
        ...

    async def observe(self, visible: Collection[str]) -> frozenset[str]:
        """Record items visible now; returns those never seen before, now pending. The first call ever
        records everything as settled (the baseline) and returns nothing."""
        ...

    async def baselined(self) -> bool:
        """Whether the baseline has been recorded."""
        ...

    async def pending(self) -> dict[str, dt.datetime]:
        """Items seen but not yet fully announced, with when they were first seen."""
        ...

    async def settle(self, keys: Collection[str]) -> None:
        """Mark items as fully announced: never announced again."""
        ...

    async def expire_pending(self, max_age: dt.timedelta) -> frozenset[str]:
        """Settle items pending for longer than `max_age` (by the store's clock); returns them."""
        ...

    async def claim(self, chat_id: int, keys: Collection[str]) -> frozenset[str]:
        """Claim the right to announce `keys` to a chat; returns the subset not claimed before."""
        ...

    async def release(self, chat_id: int, keys: Collection[str]) -> None:
        """Undo a claim after a send that visibly failed, so a later run retries it."""
        ...

    async def announced_to(self, chat_id: int) -> frozenset[str]:
        """Items claimed for a chat (for tests and support)."""
        ...

    async def claim_update(self, update_id: int, lease: dt.timedelta = UPDATE_LEASE) -> UpdateClaim:
        """Claim an incoming update before answering it (see `UpdateClaim`); an expired lease is taken over."""
        ...

    async def renew_update(self, update_id: int, lease: dt.timedelta = UPDATE_LEASE) -> None:
        """Extend the lease on an update still being answered (a slow reply, a flood wait), so only a dead
        replica's claim ever expires."""
        ...

    async def finish_update(self, update_id: int) -> None:
        """The reply to a claimed update has left: no delivery of it is answered again."""
        ...

    async def prune_updates(self, kept: dt.timedelta = UPDATES_KEPT) -> int:
        """Forget update claims older than `kept`; how many."""
        ...

    async def record_feedback(self, intent: str, helpful: bool) -> None:
        """Count one 'Helpful? yes/no' tap for an intent."""
        ...

    async def feedback(self) -> dict[str, FeedbackCount]:
        """Feedback counts per intent."""
        ...

    async def ping(self) -> bool:
        """Whether the database answers now (for /healthz); never raises."""
        ...

    def schema_version(self) -> int | None:
        """The schema version found or made at start."""
        ...

    async def close(self) -> None: ...


def check_topic(topic: Topic) -> str:
    """The stored form of a topic; ValueError for anything that is not a topic id."""
    if topic is None:
        return EVERYTHING
    if not _TOPIC.match(topic):
        raise ValueError(f"not a topic: {topic!r}")
    return topic


def stored_topic(value: str) -> Topic:
    return None if value == EVERYTHING else value


def check_items(keys: Collection[str]) -> list[str]:
    """Refuse anything that is not an item key, so no free text can reach the database by mistake."""
    bad = [k for k in keys if not _ITEM.match(k)]
    if bad:
        raise ValueError(f"not item keys: {bad!r}")
    return sorted(set(keys))


def check_intent(intent: str) -> str:
    if not _INTENT.match(intent):
        raise ValueError("not an intent id")  # never echo it: it may be arbitrary client data
    return intent


def feedback_counts(rows: Collection[tuple[str, bool, int]]) -> dict[str, FeedbackCount]:
    """(intent, helpful, count) rows as counts per intent."""
    counts: dict[str, FeedbackCount] = {}
    for intent, helpful, count in rows:
        current = counts.get(intent, FeedbackCount())
        counts[intent] = FeedbackCount(count, current.not_helpful) if helpful else FeedbackCount(current.helpful, count)
    return counts


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
