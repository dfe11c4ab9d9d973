"""Telegram transport: a thin python-telegram-bot adapter over the answering engine.

Everything a practitioner reads comes from the engine (`Engine.answer`, `Engine.act`) and is rendered by
`bot.answers.render.telegram_html`; this module only decides where it goes: commands and deep links become
engine actions, the Reply's buttons become inline keyboards, inline queries become articles. Handlers are
registered in one place (`register_handlers`); there is one error handler; every call to Telegram goes
through `deliver`, which retries flood limits, timeouts and network errors a bounded number of times.

The publication lifecycle is wired here too, its logic staying in its own modules: subscriptions and the
exactly-once announcements (`bot.service.announcements`, `bot.service.store`), release jobs at embargo moments
(`bot.service.releases`; PTB's job queue keeps no jobs across restarts, so they are planned again at
every start, run and reload), /reload and SIGHUP (`bot.service.reloader`), /stats and the "Helpful?" buttons
(`bot.service.stats`), /unanswered (`bot.service.redact`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import re
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, TypeVar

from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    JobQueue,
    MessageHandler,
    PrefixHandler,
    filters,
)

from bot.answers.render import plain_text, telegram_html
from bot.answers.reply import Button, Reply
from bot.kb.models import ReplyKind
from bot.service.announcements import Announcer, AnnounceReport, RecipientGone, RetryLater
from bot.service.conversation import (  # noqa: F401 - re-exported: Telegram's names for the shared texts
    ADMIN_COMMANDS,
    BUTTON_EXPIRED,
    COMMANDS,
    FEEDBACK_COUNTED,
    FEEDBACK_THANKS,
    LINK_EXPIRED,
    TEXT_ONLY,
    UNKNOWN_COMMAND,
    WELCOME,
    Channel,
    Command,
    Conversations,
    action_from_payload,
    is_feedback_action,
    settle_heap,
    with_notice,
)
from bot.service.delivery import UpdateGate
from bot.service.engine import Engine, apology
from bot.service.redact import UnansweredLog
from bot.service.releases import job_name, plan_jobs
from bot.service.reloader import ReloadOutcome, install_sighup, remove_sighup
from bot.service.stats import Stats
from bot.service.store import Store
from bot.settings import Settings
from bot.transports.telegram.outage import Outage
from bot.transports.telegram.request import AiohttpRequest

log = logging.getLogger(__name__)

T = TypeVar("T")
Context = ContextTypes.DEFAULT_TYPE
App = Application[Any, Any, Any, Any, Any, Any]
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]


SUBSCRIBE = "subscribe"
UNSUBSCRIBE = "unsubscribe"
# The menu Telegram shows (setMyCommands). Admin commands are deliberately not in it.
MENU = (
    *((c.name, c.description) for c in COMMANDS),
    (SUBSCRIBE, "New local reviews as they are published (add a theme or partnership to narrow)"),
    (UNSUBSCRIBE, "Stop those messages"),
)
OPEN_ASSISTANT = "Open the assistant"

CALLBACK_DATA_LIMIT = 64
CHOICE_MARK = "?"  # prefixes the callback data of a "Did you mean" choice, so the question can be marked
PAYLOAD_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SHORT_LABEL = 18  # two buttons this short share a row on a phone
KEYBOARD_CACHE_SIZE = 1024  # distinct keyboards kept built; answers repeat the same few hundred
INLINE_CACHE_SECONDS = 30  # short: an embargo lifting should show up in inline results soon
TITLE_LIMIT = 64
DESCRIPTION_LIMIT = 120

RATE_LIMIT_RETRIES = 3  # AIORateLimiter's own retries on RetryAfter (it pauses every request meanwhile)
DELIVERY_ATTEMPTS = 5
RETRY_BASE_DELAY = 0.5  # seconds; doubles per attempt for timeouts and network errors
MAX_RETRY_AFTER = 60.0  # a longer flood wait than this is not worth holding a reply for
DEFAULT_TIMEOUT = 10.0
CONNECTION_POOL_SIZE = 256  # python-telegram-bot's own default for Bot API calls

PRUNE_JOB = "updates:prune"
PRUNE_INTERVAL = 3600.0  # seconds
RETRY_JOB = "announce:retry"  # the job that resumes announcing after flood control or failed sends
VOTES_REMEMBERED = 10_000  # answers whose vote is remembered in memory (their buttons are removed anyway)
CHAT_NOT_FOUND = "chat not found"


# ----- deep links and keyboards ------------------------------------------------------------------------


def payload_for(action: str) -> str | None:
    """The deep-link payload that opens `action`, if Telegram allows it (1-64 of A-Z a-z 0-9 _ -)."""
    payload = action.replace(":", "-", 1)
    return payload if PAYLOAD_PATTERN.match(payload) else None


def _fits(data: str) -> bool:
    return 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT


def _inline_button(button: Button, choice: bool, username: str | None) -> InlineKeyboardButton | None:
    """A Reply button as Telegram's: a URL, a callback (in chats) or a deep link (in shared messages)."""
    if button.url:
        return InlineKeyboardButton(button.label, url=button.url)
    if not button.action:
        return None
    if username is not None:
        payload = payload_for(button.action)
        return InlineKeyboardButton(button.label, url=f"https://t.me/{username}?start={payload}") if payload else None
    marked = CHOICE_MARK + button.action
    data = marked if choice and _fits(marked) else button.action
    if not _fits(data):
        log.warning(
            "skipped a button whose action is %d bytes (Telegram allows %d)",
            len(data.encode("utf-8")),
            CALLBACK_DATA_LIMIT,
        )
        return None
    return InlineKeyboardButton(button.label, callback_data=data)


