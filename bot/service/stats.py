"""Usage counts for /stats: replies by intent and kind since start (in memory), feedback from the store.

Only counts: no text, no user or chat ids. The 'Helpful? yes / no' buttons are engine-style actions
(``feedback:yes:latest_reviews``) so the adapter routes them like any other button; `parse_feedback`
refuses anything that is not a known intent, because callback data comes from the client and must not
become a way to write arbitrary text to disk.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection

from bot.answers.reply import Block, Button, Reply, para
from bot.kb.models import ReplyKind
from bot.service.store import FeedbackCount, Store

FEEDBACK_PREFIX = "feedback"
NO_INTENT = "none"
"""The intent label for replies without one (fallbacks, 'did you mean')."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Stats:
    """Counters since the process started; lost on restart by design (nothing about users persists)."""

    def __init__(self, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self.started = clock()
        self.by_intent: Counter[str] = Counter()
        self.by_kind: Counter[str] = Counter()
        self.by_channel: Counter[str] = Counter()

    def record(self, reply: Reply, channel: str | None = None) -> None:
        """Count one reply to a user's question (not announcements or admin replies), and the way it came in."""
        self.by_intent[reply.intent or NO_INTENT] += 1
        self.by_kind[reply.kind.value] += 1
        if channel is not None:
            self.by_channel[channel] += 1

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def fallback_rate(self) -> float:
        """Share of replies that were fallbacks (0.0 when nothing was asked yet)."""
        return self.by_kind[ReplyKind.FALLBACK.value] / self.total if self.total else 0.0


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key} {count}" for key, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _feedback_lines(feedback: dict[str, FeedbackCount]) -> list[str]:
    return [f"• {intent}: {c.helpful} yes, {c.not_helpful} no" for intent, c in sorted(feedback.items())]


async def stats_reply(stats: Stats, store: Store, now: dt.datetime) -> Reply:
    """The /stats message for admins."""
    hours = max(0.0, (now - stats.started).total_seconds() / 3600)
    blocks: list[Block] = [
        para(
            f"Since start of this replica ({hours:.1f} h ago): {stats.total} replies, "
            f"fallback rate {stats.fallback_rate:.0%}.",
            f"By kind: {_counts(stats.by_kind) or 'none yet'}.",
            f"By intent: {_counts(stats.by_intent) or 'none yet'}.",
            *([f"By way in: {_counts(stats.by_channel)}."] if stats.by_channel else []),
        ),
        # From the database: with several replicas, the whole deployment's (the counts above are this one's).
        para(f"Subscribers: {await store.subscriber_count()}."),
    ]
    feedback = await store.feedback()
    lines = _feedback_lines(feedback)
    blocks.append(para("Helpful? (all time, all replicas)", *lines) if feedback else para("No feedback yet."))
    return Reply(ReplyKind.CHAT, tuple(blocks), intent="admin")


# ----- 'Helpful? yes / no' ---------------------------------------------------------------------------
def feedback_buttons(reply: Reply) -> tuple[Button, ...]:
    """The two buttons to show under an answer; none under fallbacks, questions back, chat or urgent."""
    if reply.kind != ReplyKind.ANSWER or not reply.intent:
        return ()
    return (
        Button("Helpful: yes", f"{FEEDBACK_PREFIX}:yes:{reply.intent}"),
        Button("Helpful: no", f"{FEEDBACK_PREFIX}:no:{reply.intent}"),
    )


def parse_feedback(action: str, intents: Collection[str]) -> tuple[str, bool] | None:
    """(intent, helpful) from a feedback button's action; None if it is not one, or names an unknown intent."""
    prefix, _, rest = action.partition(":")
    answer, _, intent = rest.partition(":")
    if prefix != FEEDBACK_PREFIX or answer not in {"yes", "no"} or intent not in intents:
        return None
    return intent, answer == "yes"


async def record_feedback(store: Store, action: str, intents: Collection[str]) -> bool:
    """Count a feedback tap; False (nothing written) when the action is not valid feedback."""
    parsed = parse_feedback(action, intents)
    if parsed is None:
        return False
    await store.record_feedback(*parsed)
    return True
