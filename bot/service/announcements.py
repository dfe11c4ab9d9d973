"""Telling subscribers about newly visible reviews and documents, exactly once, from the public view only.

Pure parts: item keys of a view, what is new between two views, who matches a review, the announcement
Reply, and the /subscribe and /unsubscribe logic. The `Announcer` runs the fan-out over a `Store` and
a transport's send function, so Telegram only supplies `send` and maps its errors.

How "exactly once across restarts" works: the store remembers every item it has ever seen visible
(`Store.observe`). An item not seen before is pending; it is settled once every matching subscriber has a
claim row for it. The very first start settles everything already visible (the baseline), so existing
reviews are never announced as new. After a restart, settled items stay settled; items released while
the bot was down are new to the store and are announced at the first run after start.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from bot.answers.composers import DOC_TYPE_LABEL, uk_date
from bot.answers.reply import Block, Button, Line, Reply, link, para, strong, text
from bot.kb.models import KnowledgeBase, PublishedDocument, ReplyKind, Review
from bot.nlu.normalise import words
from bot.service.store import Store, Subscription, Topic

log = logging.getLogger(__name__)

ItemKey = str
"""``review:<id>`` or ``document:<id>`` (document ids are unique across reviews)."""

ANNOUNCEMENT_INTENT = "announcement"
PENDING_TTL = dt.timedelta(days=1)
"""A pending item older than this is settled even if some chat kept failing, so it cannot linger."""
DEFAULT_PAUSE = 0.05
"""Seconds between two announcement messages: under Telegram's ~30 messages/second broadcast limit."""


def review_key(review_id: str) -> ItemKey:
    return f"review:{review_id}"


def document_key(document_id: str) -> ItemKey:
    return f"document:{document_id}"


# ----- what is visible, what is new ------------------------------------------------------------------
def visible_items(view: KnowledgeBase) -> frozenset[ItemKey]:
    """Reviews and published documents of a public view. Withheld and withdrawn documents are not
    announced: there is nothing to read; if one is published later it becomes a new item then."""
    keys: set[ItemKey] = set()
    for review in view.reviews:
        keys.add(review_key(review.id))
        keys.update(document_key(d.id) for d in review.documents if isinstance(d, PublishedDocument))
    return frozenset(keys)


def new_items(before: KnowledgeBase, after: KnowledgeBase) -> frozenset[ItemKey]:
    """Items visible in `after` and not in `before` (a reload, or the clock crossing an embargo)."""
    return visible_items(after) - visible_items(before)


def group_by_review(view: KnowledgeBase, keys: Iterable[ItemKey]) -> dict[str, frozenset[ItemKey]]:
    """Pending keys per review, so a review released with its report makes one message, not two.
    Keys not visible in `view` are left out: nothing is announced from outside the public view."""
    owner: dict[ItemKey, str] = {}
    for review in view.reviews:
        owner[review_key(review.id)] = review.id
        for doc in review.documents:
            if isinstance(doc, PublishedDocument):
                owner[document_key(doc.id)] = review.id
    groups: dict[str, set[ItemKey]] = {}
    for key in keys:
        if key in owner:
            groups.setdefault(owner[key], set()).add(key)
    return {review_id: frozenset(group) for review_id, group in sorted(groups.items())}


# ----- who wants it ----------------------------------------------------------------------------------
def theme_topic(theme_id: str) -> str:
    return f"theme:{theme_id}"


def partnership_topic(partnership_id: str) -> str:
    return f"partnership:{partnership_id}"


def topics_of(review: Review) -> frozenset[Topic]:
    """Every subscription topic a review satisfies: everything, its themes, its partnership."""
    return frozenset({None, partnership_topic(review.partnership), *(theme_topic(t) for t in review.themes)})


def matching_chats(review: Review, subscriptions: Iterable[Subscription]) -> list[int]:
    """Chats with at least one subscription the review satisfies, each once, in a stable order."""
    wanted = topics_of(review)
    return sorted({s.chat_id for s in subscriptions if s.topic in wanted})


# ----- the message -----------------------------------------------------------------------------------
def _review_type(view: KnowledgeBase, review: Review) -> str:
    term = next((t for t in view.terms if t.id == review.review_type), None)
    return term.term.split(" - ")[0] if term else review.review_type.upper()


def _doc_line(doc: PublishedDocument) -> Line:
    date = uk_date(doc.published_on) if doc.published_on else "date not given"
    return (text(f"• {DOC_TYPE_LABEL[doc.type]}, published {date}: "), link("read it", doc.url))