def _rows(buttons: Sequence[tuple[InlineKeyboardButton, bool]]) -> list[list[InlineKeyboardButton]]:
    """Links to documents on their own rows; short follow-ups two to a row, readable on a phone."""
    rows: list[list[InlineKeyboardButton]] = []
    pairable_row = False
    for button, follow_up in buttons:
        short = follow_up and len(button.text) <= SHORT_LABEL
        if rows and pairable_row and short and len(rows[-1]) < 2:
            rows[-1].append(button)
        else:
            rows.append([button])
            pairable_row = short
    return rows


def keyboard(reply: Reply, username: str | None = None, feedback: Sequence[Button] = ()) -> InlineKeyboardMarkup | None:
    """The Reply's follow-up buttons as an inline keyboard; with `username`, actions become deep links.
    `feedback` buttons ("Helpful: yes / no") make a last row of their own."""
    choices = reply.suggestions if reply.kind == ReplyKind.CLARIFY else ()
    return _keyboard(reply.buttons, frozenset(choices), username, tuple(feedback))


class SharedKeyboard(InlineKeyboardMarkup):
    """A keyboard built once and sent under many replies. Being immutable, its wire form (what python-telegram-bot
    serialises on every send) is worked out once too."""

    __slots__ = ("_wire",)

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        if not recursive:
            return super().to_dict(recursive=False)
        wire: dict[str, Any] | None = getattr(self, "_wire", None)
        if wire is None:
            wire = self._wire = super().to_dict()
        return wire


@lru_cache(maxsize=KEYBOARD_CACHE_SIZE)
def _keyboard(
    reply_buttons: tuple[Button, ...], choices: frozenset[str], username: str | None, feedback: tuple[Button, ...]
) -> InlineKeyboardMarkup | None:
    """Built once per distinct set of buttons: Telegram's keyboard objects are immutable, so replies share them."""
    buttons = [
        (converted, button.url is None)
        for button in reply_buttons
        if (converted := _inline_button(button, button.label in choices, username)) is not None
    ]
    rows = _rows(buttons)
    last = [converted for button in feedback if (converted := _inline_button(button, False, None)) is not None]
    if last:
        rows.append(last)
    return SharedKeyboard(rows) if rows else None


