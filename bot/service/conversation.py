"""What a conversation does, whatever the way in (Telegram, the web chat): ask, follow a button or a deep
link, commands, feedback, subscriptions, and the admin commands; with the counts and the redacted
unanswered questions they leave behind.

Transports only translate: a Telegram handler or a web request calls one method here and shows the Reply
it gets back in its own form (HTML messages and inline keyboards, or JSON for the page). So every way in
answers the same, is counted in the same /stats, and no rule lives twice. Nothing here knows a transport;
the engine below it knows none either.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bot.answers.reply import Button, Reply, para, strong
from bot.kb.loader import DEFAULT_KNOWLEDGE_DIR
from bot.kb.models import ReplyKind
from bot.service.announcements import subscribe_command, unsubscribe_command
from bot.service.engine import Engine
from bot.service.redact import Redactor, UnansweredLog, unanswered_reply
from bot.service.reloader import ReloadOutcome, reload, reload_reply
from bot.service.stats import FEEDBACK_PREFIX, Stats, feedback_buttons, record_feedback, stats_reply
from bot.service.store import Store, open_store
from bot.settings import Settings


class Channel(StrEnum):
    """A way in, as /stats counts it."""

    TELEGRAM = "telegram"
    WEB = "web"


@dataclass(frozen=True)
class Command:
    """A slash command: its name, the description a menu shows, and the engine actions it runs."""

    name: str
    description: str
    actions: tuple[str, ...]


# The one table of commands: Telegram's menu (setMyCommands), its handlers and the web's commands come from it.
COMMANDS = (
    Command("start", "Welcome and menu", ("help",)),
    Command("help", "What I can do and how to ask", ("help",)),
    Command("latest", "Latest published local reviews", ("latest_reviews",)),
    Command("reviews", "Local reviews, newest first", ("latest_reviews",)),
    Command("themes", "Learning from reviews by theme", ("themes",)),
    Command("resources", "Frameworks, guidance and national learning", ("framework", "themes")),
    Command("contacts", "Who to call about a child", ("contacts",)),
    Command("about", "About the partnership and this assistant", ("about",)),
)
COMMANDS_BY_NAME = {command.name: command for command in COMMANDS}
ADMIN_COMMANDS = ("reload", "stats", "unanswered")  # only for ADMIN_IDS (on Telegram, in a private chat)

ONE_REPLICA_RELOADED = (
    "This reloaded the replica that took your message. Other replicas keep their knowledge until each is "
    "reloaded (SIGHUP) or restarted."
)
ONE_REPLICA_UNANSWERED = (
    "These are the questions this replica could not answer since it started; each replica keeps its own, "
    "redacted, in memory only."
)
WELCOME = "Welcome to the Learning-from-Reviews assistant."
LINK_EXPIRED = "That link has expired or points to something I can't show. Here is the menu instead."
UNKNOWN_COMMAND = "I don't know that command. Here is what I can do."
TEXT_ONLY = "I can only read text messages. Here is what I can do."
BUTTON_EXPIRED = "This button has expired: what it pointed to is no longer available. Send /start for the menu."
FEEDBACK_THANKS = "Thank you: your answer is counted."
FEEDBACK_COUNTED = "Already counted, thank you."


def action_from_payload(payload: str) -> str:
    """A deep-link payload as an engine action: ``review-child-e`` -> ``review:child-e``."""
    intent, separator, entry = payload.partition("-")
    return f"{intent}:{entry}" if separator else intent


def with_notice(notice: str, reply: Reply, *, emphasis: bool = False) -> Reply:
    """The reply with a first paragraph of our own (a welcome or a short explanation)."""
    first = para((strong(notice),)) if emphasis else para(notice)
    return dataclasses.replace(reply, blocks=(first, *reply.blocks))


def is_feedback_action(action: str) -> bool:
    return action.startswith(f"{FEEDBACK_PREFIX}:")


def settle_heap(engine: Engine) -> None:
    """Build the current view and index, then move everything alive into the garbage collector's permanent
    generation. The knowledge base and its index are large (hundreds of thousands of objects with thousands
    of reviews), long-lived and free of garbage; left in the collected heap, every full collection walks
    them again, and replies wait for it. (A reload thaws first, so the old knowledge can be collected.)"""
    engine.snapshot()
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Conversations:
    """The conversation service shared by every transport of one process.

    Holds what outlives a single message: the statistics and the unanswered questions (in memory only), and
    the store (subscriptions, feedback): SQLite in DATA_DIR, or PostgreSQL at DATABASE_URL when several
    replicas share it. The store is opened by the first transport that starts and closed when the last one
    stops, so Telegram and the web chat can run side by side on one store. It keeps wall-clock time (claims,
    when an item was first seen) whatever the engine's clock says: `--now` pins only what is visible."""

    def __init__(
        self,
        engine: Engine,
        *,
        data_dir: Path = Path("data"),
        database_url: str | None = None,
        knowledge_dir: Path | None = None,
        admin_ids: frozenset[int] = frozenset(),
    ) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.database_url = database_url
        self.knowledge_dir = knowledge_dir or DEFAULT_KNOWLEDGE_DIR
        self.admin_ids = admin_ids
        self.stats = Stats(engine.now)
        self.unanswered = UnansweredLog()
        self._store: Store | None = None
        self._users = 0  # transports that opened the store and have not closed it yet
        self._opening = asyncio.Lock()

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings, knowledge_dir: Path | None = None) -> Conversations:
        return cls(
            engine,
            data_dir=settings.data_dir,
            database_url=settings.database_url,
            knowledge_dir=knowledge_dir or settings.knowledge_dir,
            admin_ids=settings.admin_ids,
        )

    # ----- the store ---------------------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store is opened when a transport starts")
        return self._store

    async def open(self) -> Store:
        """A transport starts: open the store (the first one only) and build the index before any question."""
        async with self._opening:
            if self._store is None:
                self._store = await open_store(self.data_dir, self.database_url)
                settle_heap(self.engine)
            self._users += 1
            return self._store

    async def close(self) -> None:
        """A transport stopped: close the store when it was the last one."""
        self._users = max(0, self._users - 1)
        if self._users == 0 and self._store is not None:
            store, self._store = self._store, None
            await store.close()

    # ----- answering ---------------------------------------------------------------------------------------
    def ask(self, question: str, channel: Channel) -> Reply:
        """The answer to a typed question; counted for /stats, and kept redacted for /unanswered when the
        bot could not answer it (never the text itself)."""
        reply = self.engine.answer(question)
        self.stats.record(reply, channel)
        if reply.kind == ReplyKind.FALLBACK:
            redactor = Redactor.for_matcher(self.engine.snapshot().matcher)
            self.unanswered.record(question, reply, redactor, self.engine.now())
        return reply

    def act(self, action: str) -> Reply | None:
        """The reply to a button or deep-link action; None when it names nothing to show now."""
        reply = self.engine.act(action)
        return reply if reply is not None and reply.blocks else None

    def help_reply(self) -> Reply:
        return self.act("help") or self.engine.answer("help")

    def welcome(self, action: str | None = None) -> Reply:
        """The welcome and menu; with a deep link's action, what it opens (or the menu if it has expired)."""
        if action is None:
            return with_notice(WELCOME, self.help_reply(), emphasis=True)
        return self.act(action) or with_notice(LINK_EXPIRED, self.help_reply())

    def command(self, name: str) -> list[Reply]:
        """A menu command's replies, one per action it runs; the menu with a notice for a name we do not know."""
        command = COMMANDS_BY_NAME.get(name)
        if command is None:
            return [self.unknown_command()]
        if command.name == "start":
            return [self.welcome()]
        return [reply for reply in map(self.act, command.actions) if reply is not None]

    def unknown_command(self) -> Reply:
        return with_notice(UNKNOWN_COMMAND, self.help_reply())

    def not_text(self) -> Reply:
        return with_notice(TEXT_ONLY, self.help_reply())

    @staticmethod
    def feedback_buttons(reply: Reply) -> tuple[Button, ...]:
        """ "Helpful: yes / no" under an answer (none under anything else)."""
        return feedback_buttons(reply)

    async def feedback(self, action: str) -> bool:
        """Count a "Helpful" tap; False (nothing counted) when the action is not valid feedback now."""
        return await record_feedback(self.store, action, self.engine.snapshot().composer.intents)

    # ----- subscriptions -----------------------------------------------------------------------------------
    async def subscribe(self, chat_id: int, argument: str) -> Reply:
        """Announce new publications (on a theme or by a partnership, or all) to this chat."""
        return await subscribe_command(self.store, self.engine.view(), chat_id, argument)

    async def unsubscribe(self, chat_id: int, argument: str) -> Reply:
        return await unsubscribe_command(self.store, self.engine.view(), chat_id, argument)

    # ----- admin -------------------------------------------------------------------------------------------
    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids

    async def reload(self) -> ReloadOutcome:
        """Re-read the knowledge directory in a worker thread; on any problem the engine keeps the old one."""
        outcome = await asyncio.to_thread(reload, self.engine, self.knowledge_dir)
        settle_heap(self.engine)
        return outcome

    def reload_reply(self, outcome: ReloadOutcome) -> Reply:
        return self._on_one_replica(reload_reply(outcome), ONE_REPLICA_RELOADED)

    async def stats_reply(self) -> Reply:
        return await stats_reply(self.stats, self.store, self.engine.now())

    def unanswered_reply(self) -> Reply:
        return self._on_one_replica(unanswered_reply(self.unanswered), ONE_REPLICA_UNANSWERED)

    def _on_one_replica(self, reply: Reply, note: str) -> Reply:
        """With a shared database several replicas may be running: say that this reply is this one's."""
        if self.database_url is None:
            return reply
        return dataclasses.replace(reply, blocks=(*reply.blocks, para(note)))