def announcement_reply(view: KnowledgeBase, review_id: str, keys: Iterable[ItemKey]) -> Reply | None:
    """The message for one review's newly visible items, built from the public view only.
    None when nothing of it is visible in `view` (it was hidden again before it could be announced)."""
    review = next((r for r in view.reviews if r.id == review_id), None)
    if review is None:
        return None
    wanted = set(keys)
    docs = [d for d in review.documents if isinstance(d, PublishedDocument) and document_key(d.id) in wanted]
    is_new_review = review_key(review.id) in wanted
    if not docs and not is_new_review:
        return None
    partnership = next((p for p in view.partnerships if p.id == review.partnership), None)
    heading: Line = (
        text("New review published: " if is_new_review else "Newly published for "),
        strong(review.name),
        text(f" ({_review_type(view, review)})"),
    )
    blocks: list[Block] = [para(heading, review.summary) if is_new_review else para(heading)]
    by = [f"Published by the {partnership.name}."] if partnership else []
    if docs:
        blocks.append(para(*[_doc_line(d) for d in docs], *by))
    elif by:
        blocks.append(para(*by))
    blocks.append(para("You get this because you subscribed to new reviews. Send /unsubscribe to stop."))
    buttons = [Button(f"Open: {DOC_TYPE_LABEL[docs[0].type]}", url=docs[0].url)] if docs else []
    buttons.append(Button(f"About {review.name}", f"review:{review.id}"))
    return Reply(
        kind=ReplyKind.ANSWER,
        blocks=tuple(blocks),
        intent=ANNOUNCEMENT_INTENT,
        entries=(review.id,),
        confidence=100.0,
        buttons=tuple(buttons),
    )


# ----- /subscribe and /unsubscribe --------------------------------------------------------------------
class UnknownTopicError(ValueError):
    """The words after /subscribe name no theme or partnership."""


_EVERYTHING_WORDS = frozenset({"", "all", "everything", "all reviews", "any", "every review"})


def resolve_topic(view: KnowledgeBase, argument: str) -> Topic:
    """The topic a user's words name: '' or 'all' = everything, else a theme or partnership by id, name,
    short name or alias (case, accents and punctuation ignored). Raises UnknownTopicError."""
    wanted = " ".join(words(argument.replace("-", " ")))
    if wanted in _EVERYTHING_WORDS:
        return None
    prefix, _, rest = argument.strip().lower().partition(":")
    if prefix in {"theme", "partnership"} and rest:
        wanted = " ".join(words(rest.replace("-", " ")))
    for theme in view.themes:
        if prefix != "partnership" and wanted in _names(theme.id, theme.name, *theme.aliases):
            return theme_topic(theme.id)
    for partnership in view.partnerships:
        names = _names(partnership.id, partnership.name, partnership.short_name, *partnership.aliases)
        if prefix != "theme" and wanted in names:
            return partnership_topic(partnership.id)
    raise UnknownTopicError(argument)


def _names(entry_id: str, *names: str) -> set[str]:
    return {" ".join(words(entry_id.replace("-", " "))), *(" ".join(words(n)) for n in names)}


def topic_label(view: KnowledgeBase, topic: Topic) -> str:
    """How a topic reads in a reply: 'all new reviews', 'the theme Neglect', 'the LSCPB'."""
    if topic is None:
        return "all new reviews"
    kind, _, entry_id = topic.partition(":")
    if kind == "theme":
        theme = next((t for t in view.themes if t.id == entry_id), None)
        return f"the theme {theme.name}" if theme else f"the theme {entry_id}"
    partnership = next((p for p in view.partnerships if p.id == entry_id), None)
    return f"reviews by the {partnership.short_name}" if partnership else f"reviews by {entry_id}"


def _topics_help(view: KnowledgeBase) -> Block:
    themes = ", ".join(t.id for t in view.themes if not t.sector)
    partnerships = ", ".join(p.short_name.lower() for p in view.partnerships)
    return para(
        "Send /subscribe alone for every new review, or add a theme or a partnership:",
        f"Themes: {themes}.",
        f"Partnerships: {partnerships}.",
    )


def _chat_reply(*blocks: Block) -> Reply:
    return Reply(kind=ReplyKind.CHAT, blocks=blocks, intent="subscriptions", confidence=100.0)


async def subscribe_command(store: Store, view: KnowledgeBase, chat_id: int, argument: str) -> Reply:
    """/subscribe [theme|partnership]: add a subscription and say what it covers."""
    try:
        topic = resolve_topic(view, argument)
    except UnknownTopicError:
        return _chat_reply(para("I don't know that theme or partnership."), _topics_help(view))
    label = topic_label(view, topic)
    if not await store.subscribe(chat_id, topic):
        return _chat_reply(para(f"You are already subscribed to {label}."))
    return _chat_reply(
        para(f"Subscribed to {label}. I will send you one message when a matching review or document is published."),
        para("Send /unsubscribe to stop all of them."),
    )


async def unsubscribe_command(store: Store, view: KnowledgeBase, chat_id: int, argument: str) -> Reply:
    """/unsubscribe: stop everything; /unsubscribe neglect: stop just that one."""
    if not argument.strip():
        removed = await store.unsubscribe_all(chat_id)
        if removed:
            return _chat_reply(para("Unsubscribed: I will not send you announcements any more."))
        return _chat_reply(para("You had no subscriptions."))
    try:
        topic = resolve_topic(view, argument)
    except UnknownTopicError:
        return _chat_reply(para("I don't know that theme or partnership."), _topics_help(view))
    label = topic_label(view, topic)
    if await store.unsubscribe(chat_id, topic):
        return _chat_reply(para(f"Unsubscribed from {label}."))
    return _chat_reply(para(f"You were not subscribed to {label}."))