def is_feedback(button: InlineKeyboardButton) -> bool:
    return isinstance(button.callback_data, str) and is_feedback_action(button.callback_data)


# ----- sending with retries ------------------------------------------------------------------------------


def retry_after_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds (PTB 22 may give an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value if isinstance(value, int | float) else value.total_seconds()


async def deliver(call: Callable[[], Awaitable[T]], attempts: int = DELIVERY_ATTEMPTS) -> T:
    """Make one Bot API call, retrying flood waits, timeouts and network errors a bounded number of times.

    Bad requests, forbidden chats and invalid tokens are not transient and are raised at once.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            if attempt == attempts or wait > MAX_RETRY_AFTER:
                raise
        except NetworkError as error:  # also TimedOut and 5xx; BadRequest is a NetworkError too
            if isinstance(error, BadRequest) or attempt == attempts:
                raise
            wait = RETRY_BASE_DELAY * 2 ** (attempt - 1)
        log.warning("a Telegram call failed (attempt %d of %d); retrying in %.1f s", attempt, attempts, wait)
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


async def send_reply(
    bot: ExtBot[Any],
    chat_id: int,
    reply: Reply,
    *,
    reply_to: int | None = None,
    thread_id: int | None = None,
    feedback: Sequence[Button] = (),
) -> list[Message]:
    """Send a Reply as one or more HTML messages; the keyboard goes on the last one."""
    texts = telegram_html(reply)
    markup = keyboard(reply, feedback=feedback)
    sent: list[Message] = []
    for index, text in enumerate(texts):
        quote = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and index == 0 else None
        call = partial(
            bot.send_message,
            chat_id,
            text,
            message_thread_id=thread_id,
            reply_parameters=quote,
            reply_markup=markup if index == len(texts) - 1 else None,
        )
        sent.append(await deliver(call))
    return sent


async def _answer_query(answer: Callable[..., Awaitable[bool]], text: str | None = None, *, alert: bool = True) -> None:
    """Answer a callback or inline query (with `text`: as an alert, or a brief notice unless `alert`).
    Best effort: a query too old to answer (or any failure) is logged, and the reply itself still goes out."""
    try:
        await deliver(partial(answer, text, show_alert=alert) if text else answer)
    except TelegramError as error:
        log.info("could not answer a query: %s", type(error).__name__)


def announcement_sender(bot: ExtBot[Any], store: Store) -> Callable[[int, Reply], Awaitable[None]]:
    """The Announcer's `send`: a Reply to a chat, with Telegram's refusals in the Announcer's terms: a chat
    that blocked the bot or no longer exists is gone (forgotten, never retried); a flood wait longer than
    `deliver` holds a reply for means "retry later". Anything else is a failure the Announcer retries. A
    group that became a supergroup is followed: its subscriptions move to the new id, which gets the message."""

    async def send(chat_id: int, reply: Reply) -> None:
        try:
            try:
                await send_reply(bot, chat_id, reply)
            except ChatMigrated as error:
                await store.move_chat(chat_id, error.new_chat_id)
                await send_reply(bot, error.new_chat_id, reply)
        except Forbidden as error:
            raise RecipientGone(type(error).__name__) from error
        except BadRequest as error:
            if CHAT_NOT_FOUND in error.message.lower():
                raise RecipientGone(type(error).__name__) from error
            raise
        except RetryAfter as error:
            raise RetryLater(retry_after_seconds(error)) from error

    return send


# ----- groups ------------------------------------------------------------------------------------------


def _mention(username: str) -> re.Pattern[str]:
    """`@username` as a word (Telegram usernames are case-insensitive)."""
    return re.compile(rf"(?<![\w/@])@{re.escape(username)}(?!\w)", re.IGNORECASE)


class _AddressedToBot(filters.MessageFilter):
    """Every message in a private chat; in groups, only mentions of the bot and replies to its messages."""

    def filter(self, message: Message) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        return bool(bot.username and message.text and _mention(bot.username).search(message.text))


ADDRESSED_TO_BOT = _AddressedToBot(name="addressed_to_bot")
SLASH_TEXT = filters.Regex(r"^/")  # '/latest' typed without Telegram's command entity: the command handlers take it


def question_text(message: Message, username: str | None) -> str:
    """What the user asked, without the @mention that addressed the bot in a group."""
    text = message.text or ""
    if username:
        text = _mention(username).sub(" ", text)
    return text.strip()


# ----- inline mode -------------------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def article(result_id: str, reply: Reply, username: str | None) -> InlineQueryResultArticle:
    """A Reply as an inline result: the first message of its HTML, links kept, actions as deep links."""
    lines = [line.strip() for line in plain_text(reply).splitlines() if line.strip()]
    return InlineQueryResultArticle(
        id=result_id,
        title=_clip(lines[0] if lines else OPEN_ASSISTANT, TITLE_LIMIT),
        description=_clip(" ".join(lines[1:3]), DESCRIPTION_LIMIT) or None,
        input_message_content=InputTextMessageContent(
            telegram_html(reply)[0],
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        reply_markup=keyboard(reply, username) if username else None,
    )


# ----- handlers ----------------------------------------------------------------------------------------


class Assistant:
    """The Telegram handlers: each turns an update into a call of the conversation service and sends what it
    replied, as HTML with inline keyboards. Also Telegram's share of the lifecycle: the announcer (it sends
    Telegram messages), the release jobs (on PTB's job queue), SIGHUP, and which feedback was tapped."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        knowledge_dir: Path | None = None,
        service: Conversations | None = None,
    ) -> None:
        self.settings = settings
        self.service = service or Conversations.from_settings(engine, settings, knowledge_dir)
        self.engine = self.service.engine
        self.announce_runs = 0  # completed announcement runs (tests wait on it; no other meaning)
        self._announcer: Announcer | None = None
        self._opened = False
        self._gate: UpdateGate | None = None
        self._hangup_loop: asyncio.AbstractEventLoop | None = None
        self._voted: OrderedDict[tuple[int, int], None] = OrderedDict()

    # ----- lifecycle: start, stop, announcements, release jobs, reloads -----------------------------------
    @property
    def store(self) -> Store:
        if not self._opened:
            raise RuntimeError("the store is opened by post_init")
        return self.service.store

    @property
    def stats(self) -> Stats:
        return self.service.stats

    @property
    def unanswered(self) -> UnansweredLog:
        return self.service.unanswered

    @property
    def gate(self) -> UpdateGate:
        """Claims webhook updates in the store, so each is answered once across replicas (webhook mode)."""
        if self._gate is None:
            raise RuntimeError("the update gate is created by post_init")
        return self._gate

    async def ping(self) -> bool:
        """Whether the database answers (for /healthz); False before the store is open and after it is closed."""
        return self._opened and await self.store.ping()

    @property
    def announcer(self) -> Announcer:
        if self._announcer is None:
            raise RuntimeError("the announcer is created by post_init")
        return self._announcer

    async def open(self, application: App) -> None:
        """At start: open the store, announce what became visible while the bot was down (the very first
        start only records what is already public), plan the release jobs, and reload on SIGHUP."""
        store = await self.service.open()
        self._opened = True
        self._gate = UpdateGate(lambda: self.store, self.settings.update_lease)
        job_queue: JobQueue[Any] | None = application.job_queue
        if job_queue is not None:  # update claims are kept two days (Telegram redelivers for one), then pruned
            job_queue.run_repeating(self.prune_updates, interval=PRUNE_INTERVAL, first=PRUNE_INTERVAL, name=PRUNE_JOB)
        self._announcer = Announcer(store, announcement_sender(application.bot, store))
        await self.announce(application)
        loop = asyncio.get_running_loop()
        if install_sighup(loop, partial(self.reload_on_hangup, application)):
            self._hangup_loop = loop

    async def close(self) -> None:
        """At shutdown: stop listening for SIGHUP and let go of the store."""
        if self._hangup_loop is not None:
            remove_sighup(self._hangup_loop)
            self._hangup_loop = None
        if self._opened:
            self._opened = False
            await self.service.close()

    async def announce(self, application: App) -> AnnounceReport:
        """Announce, exactly once, what is visible now and was not announced yet; then plan the release jobs
        again (and a retry when the announcer asks for one)."""
        try:
            report = await self.announcer.run(self.engine.view())
        finally:
            job_queue: JobQueue[Any] | None = application.job_queue
            if job_queue is not None:
                self.schedule_releases(job_queue)
        if job_queue is not None and report.retry_after is not None and not job_queue.get_jobs_by_name(RETRY_JOB):
            job_queue.run_once(self.release, when=max(report.retry_after, 0.0), name=RETRY_JOB)
        self.announce_runs += 1
        return report

    def schedule_releases(self, job_queue: JobQueue[Any]) -> None:
        """One job per future embargo moment of the knowledge base, none twice, none for a moment it dropped.

        A moment the real clock has passed is not queued: it can only arise from a clock that is not the real
        one (`--now`, tests), and queueing it would run at once, again and again."""
        plan = plan_jobs(self.engine.knowledge, self.engine.now(), [job.name for job in job_queue.jobs()])
        for name in plan.cancel:
            for job in job_queue.get_jobs_by_name(name):
                job.schedule_removal()
        real_now = dt.datetime.now(dt.UTC)
        for moment in plan.add:
            if moment > real_now:
                job_queue.run_once(self.release, when=moment, name=job_name(moment))

    async def prune_updates(self, context: Context) -> None:
        """The hourly job: forget update claims too old to be delivered again."""
        await self.store.prune_updates()

    async def release(self, context: Context) -> None:
        """The job at an embargo moment (or a retry): announce what is visible now, plan the next jobs."""
        await self.announce(context.application)

    async def reload_knowledge(self) -> ReloadOutcome:
        """Re-read the knowledge directory; on any problem the engine keeps the old one."""
        return await self.service.reload()

    async def reload_on_hangup(self, application: App) -> None:
        """SIGHUP: reload, log the outcome (nobody to reply to), announce what became visible."""
        outcome = await self.reload_knowledge()
        if not outcome.ok:
            for problem in outcome.problems:
                log.warning("not reloaded: %s", problem)
            return
        log.info("reloaded on SIGHUP: %d reviews", outcome.reviews)
        await self.announce(application)

    # ----- answering -------------------------------------------------------------------------------------
    def act(self, action: str) -> Reply | None:
        """The service's reply to a button or deep-link action; None when it names nothing to show now."""
        return self.service.act(action)

    def help_reply(self) -> Reply:
        return self.service.help_reply()

    def inline_replies(self, query: str) -> list[Reply]:
        """The public answers an inline query offers: "did you mean" expands into each choice."""
        if not query.strip():
            actions = ["latest_reviews", "contacts"]
        else:
            reply = self.engine.answer(query)
            if reply.kind == ReplyKind.FALLBACK:
                return []
            if reply.kind != ReplyKind.CLARIFY:
                return [reply]
            actions = [b.action for b in reply.buttons if b.label in reply.suggestions and b.action]
        return [r for r in (self.act(a) for a in actions) if r is not None]

    async def reply_to(self, update: Update, context: Context, reply: Reply, feedback: Sequence[Button] = ()) -> None:
        """Send `reply` to the chat the update came from; in groups, as a reply to the user's message."""
        message = update.effective_message
        if message is None:
            return
        in_group = message.chat.type != ChatType.PRIVATE
        await send_reply(
            context.bot,
            message.chat.id,
            reply,
            reply_to=message.message_id if in_group else None,
            thread_id=message.message_thread_id if message.is_topic_message else None,
            feedback=feedback,
        )

    async def start(self, update: Update, context: Context) -> None:
        """Send the welcome and menu, or open what a deep link such as /start review-child-e names."""
        payload = context.args[0] if context.args else None
        action = action_from_payload(payload) if payload is not None else None
        await self.reply_to(update, context, self.service.welcome(action))

    def command(self, command: Command) -> Callback:
        """The handler for a command of the table: the service's replies to each of its actions."""

        async def run_command(update: Update, context: Context) -> None:
            """Answer a menu command with the service's replies for its actions."""
            for reply in self.service.command(command.name):
                await self.reply_to(update, context, reply)

        return run_command

    async def unknown_command(self, update: Update, context: Context) -> None:
        """Say a command is unknown and show the menu."""
        await self.reply_to(update, context, self.service.unknown_command())

    async def question(self, update: Update, context: Context) -> None:
        """Answer a question typed in a private chat, or addressed to the bot in a group. The service counts
        it for /stats and keeps it redacted for /unanswered if it is a fallback; answers get "Helpful?"."""
        message = update.effective_message
        if message is None:
            return
        text = question_text(message, context.bot.username)
        if not text:
            await self.reply_to(update, context, self.help_reply())
            return
        reply = self.service.ask(text, Channel.TELEGRAM)
        await self.reply_to(update, context, reply, feedback=self.service.feedback_buttons(reply))

    async def not_text(self, update: Update, context: Context) -> None:
        """Say only text can be read, and show the menu."""
        await self.reply_to(update, context, self.service.not_text())

    # ----- subscriptions -----------------------------------------------------------------------------------
    async def subscribe(self, update: Update, context: Context) -> None:
        """/subscribe [theme or partnership]: announce new publications to this chat."""
        await self._subscription(update, context, self.service.subscribe)

    async def unsubscribe(self, update: Update, context: Context) -> None:
        """/unsubscribe [theme or partnership]: stop them (all of them without an argument)."""
        await self._subscription(update, context, self.service.unsubscribe)

    async def _subscription(
        self, update: Update, context: Context, command: Callable[[int, str], Awaitable[Reply]]
    ) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        argument = " ".join(context.args or ())
        await self.reply_to(update, context, await command(chat.id, argument))

    # ----- admin -----------------------------------------------------------------------------------------
    def is_admin(self, update: Update) -> bool:
        """An ADMIN_IDS user in a private chat (admin replies are not for a group to read)."""
        user, chat = update.effective_user, update.effective_chat
        return (
            user is not None and self.service.is_admin(user.id) and chat is not None and chat.type == ChatType.PRIVATE
        )

    def admin(self, callback: Callback) -> Callback:
        """`callback` for admins; anyone else gets what an unknown command gets (in a group: nothing)."""

        async def only_admins(update: Update, context: Context) -> None:
            """Run an admin command for an admin; answer anyone else as for an unknown command."""
            if self.is_admin(update):
                await callback(update, context)
            elif update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE:
                await self.unknown_command(update, context)

        return only_admins

    async def reload_command(self, update: Update, context: Context) -> None:
        """/reload: re-read the knowledge; reply with what changed or every problem (file:line: key:
        message) while the old knowledge keeps serving; then announce what became visible."""
        outcome = await self.reload_knowledge()
        await self.reply_to(update, context, self.service.reload_reply(outcome))
        if outcome.ok:
            await self.announce(context.application)

    async def stats_command(self, update: Update, context: Context) -> None:
        """/stats: answers by intent, kind and way in since start, fallback rate, subscribers, feedback."""
        await self.reply_to(update, context, await self.service.stats_reply())

    async def unanswered_command(self, update: Update, context: Context) -> None:
        """/unanswered: the latest questions the bot could not answer, redacted, from memory."""
        await self.reply_to(update, context, self.service.unanswered_reply())

    # ----- buttons and inline mode -----------------------------------------------------------------------
    async def button(self, update: Update, context: Context) -> None:
        """Answer a tapped button with what its action names now, or say that it has expired."""
        query = update.callback_query
        if query is None:
            return
        data = query.data or ""
        if is_feedback_action(data):
            await self.feedback(query, data)
            return
        reply = self.act(data.removeprefix(CHOICE_MARK))
        if reply is None:
            await _answer_query(query.answer, BUTTON_EXPIRED)
            return
        await _answer_query(query.answer)
        message = query.message
        if message is None:  # not from a chat message (the bot sends none such): answer in private
            await send_reply(context.bot, query.from_user.id, reply)
            return
        thread = message.message_thread_id if isinstance(message, Message) and message.is_topic_message else None
        await send_reply(context.bot, message.chat.id, reply, thread_id=thread)
        if data.startswith(CHOICE_MARK) and isinstance(message, Message):
            await self._mark_choice(message, data)

    async def feedback(self, query: CallbackQuery, data: str) -> None:
        """A "Helpful: yes / no" tap: count it once per answer, thank, and take the two buttons away."""
        message = query.message if isinstance(query.message, Message) else None
        key = (message.chat.id, message.message_id) if message is not None else None
        if key is not None and key in self._voted:  # a second tap before the buttons were gone
            await _answer_query(query.answer, FEEDBACK_COUNTED, alert=False)
            return
        if not await self.service.feedback(data):
            await _answer_query(query.answer, BUTTON_EXPIRED)
            return
        if key is not None:
            self._voted[key] = None
            while len(self._voted) > VOTES_REMEMBERED:
                self._voted.popitem(last=False)
        await _answer_query(query.answer, FEEDBACK_THANKS, alert=False)
        if message is not None:
            await self._remove_feedback(message)

    async def _remove_feedback(self, message: Message) -> None:
        """Take the feedback row off an answer, keeping its follow-ups (cosmetic: best effort)."""
        rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
        kept = [list(row) for row in rows if not any(is_feedback(button) for button in row)]
        if len(kept) == len(rows):
            return
        try:
            await deliver(partial(message.edit_reply_markup, reply_markup=InlineKeyboardMarkup(kept) if kept else None))
        except TelegramError as error:  # too old to edit, already edited…
            log.info("did not remove the feedback buttons: %s", type(error).__name__)

    async def _mark_choice(self, message: Message, data: str) -> None:
        """Record the choice under a "Did you mean" question and remove its buttons (cosmetic: best effort)."""
        rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
        label = next((b.text for row in rows for b in row if b.callback_data == data), None)
        if label is None or not message.text:
            return
        text = f"{message.text_html}\n\n→ <b>{html.escape(label, quote=False)}</b>"
        try:
            await deliver(partial(message.edit_text, text, reply_markup=None))
        except TelegramError as error:  # tapped twice ("message is not modified"), too old to edit…
            log.info("did not mark a choice: %s", type(error).__name__)

    async def inline_query(self, update: Update, context: Context) -> None:
        """Offer the public answers to an inline query as articles to share."""
        query = update.inline_query
        if query is None:
            return
        username = context.bot.username
        results = [article(str(i), reply, username) for i, reply in enumerate(self.inline_replies(query.query))]
        await _answer_query(
            partial(
                query.answer,
                results,
                cache_time=INLINE_CACHE_SECONDS,
                is_personal=False,
                button=InlineQueryResultsButton(text=OPEN_ASSISTANT, start_parameter="help"),
            )
        )

    async def on_error(self, update: object, context: Context) -> None:
        """Log the error (never the message) and tell the user something went wrong."""
        log.error("an update could not be handled: %s", type(context.error).__name__, exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if update.callback_query is not None:
            await _answer_query(update.callback_query.answer)
        try:
            await send_reply(context.bot, update.effective_chat.id, apology())
        except TelegramError as error:
            log.warning("could not send the apology either: %s", type(error).__name__)


def _command_handlers(application: App, name: str, callback: Callback) -> None:
    application.add_handler(CommandHandler(name, callback))
    # Some Bot API emulators send "/latest" without Telegram's bot_command entity: match the text too.
    application.add_handler(PrefixHandler("/", name, callback, filters=filters.UpdateType.MESSAGE))


def register_handlers(application: App, assistant: Assistant) -> None:
    """Every handler of the bot, in one place. Order matters (the first match wins): questions first, as most
    updates are questions and each handler before them is checked in vain (nothing starting with "/" is a
    question); then commands (menu, subscriptions, admin), unknown commands, buttons, inline queries, and
    anything else in a private chat."""
    application.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & ~SLASH_TEXT & filters.UpdateType.MESSAGE & ADDRESSED_TO_BOT,
            assistant.question,
        )
    )
    for command in COMMANDS:
        _command_handlers(
            application, command.name, assistant.start if command.name == "start" else assistant.command(command)
        )
    _command_handlers(application, SUBSCRIBE, assistant.subscribe)
    _command_handlers(application, UNSUBSCRIBE, assistant.unsubscribe)
    admin_callbacks = {
        "reload": assistant.reload_command,
        "stats": assistant.stats_command,
        "unanswered": assistant.unanswered_command,
    }
    for name in ADMIN_COMMANDS:
        _command_handlers(application, name, assistant.admin(admin_callbacks[name]))
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(private & filters.COMMAND, assistant.unknown_command))
    application.add_handler(CallbackQueryHandler(assistant.button))
    application.add_handler(InlineQueryHandler(assistant.inline_query))
    application.add_handler(MessageHandler(private & ~filters.TEXT, assistant.not_text))
    application.add_error_handler(assistant.on_error)


def outage_of(application: App) -> Outage:
    outage = application.bot_data["outage"]
    assert isinstance(outage, Outage)
    return outage


def assistant_of(application: App) -> Assistant:
    assistant = application.bot_data["assistant"]
    assert isinstance(assistant, Assistant)
    return assistant


async def post_init(application: App) -> None:
    """Once the bot is up: the lifecycle (store, catch-up announcements, release jobs, SIGHUP), then the
    command menu."""
    await assistant_of(application).open(application)
    commands = [BotCommand(name, description) for name, description in MENU]
    try:
        await deliver(partial(application.bot.set_my_commands, commands))
    except TelegramError as error:
        log.warning("could not register the command menu: %s", type(error).__name__)
    log.info("bot @%s is ready", application.bot.username)


async def post_shutdown(application: App) -> None:
    """After the last update: close the store."""
    await assistant_of(application).close()


def build_application(
    engine: Engine,
    settings: Settings,
    *,
    knowledge_dir: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    service: Conversations | None = None,
) -> App:
    """The Application for `settings`: Bot API root, defaults (HTML, no link previews), rate limiter, handlers.
    With `service`, it shares that conversation service (its counts and store) with another transport."""
    outage = Outage()
    application: App = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(True)
        .request(
            AiohttpRequest(
                connection_pool_size=CONNECTION_POOL_SIZE,
                connect_timeout=timeout,
                read_timeout=timeout,
                write_timeout=timeout,
            )
        )
        .get_updates_request(AiohttpRequest(connection_pool_size=1, read_timeout=timeout, on_answer=outage.answered))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    assistant = Assistant(engine, settings, knowledge_dir, service)
    application.bot_data["assistant"] = assistant
    application.bot_data["outage"] = outage
    register_handlers(application, assistant)
    return application


# ----- logs ---------------------------------------------------------------------------------------------


class RedactToken(logging.Filter):
    """Replaces the bot token wherever it would appear in a log line (URLs in library messages)."""

    def __init__(self, token: str) -> None:
        super().__init__("redact-token")
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
        return True


def protect_logs(token: str) -> None:
    """Keep the token and message text out of the logs, whatever LOG_LEVEL says.

    python-telegram-bot logs request parameters and whole updates (message text) at DEBUG; httpx, its
    default transport (not ours: bot/transports/telegram/request.py), logs every request URL, token and all, at INFO.
    """
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactToken) for f in handler.filters):
            handler.addFilter(RedactToken(token))