# ----- the fan-out -----------------------------------------------------------------------------------
class RecipientGone(Exception):  # noqa: N818 - names what happened, not an error of ours
    """The chat can no longer receive messages (blocked the bot, deleted): forget it, never retry."""


class RetryLater(Exception):  # noqa: N818
    """The transport asks us to slow down (flood control): stop this run, retry after `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


Send = Callable[[int, Reply], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]
Outcome = Literal["sent", "skipped", "gone", "failed"]


@dataclass(frozen=True)
class AnnounceReport:
    """What one run did; `retry_after` is set when the caller should schedule another run."""

    new: frozenset[ItemKey] = frozenset()
    sent: int = 0
    gone: int = 0
    failed: int = 0
    pending: int = 0
    retry_after: float | None = None


@dataclass
class _Tally:
    """Counts of one run, and the chats forgotten during it (so later reviews skip them)."""

    sent: int = 0
    gone: int = 0
    failed: int = 0
    forgotten: set[int] = field(default_factory=set)

    def count(self, chat_id: int, outcome: Outcome) -> None:
        if outcome == "sent":
            self.sent += 1
        elif outcome == "failed":
            self.failed += 1
        elif outcome == "gone":
            self.gone += 1
            self.forgotten.add(chat_id)

    def report(self, new: frozenset[ItemKey], pending: int, retry_after: float | None) -> AnnounceReport:
        return AnnounceReport(new, self.sent, self.gone, self.failed, pending, retry_after)


class Announcer:
    """Runs the announcement fan-out; runs are serialised, so coinciding releases cannot interleave."""

    def __init__(
        self,
        store: Store,
        send: Send,
        *,
        pause: float = DEFAULT_PAUSE,
        sleep: Sleep = asyncio.sleep,
        pending_ttl: dt.timedelta = PENDING_TTL,
        failure_retry: float = 60.0,
    ) -> None:
        self._store = store
        self._send = send
        self._pause = pause
        self._sleep = sleep
        self._ttl = pending_ttl
        self._failure_retry = failure_retry
        self._lock = asyncio.Lock()

    async def run(self, view: KnowledgeBase) -> AnnounceReport:
        """Record what `view` shows, then announce everything pending. Call at start (baseline and
        catch-up), at each release moment, after each successful reload, and when a report asks to retry."""
        async with self._lock:
            new = await self._store.observe(visible_items(view))
            return await self._fan_out(view, new)

    async def _fan_out(self, view: KnowledgeBase, new: frozenset[ItemKey]) -> AnnounceReport:
        expired = await self._store.expire_pending(self._ttl)
        if expired:
            log.warning("gave up announcing %d item(s) pending for over %s", len(expired), self._ttl)
        tally = _Tally()
        subscriptions = await self._store.subscriptions()
        for review_id, keys in group_by_review(view, await self._store.pending()).items():
            retry = await self._announce_review(view, review_id, keys, subscriptions, tally)
            if retry is not None:
                return tally.report(new, len(await self._store.pending()), retry)
        if tally.sent or tally.gone or tally.failed:
            log.info("announcements: %d sent, %d chats gone, %d failed", tally.sent, tally.gone, tally.failed)
        return tally.report(new, len(await self._store.pending()), self._failure_retry if tally.failed else None)

    async def _announce_review(
        self,
        view: KnowledgeBase,
        review_id: str,
        keys: frozenset[ItemKey],
        subscriptions: list[Subscription],
        tally: _Tally,
    ) -> float | None:
        """Send one review's news to every matching chat; settle it when nobody is left to retry.
        Returns seconds to wait when the transport asks to slow down (the rest stays pending)."""
        review = next(r for r in view.reviews if r.id == review_id)
        complete = True
        for chat_id in matching_chats(review, subscriptions):
            if chat_id in tally.forgotten:
                continue
            outcome = await self._deliver(chat_id, view, review_id, keys)
            if isinstance(outcome, RetryLater):
                return outcome.seconds
            tally.count(chat_id, outcome)
            complete = complete and outcome != "failed"
        if complete:
            await self._store.settle(keys)
        return None

    async def _deliver(
        self, chat_id: int, view: KnowledgeBase, review_id: str, keys: frozenset[ItemKey]
    ) -> Outcome | RetryLater:
        """Claim, then send. 'skipped' when already claimed; a failed send releases its claim."""
        claimed = await self._store.claim(chat_id, keys)
        if not claimed:
            return "skipped"
        reply = announcement_reply(view, review_id, claimed)
        if reply is None:
            return "skipped"
        try:
            await self._send(chat_id, reply)
        except RecipientGone:
            await self._store.forget_chat(chat_id)
            return "gone"
        except RetryLater as exc:
            await self._store.release(chat_id, claimed)
            return exc
        except Exception as exc:  # any transport failure: retry later rather than lose the message
            await self._store.release(chat_id, claimed)
            log.warning("announcement send failed (%s); will retry", type(exc).__name__)
            return "failed"
        await self._sleep(self._pause)
        return "sent"
